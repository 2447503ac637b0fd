using System.Globalization;
using System.Text;

namespace Gateway.Bench;

/// <summary>One URL wrk is pointed at. <see cref="Store"/> is null for the baselines.</summary>
internal sealed record Target(string Name, string? Store, string Kind, string Url, string? Cookie, string? CookieFile = null)
{
    /// <summary>Requests bring a session: one cookie, or one of many (<see cref="CookieFile"/>, a Cookie header per line).</summary>
    public bool SignedIn => Cookie is not null || CookieFile is not null;
}

internal sealed record Machine(int Cores, string Os, string Runtime, string WrkVersion, string LoadAverageAtStart, DateTimeOffset StartedAt);

/// <summary>The Markdown report: a table per target and the ratios the project tracks.</summary>
internal static class Report
{
    public const double SignedInTarget = 0.85;

    /// <summary>Issue 10's targets: each gateway route's throughput as a share of plain YARP's, in the same run.</summary>
    public const double AnonymousOfYarpTarget = 0.95;

    public const double SignedInOfYarpTarget = 0.90;

    /// <summary>p99 the gateway may add over plain YARP (milliseconds).</summary>
    public const double AddedP99TargetMs = 1.0;

    /// <summary>The many-sessions case: throughput as a share of the single-session figure, and the process's peak RSS.</summary>
    public const double ManySessionsTarget = 0.90;

    public const long PeakRssTargetBytes = 150L * 1024 * 1024;

    public static string Markdown(
        Machine machine, BenchOptions options, IReadOnlyList<(Target Target, WrkResult Result, IReadOnlyList<WrkResult> Runs)> rows,
        IReadOnlyDictionary<Target, FastPathCounts> fastPath, TimeSpan sinceFirstSignIn, long peakRssBytes)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# Gateway load benchmark, {machine.StartedAt:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {machine.Cores} cores, {machine.Os}, {machine.Runtime}. wrk and every server (backend, YARP, Cognito stand-in, gateways) run on the same box, the servers in one process; redis-server is a separate process on loopback.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Load average when the run started (other work on the box): `{machine.LoadAverageAtStart}`.");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Load: `{machine.WrkVersion}`, `wrk -t{options.Threads} -c{options.Connections} -d{options.DurationSeconds}s --latency`, {options.WarmupSeconds}s warm-up per target, {options.Rounds} interleaved round(s); requests/s = all requests of all rounds / their total time; p50/p99 = median over rounds.");
        s.AppendLine("- CPU/request = CPU time of the server process (backend included, redis-server not) during the runs / requests. It is the steadier figure when other work competes for the cores; *own CPU* subtracts the direct backend's. Allocated/request (server process, managed heap) is deterministic and shows extra work regardless of noise.");
        if (options.GatewaySettings.Count > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"- Extra gateway settings: {string.Join(", ", options.GatewaySettings.Select(p => $"`{p.Key}={p.Value}`"))}.");
        }

        var lifetime = options.TokenLifetime;
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 4));
        var refreshNote = sinceFirstSignIn > lifetime - margin
            ? " — **after** the refresh point: wrk keeps sending the sign-in cookie (a browser would switch to the refreshed one), so the last runs measure a stale cookie."
            : ", before the refresh point.";
        s.AppendLine(CultureInfo.InvariantCulture,
            $"- Access/ID token lifetime of the pool: {lifetime.TotalMinutes:0.##} min; with the default margin (`RefreshMargin` 5 min, at most a quarter of the lifetime) a session is refreshed {(lifetime - margin).TotalMinutes:0.##} min after sign-in. The last measured run ended {sinceFirstSignIn.TotalMinutes:0.#} min after the first sign-in{refreshNote}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- Peak RSS of the server process during the measured runs (backend, YARP, Cognito stand-in and every gateway together, `VmHWM` reset after the set-up): **{Mib(peakRssBytes)}** (target ≤ {Mib(PeakRssTargetBytes)}: {(peakRssBytes <= PeakRssTargetBytes ? "met" : "**NOT met**")}); the RSS column is `VmRSS` after the target's last run, *managed heap* the GC heap after the last collection then (what the servers' objects hold; RSS adds the runtime, code and memory the server GC keeps).");
        if (options.Sessions > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"- Many-sessions case: {options.Sessions:N0} distinct sessions of the same user, minted through the gateway's own session scheme after the real sign-in; wrk (`-s` Lua script) sends each request with the next session's cookie, each thread starting elsewhere in the list.");
        }

        s.AppendLine("- Every run was checked: each request wrk counted reached the backend (no 302/401 short-cuts), and the session was still valid at the end.");
        s.AppendLine();
        var direct = rows.FirstOrDefault(r => r.Target.Kind == "direct").Result;
        s.AppendLine("| target | requests/s | p50 | p99 | CPU/request | own CPU/request | allocated/request | RSS | managed heap | per round (req/s) |");
        s.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var (target, result, runs) in rows)
        {
            var own = direct is null || target.Kind == "direct" ? "" : $"{result.CpuMicrosPerRequest - direct.CpuMicrosPerRequest:0} µs";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {target.Name} | {result.RequestsPerSecond:N0} | {Ms(result.P50Ms)} | {Ms(result.P99Ms)} | {result.CpuMicrosPerRequest:0} µs | {own} | {result.AllocatedBytesPerRequest:N0} B | {Mib(result.RssBytesAfter)} | {Mib(result.HeapBytesAfter)} | {string.Join(" / ", runs.Select(r => r.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} |");
        }

        if (fastPath.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("| validated-session fast path | served by it | by the full handlers | hit ratio |");
            s.AppendLine("| --- | ---: | ---: | ---: |");
            foreach (var (target, counts) in fastPath)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {target.Name} | {counts.Hits:N0} | {counts.Misses:N0} | {counts.HitRatio:P2} |");
            }
        }

        s.AppendLine();
        s.AppendLine("| ratio | requests/s | by CPU/request | note |");
        s.AppendLine("| --- | ---: | ---: | --- |");
        var yarp = rows.FirstOrDefault(r => r.Target.Kind == "yarp").Result;
        if (direct is not null && yarp is not null)
        {
            s.AppendLine(Ratio("YARP / direct backend", yarp, direct, "cost of proxying at all (the backend shares the cores)"));
        }

        foreach (var store in rows.Select(r => r.Target.Store).OfType<string>().Distinct())
        {
            var anonymous = rows.First(r => r.Target.Store == store && r.Target.Kind == "anonymous").Result;
            var signedIn = rows.First(r => r.Target.Store == store && r.Target.Kind == "signed-in").Result;
            if (yarp is not null)
            {
                var anonymousShare = anonymous.RequestsPerSecond / yarp.RequestsPerSecond;
                s.AppendLine(Ratio($"**gateway ({store}) anonymous / YARP**", anonymous, yarp,
                    $"the gateway's pipeline without a session; target ≥ {AnonymousOfYarpTarget:0.00}: **{Met(anonymousShare >= AnonymousOfYarpTarget)}**"));
                var signedInShare = signedIn.RequestsPerSecond / yarp.RequestsPerSecond;
                s.AppendLine(Ratio($"**gateway ({store}) signed-in / YARP**", signedIn, yarp,
                    $"target ≥ {SignedInOfYarpTarget:0.00}: **{Met(signedInShare >= SignedInOfYarpTarget)}**"));
            }

            if (rows.FirstOrDefault(r => r.Target.Store == store && r.Target.Kind == "sessions").Result is { } many)
            {
                var share = many.RequestsPerSecond / signedIn.RequestsPerSecond;
                s.AppendLine(Ratio($"**gateway ({store}) {options.Sessions:N0} sessions / one session**", many, signedIn,
                    $"target ≥ {ManySessionsTarget:0.00}: **{Met(share >= ManySessionsTarget)}**"));
            }

            var ratio = signedIn.RequestsPerSecond / anonymous.RequestsPerSecond;
            s.AppendLine(Ratio($"**gateway ({store}) signed-in / anonymous**", signedIn, anonymous,
                $"target ≥ {SignedInTarget:0.00}: **{(ratio >= SignedInTarget ? "met" : "NOT met")}**"));
            if (rows.FirstOrDefault(r => r.Target.Store == store && r.Target.Kind == "anonymous+cookie").Result is { } withCookie)
            {
                s.AppendLine(Ratio($"gateway ({store}) anonymous + cookie / anonymous", withCookie, anonymous, "the session cookie's cost on a route that does not need it"));
                s.AppendLine(Ratio($"gateway ({store}) signed-in / anonymous + cookie", signedIn, withCookie, "same request bytes: the signed-in route's own work"));
            }
        }

        if (yarp?.P99Ms is { } yarpP99)
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"| p99 added over plain YARP (at {options.Connections} connections) | p99 | added | target ≤ {AddedP99TargetMs:0.0} ms |");
            s.AppendLine("| --- | ---: | ---: | --- |");
            foreach (var (target, result, _) in rows.Where(r => r.Target.Store is not null))
            {
                if (result.P99Ms is { } p99)
                {
                    s.AppendLine(CultureInfo.InvariantCulture, $"| {target.Name} | {Ms(p99)} | {Ms(p99 - yarpP99)} | {Met(p99 - yarpP99 <= AddedP99TargetMs)} |");
                }
            }
        }

        return s.ToString();
    }

    private static string Met(bool met) => met ? "met" : "NOT met";

    public static string Mib(long bytes) => bytes <= 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0} MiB");

    public static string Ms(double? milliseconds) =>
        milliseconds is { } ms ? ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms" : "n/a";

    /// <summary>bench/results, found by walking up from the binary to the folder holding Bench.csproj.</summary>
    public static string DefaultResultsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bench.csproj")))
            {
                return Path.Combine(dir.FullName, "results");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "results");
    }

    /// <summary>A row of the ratio table: throughput of <paramref name="a"/> over <paramref name="b"/>, and the same implied by CPU cost (b's CPU over a's).</summary>
    private static string Ratio(string name, WrkResult a, WrkResult b, string note) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {a.RequestsPerSecond / b.RequestsPerSecond:0.00} | {b.CpuMicrosPerRequest / a.CpuMicrosPerRequest:0.00} | {note} |");
}
