using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

public sealed class RedisFixture : IAsyncLifetime
{
    public FakeCognito Cognito { get; private set; } = null!;

    public BackendStub Backend { get; private set; } = null!;

    public RedisServer? Redis { get; private set; }

    public async Task InitializeAsync()
    {
        Cognito = new FakeCognito();
        Backend = BackendStub.Start();
        if (File.Exists("/usr/bin/redis-server") || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Redis = await RedisServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        Backend.Dispose();
        Cognito.Dispose();
    }
}

/// <summary>Server-side sessions and several instances on a real redis-server.</summary>
public sealed class RedisSessionTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _fx;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";

    public RedisSessionTests(RedisFixture fx)
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

    private Task<GatewayHost> StartAsync(string store = "Redis", Dictionary<string, string?>? extra = null, TimeProvider? clock = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Session:Store"] = store,
            ["Gateway:Redis:Configuration"] = Redis.Configuration,
            ["Gateway:Redis:KeyPrefix"] = _prefix,
        };
        foreach (var (k, v) in extra ?? [])
        {
            config[k] = v;
        }

        return GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config, clock is null ? null : b => b.Services.AddSingleton(clock));
    }

    private static async Task<HttpStatusCode> GetWithCookieAsync(GatewayHost host, string cookieHeader, string path)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url + path);
        request.Headers.TryAddWithoutValidation("Cookie", cookieHeader);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static string CookieHeader(TestBrowser browser) =>
        string.Join("; ", browser.GatewayCookies().Select(c => $"{c.Name}={c.Value}"));

    private static async Task<HttpStatusCode> PollAsync(Func<Task<HttpStatusCode>> probe, HttpStatusCode wanted, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        HttpStatusCode last;
        do
        {
            last = await probe();
            if (last == wanted)
            {
                return last;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        return last;
    }

    [SkippableFact]
    public async Task RedisStore_SignIn_CookieIsAnOpaqueHandleUnder200Bytes()
    {
        await using var gateway = await StartAsync();
        using var browser = new TestBrowser(gateway);

        await browser.SignInAsync("/handle");

        var cookie = Assert.Single(browser.GatewayCookies());
        Assert.Equal("_gateway", cookie.Name);
        Assert.True(cookie.Value.Length < 200, $"cookie is {cookie.Value.Length} bytes");
        Assert.DoesNotContain(".", cookie.Value, StringComparison.Ordinal);
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/handle"), "X-Forwarded-Email").Single());
    }

    [SkippableFact]
    public async Task RedisStore_UserWith60GroupsAndLongAttributes_CookieStaysAHandle()
    {
        await using var gateway = await StartAsync();
        using var browser = new TestBrowser(gateway);
        _fx.Cognito.User = TestUser.Default with { Groups = Enumerable.Range(1, 60).Select(i => $"department-{i:000}-readers-eu-west").ToArray() };
        _fx.Cognito.CustomizeIdToken = (token, _) => token.Claims["custom:biography"] = new string('b', 2048);

        await browser.SignInAsync("/large-redis");

        var cookie = Assert.Single(browser.GatewayCookies());
        Assert.True(cookie.Value.Length < 200, $"cookie is {cookie.Value.Length} bytes");
        Assert.Equal(60, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/large-redis"), "X-Forwarded-Groups").Single().Split(',').Length);
    }

    [SkippableFact]
    public async Task RedisStore_LiveHandlePlantedInVictimBrowser_SignInNeverHandsTheVictimsSessionToTheAttacker()
    {
        await using var gateway = await StartAsync();
        using var attacker = new TestBrowser(gateway);
        await attacker.SignInAsync("/attacker");
        var planted = Assert.Single(attacker.GatewayCookies()).Value;

        // The victim's browser carries the attacker's live handle (set by a sibling subdomain or a backend script),
        // and the victim follows a sign-in link. ASP.NET Core's cookie handler would store the new session under the
        // handle it finds in the request: the attacker's browser would then hold the victim's session.
        _fx.Cognito.User = TestUser.NoGroups;
        using var victim = new TestBrowser(gateway);
        victim.Cookies.Add(gateway.BaseUri, new Cookie("_gateway", planted, "/"));
        var nav = await victim.NavigateAsync("/oauth2/sign_in?rd=%2Fvictim");

        Assert.Equal("/victim", nav.FinalUrl.AbsolutePath);
        Assert.NotEqual(planted, Assert.Single(victim.GatewayCookies()).Value);
        Assert.Equal(TestUser.NoGroups.Sub, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/victim"), "X-Forwarded-User").Single());
        await GetWithCookieAsync(gateway, "_gateway=" + planted, "/attacker-again");
        Assert.Equal(TestUser.Default.Sub, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/attacker-again"), "X-Forwarded-User").Single());
    }

    [SkippableFact]
    public async Task RedisStore_SignOut_DeletesServerSession_ReplayedCookieIsRefused()
    {
        await using var gateway = await StartAsync();
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        var stolen = CookieHeader(browser);
        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(gateway, stolen, "/before"));

        await browser.SignOutAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await GetWithCookieAsync(gateway, stolen, "/replayed"));
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/replayed");
    }

    [SkippableFact]
    public async Task TwoInstances_SignInOnA_BrowseOnB_SignOutOnB_ARefusesTheOldCookieAtOnce()
    {
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        using var browser = new TestBrowser(a);
        await browser.SignInAsync("/on-a");
        var cookie = CookieHeader(browser);

        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(b, cookie, "/on-b"));
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/on-b"), "X-Forwarded-Email").Single());
        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(a, cookie, "/on-a-again"));

        using var signOut = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, b.Url + "/oauth2/sign_out");
        request.Headers.TryAddWithoutValidation("Cookie", cookie);
        request.Headers.TryAddWithoutValidation("Origin", b.Url);
        Assert.Equal(HttpStatusCode.Found, (await signOut.SendAsync(request)).StatusCode);

        // Pub/sub drops A's cached copy; the documented bound without it is Gateway:Session:CacheDuration (5 s).
        Assert.Equal(HttpStatusCode.Unauthorized, await PollAsync(() => GetWithCookieAsync(a, cookie, "/after-sign-out"), HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5)));
    }

    [SkippableFact]
    public async Task TwoInstances_BothRestarted_SessionStillWorks()
    {
        string cookie;
        await using (var a = await StartAsync())
        {
            using var browser = new TestBrowser(a);
            await browser.SignInAsync();
            cookie = CookieHeader(browser);
        }

        await using var a2 = await StartAsync();
        await using var b2 = await StartAsync();

        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(a2, cookie, "/after-restart-a"));
        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(b2, cookie, "/after-restart-b"));
    }

    [SkippableFact]
    public async Task CookieStore_KeysSharedInRedis_CookieMadeByAWorksOnBAndAfterRestart()
    {
        string cookie;
        await using (var a = await StartAsync(store: "Cookie"))
        {
            using var browser = new TestBrowser(a);
            await browser.SignInAsync();
            cookie = CookieHeader(browser);
            Assert.True(cookie.Length > 200, "the cookie store keeps the session in the cookie itself");
        }

        await using var b = await StartAsync(store: "Cookie");
        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(b, cookie, "/cookie-on-b"));
    }

    [SkippableFact]
    public async Task RedisDown_SessionRequestsGet503_AnonymousRoutesWork_ReadinessReports_RecoversWhenBack()
    {
        await using var gateway = await StartAsync(extra: new() { ["Gateway:Session:CacheDuration"] = "00:00:00" });
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        var cookie = CookieHeader(browser);

        await Redis.StopAsync();
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetWithCookieAsync(gateway, cookie, "/needs-session"));
            Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(gateway, cookie, "/public/page"));
            using var probe = new HttpClient();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync(gateway.ManagementUrl + "/readyz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync(gateway.ManagementUrl + "/healthz")).StatusCode);
        }
        finally
        {
            await Redis.RestartAsync();
        }

        Assert.Equal(HttpStatusCode.OK, await PollAsync(() => GetWithCookieAsync(gateway, cookie, "/recovered"), HttpStatusCode.OK, TimeSpan.FromSeconds(15)));
        using var ready = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, await PollAsync(async () => (await ready.GetAsync(gateway.ManagementUrl + "/readyz")).StatusCode, HttpStatusCode.OK, TimeSpan.FromSeconds(15)));
    }

    [SkippableFact]
    public async Task TwoInstances_ParallelRequestsNeedingRefresh_CallTokenEndpointExactlyOnce()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await StartAsync(clock: clock);
        await using var b = await StartAsync(clock: clock);
        using var browser = new TestBrowser(a);
        await browser.SignInAsync();
        var cookie = CookieHeader(browser);

        clock.Advance(TimeSpan.FromMinutes(58));
        var results = await Task.WhenAll(Enumerable.Range(0, 24)
            .Select(i => GetWithCookieAsync(i % 2 == 0 ? a : b, cookie, $"/parallel/{i}")));

        Assert.All(results, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Single(_fx.Cognito.RefreshRequests);
    }

    [SkippableFact]
    public async Task FiveMinuteTokens_TwoInstances_NoRefreshOrNewCookieWhileFresh_ThenOneRefresh()
    {
        _fx.Cognito.AccessTokenLifetime = TimeSpan.FromMinutes(5);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await StartAsync(clock: clock);
        await using var b = await StartAsync(clock: clock);
        using var browserOnA = new TestBrowser(a);
        await browserOnA.SignInAsync();
        using var browserOnB = new TestBrowser(b);
        browserOnB.Cookies.Add(browserOnA.Cookies.GetCookies(a.BaseUri));

        for (var i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var hop = await (i % 2 == 0 ? browserOnA : browserOnB).ApiGetAsync($"/fresh/{i}");
            Assert.Equal(HttpStatusCode.OK, hop.Status);
            Assert.Empty(hop.SetCookies);
        }

        Assert.Empty(_fx.Cognito.RefreshRequests);

        // 3¾ minutes after sign-in (a quarter of the lifetime before expiry): one refresh, shared by both instances.
        clock.Advance(TimeSpan.FromSeconds(225 - 60 + 1));
        Assert.Equal(HttpStatusCode.OK, (await browserOnA.ApiGetAsync("/due-on-a")).Status);
        for (var i = 0; i < 20; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var hop = await browserOnB.ApiGetAsync($"/after/{i}");
            Assert.Equal(HttpStatusCode.OK, hop.Status);
            Assert.Empty(hop.SetCookies);
        }

        Assert.Single(_fx.Cognito.RefreshRequests);
    }
}
