using System.Runtime.InteropServices;
using Gateway.Bench;
using Gateway.Demo.Emulator;

// The load benchmark (bench/README.md): in one process and one run, a fast backend, plain YARP in front of it,
// and the real gateway with each session store (anonymous route and signed-in route), measured by wrk.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 64;
}

var wrk = Wrk.Find();
if (wrk is null)
{
    Console.Error.WriteLine("wrk is not installed (apt-get install wrk): no benchmark without it.");
    return 3;
}

string? redisExecutable = null;
if (options.Stores.Contains("Redis"))
{
    redisExecutable = Wrk.Find("redis-server");
    if (redisExecutable is null)
    {
        Console.Error.WriteLine("redis-server is not installed (apt-get install redis-server); run with --stores Cookie to skip the Redis store.");
        return 3;
    }
}

var machine = new Machine(
    Environment.ProcessorCount,
    RuntimeInformation.OSDescription,
    RuntimeInformation.FrameworkDescription,
    await Wrk.VersionAsync(wrk),
    File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a",
    DateTimeOffset.UtcNow);
Console.WriteLine($"Bench: {machine.Cores} cores, {machine.Os}, {machine.Runtime}, {machine.WrkVersion}; load average at start: {machine.LoadAverageAtStart}");
Console.WriteLine($"wrk -t{options.Threads} -c{options.Connections} -d{options.DurationSeconds}s, warm-up {options.WarmupSeconds}s, {options.Rounds} round(s), stores: {string.Join(", ", options.Stores)}, token lifetime {options.TokenLifetime.TotalMinutes:0} min"
    + (options.GatewaySettings.Count == 0 ? "" : ", extra: " + string.Join(", ", options.GatewaySettings.Select(p => p.Key + "=" + p.Value))));

var keysPath = Directory.CreateTempSubdirectory("gateway-bench-keys-").FullName;
var started = new List<IAsyncDisposable>();
RedisServer? redis = null;
try
{
    var backend = await Backend.StartAsync();
    started.Add(backend);
    var plainProxy = await PlainProxy.StartAsync(backend.Url);
    started.Add(plainProxy);

    // The app client must list each gateway's exact callback URL, so the gateways' ports are chosen first
    // (http://localhost: Cognito, and so the stand-in, allows plain-http callback URLs only for localhost).
    var ports = options.Stores.ToDictionary(s => s, _ => Loopback.ReservePort());
    var emulator = Stack.BuildEmulator(ports.Values.Select(p => $"http://localhost:{p}"), options.TokenLifetime);
    await emulator.StartAsync();
    started.Add(emulator);
    var issuer = CognitoEmulator.GetIssuer(emulator);

    if (redisExecutable is not null)
    {
        redis = await RedisServer.StartAsync(redisExecutable);
        Console.WriteLine($"redis-server on 127.0.0.1:{redis.Port}");
    }

    var targets = new List<Target>
    {
        new("direct backend", null, "direct", backend.Url + "/bench", null),
        new("YARP, no auth", null, "yarp", Loopback.SingleUrl(plainProxy) + "/bench", null),
    };
    var gateways = new Dictionary<string, (GatewayUnderTest Gateway, string Cookie)>();
    var firstSignIn = DateTimeOffset.UtcNow;
    foreach (var store in options.Stores)
    {
        var gateway = await GatewayUnderTest.StartAsync(store, ports[store], issuer, backend.Url, redis?.Configuration, keysPath, options.GatewaySettings);
        started.Add(gateway);
        var cookie = await gateway.SignInAsync();
        if (gateways.Count == 0)
        {
            firstSignIn = DateTimeOffset.UtcNow;
        }

        await gateway.VerifyAsync(cookie, backend);
        Console.WriteLine($"{store} store: signed in; session Cookie header is {cookie.Length} bytes; signed-in route answers 200 from the backend.");
        gateways[store] = (gateway, cookie);
        targets.Add(new($"gateway ({store}), anonymous route", store, "anonymous", gateway.Url + GatewayUnderTest.AnonymousPath, null));
        targets.Add(new($"gateway ({store}), signed-in route", store, "signed-in", gateway.Url + GatewayUnderTest.SignedInPath, cookie));
        if (options.Sessions > 0)
        {
            var cookiesFile = await gateway.MintSessionsAsync(cookie, options.Sessions, Path.Combine(keysPath, $"sessions-{store}.txt"));
            await gateway.VerifyAsync((await File.ReadAllLinesAsync(cookiesFile))[^1], backend);
            Console.WriteLine($"{store} store: minted {options.Sessions:N0} more sessions of the same user, each with its own cookie; the last one answers 200 from the backend.");
            targets.Add(new($"gateway ({store}), signed-in route, {options.Sessions:N0} sessions", store, "sessions", gateway.Url + GatewayUnderTest.SignedInPath, null, cookiesFile));
        }

        if (options.Diagnose)
        {
            targets.Add(new($"gateway ({store}), anonymous route + cookie", store, "anonymous+cookie", gateway.Url + GatewayUnderTest.AnonymousPath, cookie));
        }
    }

    if (options.Only is { } only)
    {
        targets.RemoveAll(t => !t.Name.Contains(only, StringComparison.OrdinalIgnoreCase));
    }

    // Rounds interleave every target, so background load on a shared machine hits them all alike.
    // Warm every target up before measuring any: the servers share one process and its JIT, and tiered compilation
    // (with dynamic PGO) keeps improving shared code for seconds; a target warmed just before its own measurement
    // would be measured while code it shares with the next target is still being re-compiled.
    // The peak RSS the report gives is that of the measured runs: the garbage of signing in and minting sessions is
    // collected and returned to the system, and Linux's high-water mark restarts here (clear_refs "5").
    GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    try
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine("note: could not reset the peak RSS (/proc/self/clear_refs); the report's peak includes the set-up.");
    }

    Console.WriteLine($"RSS before the first measurement: {Report.Mib(Wrk.RssBytes())}, managed heap {Report.Mib(GC.GetGCMemoryInfo().HeapSizeBytes)}");
    using var sampler = options.AllocationProfile ? new AllocationSampler() : null;
    var runs = targets.ToDictionary(t => t, _ => new List<WrkResult>());
    var fastPath = targets.Where(t => t.Store is not null && t.SignedIn).ToDictionary(t => t, _ => new FastPathCounts(0, 0));
    if (options.WarmupSeconds > 0)
    {
        foreach (var target in targets)
        {
            await Wrk.MeasureAsync(wrk, options, options.WarmupSeconds, target, backend);
        }
    }

    for (var round = 1; round <= options.Rounds; round++)
    {
        foreach (var target in targets)
        {
            var gatewayOfTarget = fastPath.ContainsKey(target) ? gateways[target.Store!].Gateway : null;
            var countsBefore = gatewayOfTarget is null ? default : await gatewayOfTarget.FastPathCountsAsync();
            sampler?.Start();
            var result = await Wrk.MeasureAsync(wrk, options, options.DurationSeconds, target, backend);
            var hitNote = "";
            if (gatewayOfTarget is not null)
            {
                var counts = await gatewayOfTarget.FastPathCountsAsync() - countsBefore;
                fastPath[target] += counts;
                hitNote = $"  fast path {counts.HitRatio:P1}";
            }

            if (sampler is not null)
            {
                Console.WriteLine($"allocations of {target.Name} (sampled, bytes/request):");
                foreach (var (type, bytes) in sampler.Stop(result.Requests))
                {
                    Console.WriteLine($"  {bytes,8:N0}  {type}");
                }
            }

            Check(target, result);
            runs[target].Add(result);
            Console.WriteLine($"round {round}/{options.Rounds}  {target.Name,-45} {result.RequestsPerSecond,8:N0} req/s  p50 {Report.Ms(result.P50Ms),9}  p99 {Report.Ms(result.P99Ms),9}  CPU {result.CpuMicrosPerRequest,5:0} µs/req  alloc {result.AllocatedBytesPerRequest,6:N0} B/req  RSS {result.RssBytesAfter / 1048576.0,5:0} MiB{hitNote}");
        }
    }

    // The sessions must still be valid at the end, or part of the signed-in runs may have been something else.
    foreach (var (gateway, cookie) in gateways.Values)
    {
        await gateway.VerifyAsync(cookie, backend);
    }

    var measuredFor = DateTimeOffset.UtcNow - firstSignIn;
    var report = Report.Markdown(machine, options, targets.Select(t => (t, WrkResult.Combine(runs[t]), (IReadOnlyList<WrkResult>)runs[t])).ToList(), fastPath, measuredFor, Wrk.RssBytes("VmHWM"));
    Console.WriteLine();
    Console.WriteLine(report);
    var resultsDirectory = options.ResultsDirectory ?? Report.DefaultResultsDirectory();
    Directory.CreateDirectory(resultsDirectory);
    var path = Path.Combine(resultsDirectory, "latest.md");
    await File.WriteAllTextAsync(path, report);
    Console.WriteLine($"Written to {path}");
    return 0;
}
catch (BenchFailedException ex)
{
    Console.Error.WriteLine("BENCH FAILED: " + ex.Message);
    return 1;
}
finally
{
    started.Reverse();
    foreach (var server in started)
    {
        await server.DisposeAsync();
    }

    redis?.Dispose();
    Directory.Delete(keysPath, recursive: true);
}

// Every request wrk counted must have reached the backend (a 302 to sign-in or a 401 never does), without errors.
static void Check(Target target, WrkResult result)
{
    if (result.Non2xx3xx > 0 || result.BackendServed < result.Requests)
    {
        throw new BenchFailedException(
            $"{target.Name}: wrk counted {result.Requests} requests ({result.Non2xx3xx} non-2xx/3xx) but the backend served {result.BackendServed}: "
            + "requests were answered without reaching the backend, so the numbers are meaningless.");
    }

    if (result.SocketErrors > 0)
    {
        Console.Error.WriteLine($"warning: {target.Name}: {result.SocketErrors} socket errors (connect/read/write/timeout).");
    }
}
