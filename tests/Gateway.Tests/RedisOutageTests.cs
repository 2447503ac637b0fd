using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// A Redis outage on a real redis-server (stopped: connections refused; paused with SIGSTOP: connections accepted, nothing
/// answered): sign-out never claims success while the session lives on, forward-auth and userinfo answer 503 instead of
/// 401, each request pays at most the operation timeout and nothing while the breaker is open, requests that need no
/// session never wait, and start-up with an unreachable Redis is short and stops cleanly on SIGTERM.
/// </summary>
public sealed class RedisOutageTests : IClassFixture<RedisFixture>
{
    private const string FailureLogged = "Redis cannot be reached";
    private const string RecoveryLogged = "Redis answers again";

    private readonly RedisFixture _fx;
    private readonly string _prefix = "o" + Guid.NewGuid().ToString("N")[..8] + ":";

    public RedisOutageTests(RedisFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
    }

    private RedisServer Redis
    {
        get
        {
            RedisServer.SkipOrFailWhenMissing();
            return _fx.Redis!;
        }
    }

    private sealed record Reply(HttpStatusCode Status, string Body, IReadOnlyList<string> SetCookies, TimeSpan Elapsed);

    private Task<GatewayHost> StartAsync(Dictionary<string, string?> extra)
    {
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Session:Store"] = "Redis",
            ["Gateway:Redis:Configuration"] = Redis.Configuration,
            ["Gateway:Redis:KeyPrefix"] = _prefix,
        };
        foreach (var (k, v) in extra)
        {
            config[k] = v;
        }

        return GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);
    }

    private static async Task<Reply> SendAsync(GatewayHost host, HttpMethod method, string path, string? cookie, bool json = true, Action<HttpRequestMessage>? customize = null)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, host.Url + path);
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        if (json)
        {
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
        }
        else
        {
            TestBrowser.AddNavigationHeaders(request);
        }

        customize?.Invoke(request);
        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        var setCookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        return new Reply(response.StatusCode, body, setCookies, watch.Elapsed);
    }

    private static Task<Reply> GetAsync(GatewayHost host, string path, string? cookie) => SendAsync(host, HttpMethod.Get, path, cookie);

    /// <summary>The legacy app's own "Sign out" button: a same-origin form POST from a page of this site.</summary>
    private static Task<Reply> SignOutAsync(GatewayHost host, string cookie) =>
        SendAsync(host, HttpMethod.Post, "/oauth2/sign_out", cookie, json: false, request =>
        {
            request.Headers.TryAddWithoutValidation("Origin", host.Url);
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
            request.Content = new FormUrlEncodedContent([]);
        });

    private static string CookieHeader(TestBrowser browser) =>
        string.Join("; ", browser.GatewayCookies().Select(c => $"{c.Name}={c.Value}"));

    private static bool DeletesSessionCookie(Reply reply) =>
        reply.SetCookies.Any(c => SetCookie.Parse(c) is { Name: "_gateway" } sc && sc.IsDeletion);

    private static async Task<Reply> PollAsync(Func<Task<Reply>> probe, HttpStatusCode wanted, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        Reply last;
        do
        {
            last = await probe();
            if (last.Status == wanted)
            {
                return last;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        return last;
    }

    private static int Count(GatewayHost host, string text) => host.Logs.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    [SkippableTheory]
    [InlineData("00:00:00")] // the session must be read from Redis: sign-out cannot even find it
    [InlineData("00:01:00")] // the session is in this instance's cache (a minute: however slow the machine): its refresh token is revoked, the delete fails
    public async Task RedisDown_SignOut_Answers503AndKeepsTheCookie_AfterRedisIsBackSignOutEndsTheSession(string cacheDuration)
    {
        await using var gateway = await StartAsync(new() { ["Gateway:Session:CacheDuration"] = cacheDuration, ["Gateway:Redis:BreakDuration"] = "00:00:00.200" });
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        var cookie = CookieHeader(browser);

        await Redis.StopAsync();
        Reply failed;
        try
        {
            failed = await SignOutAsync(gateway, cookie);
        }
        finally
        {
            await Redis.RestartAsync();
        }

        Assert.True(failed.Status == HttpStatusCode.ServiceUnavailable, $"{(int)failed.Status}\n{failed.Body}\n{gateway.Logs.Dump()}");
        Assert.Contains("Could not sign you out", failed.Body, StringComparison.Ordinal);
        Assert.Contains("/oauth2/sign_out", failed.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(failed.SetCookies, c => SetCookie.Parse(c).Name.StartsWith("_gateway", StringComparison.Ordinal));
        // Whether the refresh token was revoked on this first try depends on whether the session was still in this
        // instance's cache (its own pub/sub "changed" message can evict it at any moment): not asserted. Either way the
        // session and the cookie are kept, and the retry below ends the session for good.

        // Not signed out, and honest about it: the session lives on and the kept cookie still opens it.
        Assert.Equal(HttpStatusCode.OK, (await PollAsync(() => GetAsync(gateway, "/still-signed-in", cookie), HttpStatusCode.OK, TimeSpan.FromSeconds(15))).Status);

        // The user tries again (each try while Redis is not back yet is another honest 503).
        var signedOut = await PollAsync(() => SignOutAsync(gateway, cookie), HttpStatusCode.Found, TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.Found, signedOut.Status);
        Assert.True(DeletesSessionCookie(signedOut));
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(gateway, "/replayed", cookie)).Status);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/replayed");
    }

    [SkippableFact]
    public async Task RedisDown_ForwardAuthAndUserInfo_Answer503NotA401_WithoutCookieStill401()
    {
        await using var gateway = await StartAsync(new() { ["Gateway:Session:CacheDuration"] = "00:00:00" });
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        var cookie = CookieHeader(browser);

        await Redis.StopAsync();
        try
        {
            var auth = await GetAsync(gateway, "/oauth2/auth", cookie);
            var userInfo = await GetAsync(gateway, "/oauth2/userinfo", cookie);
            Assert.True(auth.Status == HttpStatusCode.ServiceUnavailable, $"/oauth2/auth answered {(int)auth.Status}\n{gateway.Logs.Dump()}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, userInfo.Status);
            Assert.Contains("session_store_unavailable", userInfo.Body, StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(gateway, "/oauth2/auth", cookie: null)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(gateway, "/oauth2/userinfo", cookie: null)).Status);
        }
        finally
        {
            await Redis.RestartAsync();
        }

        Assert.Equal(HttpStatusCode.Accepted, (await PollAsync(() => GetAsync(gateway, "/oauth2/auth", cookie), HttpStatusCode.Accepted, TimeSpan.FromSeconds(15))).Status);
    }

    [SkippableTheory]
    [InlineData(false)] // stopped: connections refused
    [InlineData(true)] // paused: connections accepted, nothing answered (a hung Redis, a network dropping packets)
    public async Task RedisDown_FirstRequestCostsAtMostTheOperationTimeout_ThenRequestsFailAtOnce(bool paused)
    {
        // A long break: the breaker stays open for the whole test.
        await using var gateway = await StartAsync(new() { ["Gateway:Session:CacheDuration"] = "00:00:00", ["Gateway:Redis:BreakDuration"] = "00:05:00" });
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        var cookie = CookieHeader(browser);

        await (paused ? Redis.PauseAsync() : Redis.StopAsync());
        try
        {
            var first = await GetAsync(gateway, "/needs-session", cookie);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first.Status);
            Assert.True(first.Elapsed < TimeSpan.FromSeconds(2.5), $"the first request took {first.Elapsed.TotalMilliseconds:0} ms (Gateway:Redis:OperationTimeout is 1 s)");

            for (var i = 0; i < 5; i++)
            {
                var next = await GetAsync(gateway, $"/needs-session/{i}", cookie);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, next.Status);
                Assert.True(next.Elapsed < TimeSpan.FromMilliseconds(300), $"request {i} took {next.Elapsed.TotalMilliseconds:0} ms while the breaker is open");
            }

            Assert.Equal(1, Count(gateway, FailureLogged));
        }
        finally
        {
            await (paused ? Redis.ResumeAsync() : Redis.RestartAsync());
        }
    }

    [SkippableFact]
    public async Task RedisBack_SessionsWorkAgain_RecoveryAndFailureAreEachLoggedOnce()
    {
        await using var gateway = await StartAsync(new() { ["Gateway:Session:CacheDuration"] = "00:00:00", ["Gateway:Redis:BreakDuration"] = "00:00:00.200" });
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        var cookie = CookieHeader(browser);

        await Redis.StopAsync();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(gateway, $"/down/{i}", cookie)).Status);
            }
        }
        finally
        {
            await Redis.RestartAsync();
        }

        Assert.Equal(HttpStatusCode.OK, (await PollAsync(() => GetAsync(gateway, "/back", cookie), HttpStatusCode.OK, TimeSpan.FromSeconds(15))).Status);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await GetAsync(gateway, $"/back/{i}", cookie)).Status);
        }

        Assert.Equal(1, Count(gateway, FailureLogged));
        Assert.Equal(1, Count(gateway, RecoveryLogged));
    }

    [SkippableFact]
    public async Task RedisHung_AnonymousRouteAndHealthzWithASessionCookie_AnswerAtOnceWithoutAskingRedis()
    {
        // No management listener: health answers on the public listener (under the base path), where session cookies arrive.
        await using var gateway = await StartAsync(new() { ["Gateway:Session:CacheDuration"] = "00:00:00", ["Gateway:Management:Urls"] = null });
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        var cookie = CookieHeader(browser);

        await Redis.PauseAsync();
        try
        {
            var page = await GetAsync(gateway, "/public/page", cookie);
            var health = await GetAsync(gateway, "/oauth2/healthz", cookie);

            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal(HttpStatusCode.OK, health.Status);
            Assert.True(page.Elapsed < TimeSpan.FromMilliseconds(500), $"/public/page took {page.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(health.Elapsed < TimeSpan.FromMilliseconds(500), $"/oauth2/healthz took {health.Elapsed.TotalMilliseconds:0} ms");
            // Neither looked at the session: no identity for the anonymous route, and Redis was never asked.
            Assert.Empty(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/public/page"), "X-Forwarded-User"));
            Assert.Equal(0, Count(gateway, FailureLogged));

            // A route that forwards the user when there is one (Gateway.Unauthenticated: Allow) needs the session: 503, bounded.
            var open = await GetAsync(gateway, "/open/page", cookie);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, open.Status);
            Assert.True(open.Elapsed < TimeSpan.FromSeconds(2.5), $"/open/page took {open.Elapsed.TotalMilliseconds:0} ms");
        }
        finally
        {
            await Redis.ResumeAsync();
        }
    }

    [SkippableFact]
    public async Task GatewayProcess_RedisNotAnswering_StartsWithinTheOperationTimeout_StopsCleanlyOnSigterm()
    {
        RedisServer.SkipOrFailWhenMissing();
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        await using var gateway = GatewayProcess.Start(_fx.Cognito, ((IPEndPoint)blackHole.LocalEndpoint).Port, operationTimeout: "00:00:01");

        using var connected = await blackHole.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var sinceConnect = Stopwatch.StartNew();
        var url = await gateway.ListeningUrl.WaitAsync(TimeSpan.FromSeconds(30));
        sinceConnect.Stop();
        Assert.True(sinceConnect.Elapsed < TimeSpan.FromSeconds(3.5),
            $"listening {sinceConnect.Elapsed.TotalMilliseconds:0} ms after the first connection to Redis\n{gateway.Output}");

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var health = new HttpRequestMessage(HttpMethod.Get, url + "/oauth2/healthz");
        health.Headers.TryAddWithoutValidation("Cookie", "_gateway=" + new string('a', 43));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(health)).StatusCode);

        var exitCode = await gateway.TerminateAsync(TimeSpan.FromSeconds(15));
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{gateway.Output}");
        Assert.DoesNotContain("Unhandled exception", gateway.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task GatewayProcess_SigtermWhileStartingWithRedisNotAnswering_ExitsCleanly()
    {
        RedisServer.SkipOrFailWhenMissing();
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        // A long operation timeout: start-up is still waiting for Redis when SIGTERM arrives.
        await using var gateway = GatewayProcess.Start(_fx.Cognito, ((IPEndPoint)blackHole.LocalEndpoint).Port, operationTimeout: "00:00:10");

        using var connected = await blackHole.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var stopping = Stopwatch.StartNew();
        var exitCode = await gateway.TerminateAsync(TimeSpan.FromSeconds(30));
        stopping.Stop();

        Assert.True(exitCode == 0, $"exit code {exitCode}\n{gateway.Output}");
        Assert.DoesNotContain("Unhandled exception", gateway.Output, StringComparison.Ordinal);
        Assert.False(gateway.ListeningUrl.IsCompletedSuccessfully, "the gateway had finished starting: the test did not stop it while starting");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(12), $"stopping took {stopping.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>The built gateway (Gateway.dll beside the tests) as its own process, Redis store pointed at <c>127.0.0.1:PORT</c>.</summary>
    private sealed class GatewayProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private GatewayProcess(Process process)
        {
            _process = process;
        }

        public Task<string> ListeningUrl => _listening.Task;

        public string Output => string.Join('\n', _lines);

        public static GatewayProcess Start(FakeCognito cognito, int redisPort, string operationTimeout)
        {
            var psi = StartupConfig.GatewayProcess();
            psi.Environment["Gateway__Cognito__Authority"] = cognito.Authority;
            psi.Environment["Gateway__Cognito__ClientId"] = FakeCognito.ClientId;
            psi.Environment["Gateway__Session__Store"] = "Redis";
            psi.Environment["Gateway__Redis__Configuration"] = $"127.0.0.1:{redisPort}";
            psi.Environment["Gateway__Redis__OperationTimeout"] = operationTimeout;
            psi.Environment["ReverseProxy__Routes__app__ClusterId"] = "backend";
            psi.Environment["ReverseProxy__Routes__app__Match__Path"] = "{**catch-all}";
            psi.Environment["ReverseProxy__Clusters__backend__Destinations__d1__Address"] = "http://127.0.0.1:9";

            var gateway = new GatewayProcess(Process.Start(psi)!);
            gateway._process.OutputDataReceived += (_, e) => gateway.Add(e.Data);
            gateway._process.ErrorDataReceived += (_, e) => gateway.Add(e.Data);
            gateway._process.BeginOutputReadLine();
            gateway._process.BeginErrorReadLine();
            gateway._process.StandardInput.Close();
            return gateway;
        }

        private void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            _lines.Enqueue(line);
            const string marker = "Now listening on: ";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                _listening.TrySetResult(line[(at + marker.Length)..].Trim());
            }
        }

        /// <summary>Sends SIGTERM (what Docker and Kubernetes send) and waits for the exit code.</summary>
        public async Task<int> TerminateAsync(TimeSpan within)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(within);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The gateway did not stop within {within.TotalSeconds:0} s of SIGTERM\n{Output}");
            }

            return _process.ExitCode;
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
