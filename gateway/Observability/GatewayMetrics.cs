using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Gateway.Observability;

/// <summary>
/// The gateway's own counters (meter "Gateway"), exported with ASP.NET Core's, Kestrel's and the runtime's on the
/// management listener's /metrics. Every counter (and every label value an alert is likely to watch) is reported from
/// the start with 0, so <c>rate()</c> and "absent" alerts work before the first event.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    /// <summary>The <c>outcome</c> labels of <c>gateway.token_refreshes</c> (Sessions' RefreshStatus, lower case).</summary>
    public static readonly string[] RefreshOutcomes = ["refreshed", "rejected", "unavailable"];

    /// <summary>The <c>reason</c> labels reported at 0 from the start: the gateway's own (a provider's error codes appear when they happen).</summary>
    public static readonly string[] InitialSignInFailureReasons = ["idp_unavailable", "code_rejected", "invalid_token", "invalid_callback", "session_too_large", SignInFailureReasons.Other];

    private readonly Counter<long> _signIns;
    private readonly Counter<long> _signInFailures;
    private readonly Counter<long> _signOuts;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _spoofedHeaders;
    private readonly Counter<long> _sessionCache;

    /// <param name="meterFactory">Creates the meter.</param>
    /// <param name="meterProvider">
    /// Not used, only required: taking it makes the container build OpenTelemetry's listener before this meter exists,
    /// so the zeros written below are recorded rather than lost.
    /// </param>
    public GatewayMetrics(IMeterFactory meterFactory, MeterProvider meterProvider)
    {
        _ = meterProvider;
        var meter = meterFactory.Create(MeterName);
        _signIns = meter.CreateCounter<long>("gateway.sign_ins", description: "Sessions created at the callback.");
        _signInFailures = meter.CreateCounter<long>("gateway.sign_in_failures", description: "Callbacks that created no session, by reason.");
        _signOuts = meter.CreateCounter<long>("gateway.sign_outs", description: "Sessions ended at /oauth2/sign_out.");
        _refreshes = meter.CreateCounter<long>("gateway.token_refreshes", description: "Calls to the token endpoint's refresh_token grant, by outcome.");
        _sessionCache = meter.CreateCounter<long>("gateway.session_cache", description: "Requests with a session cookie: served by the validated-session fast path (result=hit) or by the full authentication handlers (result=miss).");
        _spoofedHeaders = meter.CreateCounter<long>("gateway.spoofed_headers_stripped", description: "Inbound identity headers removed because only the gateway may set them.");

        _signIns.Add(0);
        _signOuts.Add(0);
        _spoofedHeaders.Add(0);
        _sessionCache.Add(0, CacheHit);
        _sessionCache.Add(0, CacheMiss);
        foreach (var outcome in RefreshOutcomes)
        {
            _refreshes.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        foreach (var reason in InitialSignInFailureReasons)
        {
            _signInFailures.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
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
