using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>Requests with a copied session cookie, sent the way a thief (or a stale tab) would: no cookie jar.</summary>
internal static class CopiedCookie
{
    public static string Of(TestBrowser browser) =>
        string.Join("; ", browser.GatewayCookies().Where(c => SetCookie.IsSessionCookieName(c.Name)).Select(c => $"{c.Name}={c.Value}"));

    /// <summary>An API call (JSON, no redirect) with exactly this Cookie header.</summary>
    public static async Task<HttpStatusCode> ApiGetAsync(GatewayHost host, string cookie, string path)
    {
        using var response = await SendAsync(host, cookie, path, navigation: false);
        return response.StatusCode;
    }

    public static async Task<HttpResponseMessage> SendAsync(GatewayHost host, string cookie, string path, bool navigation)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        var request = new HttpRequestMessage(HttpMethod.Get, host.Url + path);
        request.Headers.TryAddWithoutValidation("Cookie", cookie);
        if (navigation)
        {
            TestBrowser.AddNavigationHeaders(request);
        }
        else
        {
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "cors");
        }

        return await client.SendAsync(request);
    }

    /// <summary>Signs out with exactly this Cookie header (POST from the gateway's own origin).</summary>
    public static async Task<HttpStatusCode> SignOutAsync(GatewayHost host, string cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + "/oauth2/sign_out");
        request.Headers.TryAddWithoutValidation("Cookie", cookie);
        request.Headers.TryAddWithoutValidation("Origin", host.Url);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        request.Content = new FormUrlEncodedContent([]);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Asks until the answer is <paramref name="wanted"/> or the deadline passes; returns the last answer.</summary>
    public static async Task<HttpStatusCode> PollAsync(Func<Task<HttpStatusCode>> probe, HttpStatusCode wanted, TimeSpan within)
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
}

/// <summary>
/// Cookie store (the default): a copy of the session cookie taken before sign-out, or before the provider refused the
/// session's refresh token, is refused afterwards: on the instance that saw it, on instances sharing the keys directory,
/// and after a restart.
/// </summary>
public sealed class SessionRevocationTests : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly GatewayFixture _fx;
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("gateway-revocation-keys-");

    public SessionRevocationTests(GatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
    }

    public void Dispose() => _keys.Delete(recursive: true);

    private Task<GatewayHost> StartWithSharedKeysAsync() =>
        GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, new Dictionary<string, string?> { ["Gateway:DataProtection:KeysPath"] = _keys.FullName });

    [Fact]
    public async Task SignOut_ReplayedCopyOfTheCookie_ApiGets401_BrowserIsSentToSignIn()
    {
        using var browser = _fx.NewBrowser();
        await browser.SignInAsync();
        var copy = CopiedCookie.Of(browser);
        Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(_fx.Gateway, copy, "/before-sign-out"));
        Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(_fx.Gateway, copy, "/before-sign-out-cached"));

        Assert.Equal(HttpStatusCode.Found, await CopiedCookie.SignOutAsync(_fx.Gateway, copy));

        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(_fx.Gateway, copy, "/replayed-api"));
        using var page = await CopiedCookie.SendAsync(_fx.Gateway, copy, "/replayed-page", navigation: true);
        Assert.Equal(HttpStatusCode.Found, page.StatusCode);
        Assert.StartsWith(_fx.Cognito.AuthorizationEndpoint, page.Headers.Location!.ToString());
        Assert.Contains(page.Headers.GetValues("Set-Cookie"), c => SetCookie.Parse(c) is { Name: "_gateway" } sc && sc.IsDeletion);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path is "/replayed-api" or "/replayed-page");
        Assert.Contains(_fx.Gateway.Logs.Lines, l => l.Contains("was presented again and refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignOutWithAnOlderCopy_AlsoEndsTheRenewedCookie_EvenWhileItsValidationIsCached()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();
        var older = CopiedCookie.Of(browser);

        // A refresh re-issues the cookie: a new value of the same session, validated and cached by this instance.
        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/refreshed")).Status);
        var renewed = CopiedCookie.Of(browser);
        Assert.NotEqual(older, renewed);
        Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(host, renewed, "/renewed"));
        Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(host, renewed, "/renewed-cached"));

        // Sign-out with the older copy drops only that cookie's cache entry, yet the session is over for every copy.
        Assert.Equal(HttpStatusCode.Found, await CopiedCookie.SignOutAsync(host, older));

        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(host, renewed, "/renewed-after-sign-out"));
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/renewed-after-sign-out");
    }

    [Fact]
    public async Task RefreshTokenRefused_LearnedThroughAnOldCopy_EndsTheFresherCopyAtOnce()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();
        var old = CopiedCookie.Of(browser);

        // The browser's session refreshes (no rotation: same refresh token); its access token is now good for another hour.
        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/refreshed")).Status);
        var fresher = CopiedCookie.Of(browser);
        Assert.NotEqual(old, fresher);

        // The refresh token is revoked at the provider (an administrator's global sign-out). The old copy, whose access
        // token has expired, tries to refresh and is refused: the gateway now knows the session is dead.
        _fx.Cognito.RejectedRefreshTokens.Add(_fx.Cognito.IssuedRefreshTokens.Single());
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(host, old, "/old-copy"));

        // So is the fresher copy, although nothing about it is due for almost an hour, and even if the provider were to
        // accept the token again.
        _fx.Cognito.RejectedRefreshTokens.Clear();
        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(host, fresher, "/fresher-copy"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/browser")).Status);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path is "/old-copy" or "/fresher-copy" or "/browser");
    }

    [Fact]
    public async Task TwoInstancesSharingTheKeysDirectory_SignOutOnA_ReplayOnBIsRefused()
    {
        await using var a = await StartWithSharedKeysAsync();
        await using var b = await StartWithSharedKeysAsync();
        using var browser = new TestBrowser(a);
        await browser.SignInAsync();
        var copy = CopiedCookie.Of(browser);
        Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(b, copy, "/on-b"));
        Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(b, copy, "/on-b-cached"));

        Assert.Equal(HttpStatusCode.Found, await CopiedCookie.SignOutAsync(a, copy));

        // B reads the shared list every second; its cached validation is checked against the list on every request.
        Assert.Equal(HttpStatusCode.Unauthorized,
            await CopiedCookie.PollAsync(() => CopiedCookie.ApiGetAsync(b, copy, "/on-b-after-sign-out"), HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5)));
        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(a, copy, "/on-a-after-sign-out"));
    }

    [Fact]
    public async Task Restart_WithTheSameKeysDirectory_ReplayStillRefused_OtherSessionsStillWork()
    {
        string signedOut;
        string other;
        await using (var a = await StartWithSharedKeysAsync())
        {
            using var browser = new TestBrowser(a);
            await browser.SignInAsync();
            signedOut = CopiedCookie.Of(browser);
            using var otherBrowser = new TestBrowser(a);
            await otherBrowser.SignInAsync();
            other = CopiedCookie.Of(otherBrowser);
            Assert.Equal(HttpStatusCode.Found, await CopiedCookie.SignOutAsync(a, signedOut));
        }

        await using var restarted = await StartWithSharedKeysAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(restarted, signedOut, "/after-restart"));
        Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(restarted, other, "/other-after-restart"));
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/after-restart");
    }
}

/// <summary>Cookie store with Redis configured: the revocation list is shared through Redis (pub/sub and a sorted set).</summary>
public sealed class RedisSessionRevocationTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _fx;
    private readonly string _prefix = "r" + Guid.NewGuid().ToString("N")[..8] + ":";

    public RedisSessionRevocationTests(RedisFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
    }

    private Task<GatewayHost> StartAsync()
    {
        RedisServer.SkipOrFailWhenMissing();
        return GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Session:Store"] = "Cookie",
            ["Gateway:Redis:Configuration"] = _fx.Redis!.Configuration,
            ["Gateway:Redis:KeyPrefix"] = _prefix,
        });
    }

    [SkippableFact]
    public async Task TwoInstances_SignOutOnA_ReplayOnBIsRefused_AndAfterARestartOfBoth()
    {
        string copy;
        await using (var a = await StartAsync())
        await using (var b = await StartAsync())
        {
            using var browser = new TestBrowser(a);
            await browser.SignInAsync();
            copy = CopiedCookie.Of(browser);
            Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(b, copy, "/on-b"));
            Assert.Equal(HttpStatusCode.OK, await CopiedCookie.ApiGetAsync(b, copy, "/on-b-cached"));

            Assert.Equal(HttpStatusCode.Found, await CopiedCookie.SignOutAsync(a, copy));

            // Pub/sub tells B at once; the bound is generous only for a loaded machine.
            Assert.Equal(HttpStatusCode.Unauthorized,
                await CopiedCookie.PollAsync(() => CopiedCookie.ApiGetAsync(b, copy, "/on-b-after-sign-out"), HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(5)));
        }

        await using var restarted = await StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(restarted, copy, "/after-restart"));
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/after-restart");
    }

    [SkippableFact]
    public async Task InstanceStartedAfterTheSignOut_RefusesTheCopyAtOnce()
    {
        await using var a = await StartAsync();
        using var browser = new TestBrowser(a);
        await browser.SignInAsync();
        var copy = CopiedCookie.Of(browser);
        Assert.Equal(HttpStatusCode.Found, await CopiedCookie.SignOutAsync(a, copy));

        await using var late = await StartAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await CopiedCookie.ApiGetAsync(late, copy, "/late"));
    }

    [SkippableFact]
    public async Task RedisDownAtSignOut_Answers503SoTheUserRetries_ThisInstanceRefusesTheCopy_TheFailureIsLogged()
    {
        await using var a = await StartAsync();
        using var browser = new TestBrowser(a);
        await browser.SignInAsync();
        var copy = CopiedCookie.Of(browser);

        await _fx.Redis!.StopAsync();
        HttpStatusCode signOut;
        HttpStatusCode replay;
        try
        {
            signOut = await CopiedCookie.SignOutAsync(a, copy);
            replay = await CopiedCookie.ApiGetAsync(a, copy, "/replay-while-redis-down");
        }
        finally
        {
            await _fx.Redis.RestartAsync();
        }

        // The revocation could not be shared: the sign-out is not confirmed (503, "try again", as for the Redis store),
        // but this instance already refuses the copy.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, signOut);
        Assert.Equal(HttpStatusCode.Unauthorized, replay);
        Assert.Contains(a.Logs.Lines, l => l.Contains("Could not record a signed-out session in Redis", StringComparison.Ordinal));

        // Once Redis is back, the revocation this instance kept is recorded after all: another instance refuses the copy.
        await using var b = await StartAsync();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        var onB = await CopiedCookie.ApiGetAsync(b, copy, "/replay-on-b");
        while (onB != HttpStatusCode.Unauthorized && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
            onB = await CopiedCookie.ApiGetAsync(b, copy, "/replay-on-b");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, onB);
    }
}
