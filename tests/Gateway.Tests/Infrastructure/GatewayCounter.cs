using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Counts what one gateway host adds to one of its counters from now on. Listens only to the meter that host's own
/// IMeterFactory created: test classes run in parallel, each with its own gateway, and /metrics (OpenTelemetry listens
/// by meter name) would mix their numbers.
/// </summary>
public sealed class GatewayCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public GatewayCounter(GatewayHost host, string instrumentName)
    {
        var factory = host.App.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
