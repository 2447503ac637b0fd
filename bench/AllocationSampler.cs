using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Gateway.Bench;

/// <summary>
/// <c>--alloc-profile</c>: samples allocations in this process through the runtime's AllocationTick events (one
/// event per ~100 KB allocated, naming the type that crossed the threshold), to show what a target allocates.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();
    private volatile bool _recording;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventName is not ("GCAllocationTick_V4" or "GCAllocationTick_V3" or "GCAllocationTick_V2") || e.Payload is null)
        {
            return;
        }

        var type = e.PayloadNames?.IndexOf("TypeName") is int i and >= 0 ? e.Payload[i] as string ?? "?" : "?";
        var amount = e.PayloadNames?.IndexOf("AllocationAmount") is int j and >= 0 ? Convert.ToInt64(e.Payload[j], System.Globalization.CultureInfo.InvariantCulture) : 0;
        _bytesByType.AddOrUpdate(type, amount, (_, v) => v + amount);
    }

    public void Start()
    {
        _bytesByType.Clear();
        _recording = true;
    }

    /// <summary>Top types by sampled bytes, as bytes per request.</summary>
    public IReadOnlyList<(string Type, double BytesPerRequest)> Stop(long requests)
    {
        _recording = false;
        return _bytesByType.OrderByDescending(kv => kv.Value).Take(25)
            .Select(kv => (kv.Key, kv.Value / (double)Math.Max(1, requests))).ToList();
    }
}
