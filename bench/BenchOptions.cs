using System.Globalization;

namespace Gateway.Bench;

/// <summary>
/// Command-line options (each also readable from an environment variable). Defaults keep a whole run
/// under about two and a half minutes: 2 targets + 2 stores × 2 routes × rounds, each <see cref="Duration"/>.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>wrk -t</summary>
    public int Threads { get; init; } = 2;

    /// <summary>wrk -c</summary>
    public int Connections { get; init; } = 32;

    /// <summary>wrk -d, in seconds, for each measured run.</summary>
    public int DurationSeconds { get; init; } = 10;

    /// <summary>An unmeasured wrk run before the first measurement of each target (JIT tiering, connection pools).</summary>
    public int WarmupSeconds { get; init; } = 5;

    /// <summary>How many times the anonymous and signed-in routes of each gateway are measured, alternately.</summary>
    public int Rounds { get; init; } = 2;

    /// <summary>Print sampled allocation types per target.</summary>
    public bool AllocationProfile { get; init; }

    /// <summary>Only the targets whose name contains this text (profiling); null for all.</summary>
    public string? Only { get; init; }

    /// <summary>Which session stores to measure.</summary>
    public IReadOnlyList<string> Stores { get; init; } = ["Cookie", "Redis"];

    /// <summary>Extra gateway configuration (<c>--set Key=Value</c>), for experiments such as turning the session cache off.</summary>
    public IReadOnlyDictionary<string, string> GatewaySettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Also measure each gateway's anonymous route with the session cookie (what a signed-in browser sends there).</summary>
    public bool Diagnose { get; init; }

    /// <summary>
    /// Access and ID token lifetime of the Cognito stand-in's pool (Cognito: 5 minutes to 1 day, default 60 minutes).
    /// Short lifetimes shrink the refresh margin; the report shows how often the validated-session fast path served.
    /// </summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// Distinct signed-in sessions of the many-sessions case (wrk rotates through their cookies, so each request brings
    /// another session to the gateway's cache); 0 skips the case.
    /// </summary>
    public int Sessions { get; init; } = 10_000;

    /// <summary>Where latest.md is written; default: bench/results next to Bench.csproj.</summary>
    public string? ResultsDirectory { get; init; }

    public const string Usage = """
        Usage: bench/run.sh [options]
          --threads N          wrk threads (env BENCH_THREADS, default 2)
          --connections N      wrk connections (env BENCH_CONNECTIONS, default 32)
          --duration 10s       each measured run (env BENCH_DURATION, default 10s)
          --warmup 5s          unmeasured run of every target before the first measured round (env BENCH_WARMUP, default 5s)
          --rounds N           alternating anonymous/signed-in measurements per store (env BENCH_ROUNDS, default 2)
          --stores Cookie,Redis  which session stores (env BENCH_STORES, default both)
          --set Key=Value      extra gateway configuration, repeatable (e.g. Gateway:Session:CacheDuration=00:00:00)
          --diagnose           also measure the anonymous route with the session cookie (separates header size from session work)
          --only TEXT          measure only the targets whose name contains TEXT (for profiling one target)
          --alloc-profile      print the types each target allocates (sampled), per request
          --token-lifetime 60m the pool's access/ID token lifetime, 5m to 1440m (env BENCH_TOKEN_LIFETIME, default 60m)
          --sessions N         distinct sessions of the many-sessions case, wrk rotating their cookies (env BENCH_SESSIONS, default 10000; 0 skips it)
          --results DIR        where latest.md goes (default bench/results)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        options = options with
        {
            Threads = Int(Environment.GetEnvironmentVariable("BENCH_THREADS")) ?? options.Threads,
            Connections = Int(Environment.GetEnvironmentVariable("BENCH_CONNECTIONS")) ?? options.Connections,
            DurationSeconds = Seconds(Environment.GetEnvironmentVariable("BENCH_DURATION")) ?? options.DurationSeconds,
            WarmupSeconds = Seconds(Environment.GetEnvironmentVariable("BENCH_WARMUP")) ?? options.WarmupSeconds,
            Rounds = Int(Environment.GetEnvironmentVariable("BENCH_ROUNDS")) ?? options.Rounds,
            Stores = List(Environment.GetEnvironmentVariable("BENCH_STORES")) ?? options.Stores,
            Sessions = Int(Environment.GetEnvironmentVariable("BENCH_SESSIONS")) ?? options.Sessions,
            TokenLifetime = Seconds(Environment.GetEnvironmentVariable("BENCH_TOKEN_LIFETIME")) is { } lifetime ? TimeSpan.FromSeconds(lifetime) : options.TokenLifetime,
        };

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.\n{Usage}");
            switch (name)
            {
                case "--threads": options = options with { Threads = Int(Next()) ?? throw Bad(name) }; break;
                case "--connections": options = options with { Connections = Int(Next()) ?? throw Bad(name) }; break;
                case "--duration": options = options with { DurationSeconds = Seconds(Next()) ?? throw Bad(name) }; break;
                case "--warmup": options = options with { WarmupSeconds = Seconds(Next()) ?? throw Bad(name) }; break;
                case "--rounds": options = options with { Rounds = Int(Next()) ?? throw Bad(name) }; break;
                case "--stores": options = options with { Stores = List(Next()) ?? throw Bad(name) }; break;
                case "--results": options = options with { ResultsDirectory = Next() }; break;
                case "--token-lifetime": options = options with { TokenLifetime = TimeSpan.FromSeconds(Seconds(Next()) ?? throw Bad(name)) }; break;
                case "--sessions": options = options with { Sessions = Int(Next()) ?? throw Bad(name) }; break;
                case "--diagnose": options = options with { Diagnose = true }; break;
                case "--only": options = options with { Only = Next() }; break;
                case "--alloc-profile": options = options with { AllocationProfile = true }; break;
                case "--set":
                    var pair = Next();
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        throw Bad(name);
                    }

                    settings[pair[..equals]] = pair[(equals + 1)..];
                    break;
                default: throw new ArgumentException($"Unknown option '{name}'.\n{Usage}");
            }
        }

        options = options with { GatewaySettings = settings };
        if (options.Threads < 1 || options.Connections < options.Threads || options.DurationSeconds < 1 || options.Rounds < 1 || options.WarmupSeconds < 0)
        {
            throw new ArgumentException($"Out-of-range option (threads ≥ 1, connections ≥ threads, duration ≥ 1s, rounds ≥ 1).\n{Usage}");
        }

        if (options.TokenLifetime < TimeSpan.FromMinutes(5) || options.TokenLifetime > TimeSpan.FromDays(1))
        {
            throw new ArgumentException($"--token-lifetime must be between 5m and 1440m, Cognito's range (got {options.TokenLifetime}).\n{Usage}");
        }

        foreach (var store in options.Stores)
        {
            if (store is not ("Cookie" or "Redis"))
            {
                throw new ArgumentException($"Unknown store '{store}': use Cookie and/or Redis.\n{Usage}");
            }
        }

        return options;
    }

    private static ArgumentException Bad(string name) => new($"Bad value for {name}.\n{Usage}");

    private static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>"10", "10s" or "1m".</summary>
    private static int? Seconds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (text.EndsWith('m'))
        {
            return Int(text[..^1]) * 60;
        }

        return Int(text.TrimEnd('s'));
    }

    private static IReadOnlyList<string>? List(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? null
            : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant()).ToList();
}
