using System.Diagnostics.Metrics;

namespace Gateway.Observability;

/// <summary>The gateway's own counters (meter "Gateway"), exported with ASP.NET Core's and Kestrel's on /metrics.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    private readonly Counter<long> _signIns;
    private readonly Counter<long> _signInFailures;
    private readonly Counter<long> _signOuts;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _spoofedHeaders;
    private readonly Counter<long> _sessionCache;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _signIns = meter.CreateCounter<long>("gateway.sign_ins", description: "Sessions created at the callback.");
        _signInFailures = meter.CreateCounter<long>("gateway.sign_in_failures", description: "Callbacks that created no session, by reason.");
        _signOuts = meter.CreateCounter<long>("gateway.sign_outs", description: "Sessions ended at /oauth2/sign_out.");
        _refreshes = meter.CreateCounter<long>("gateway.token_refreshes", description: "Calls to the token endpoint's refresh_token grant, by outcome.");
        _sessionCache = meter.CreateCounter<long>("gateway.session_cache", description: "Requests with a session cookie: served by the validated-session fast path (result=hit) or by the full authentication handlers (result=miss).");
        _spoofedHeaders = meter.CreateCounter<long>("gateway.spoofed_headers_stripped", description: "Inbound identity headers removed because only the gateway may set them.");
    }

    public void SignedIn() => _signIns.Add(1);

    /// <summary>Counts a failed callback; the label is always one of <see cref="SignInFailureReasons"/> (unknown → "other").</summary>
    public void SignInFailed(string reason) => _signInFailures.Add(1, new KeyValuePair<string, object?>("reason", SignInFailureReasons.Label(reason)));

    public void SignedOut() => _signOuts.Add(1);

    public void Refreshed(string outcome) => _refreshes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void SpoofedHeaderStripped() => _spoofedHeaders.Add(1);

    private static readonly KeyValuePair<string, object?> CacheHit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> CacheMiss = new("result", "miss");

    public void SessionCacheLookup(bool hit) => _sessionCache.Add(1, hit ? CacheHit : CacheMiss);
}
