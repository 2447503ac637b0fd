using System.Net;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>
/// Pools whose access tokens live 5 minutes to 1 day (Cognito's range), on a fake clock: fresh tokens cause no
/// refresh and no re-issued cookie, whatever the lifetime; the refresh comes once, at expiry minus the margin.
/// </summary>
public sealed class TokenLifetimeTests : GatewayTest<GatewayFixture>
{
    public TokenLifetimeTests(GatewayFixture fx)
        : base(fx)
    {
    }

    private async Task<(GatewayHost Host, FakeTimeProvider Clock, TestBrowser Browser, Navigation SignIn)> SignedInAsync(TimeSpan tokenLifetime)
    {
        Fx.Cognito.AccessTokenLifetime = tokenLifetime;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            // Long enough for a 1-day token to reach its refresh: neither the absolute lifetime nor idleness ends the session first.
            ["Gateway:Session:Lifetime"] = "3.00:00:00",
            ["Gateway:Session:IdleTimeout"] = "00:00:00",
        }, b => b.Services.AddSingleton<TimeProvider>(clock));
        var browser = new TestBrowser(host);
        var signIn = await browser.SignInAsync();
        return (host, clock, browser, signIn);
    }

    /// <summary>Requests one second apart: each must reach the backend without a refresh call or a Set-Cookie.</summary>
    private async Task AssertQuietAsync(TestBrowser browser, FakeTimeProvider clock, int count, string label, int expectedRefreshes)
    {
        for (var i = 0; i < count; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var hop = await browser.ApiGetAsync($"/{label}/{i}");
            Assert.Equal(HttpStatusCode.OK, hop.Status);
            Assert.True(hop.SetCookies.Count == 0, $"{label} request {i} got Set-Cookie: {string.Join(" | ", hop.SetCookies.Select(c => SetCookie.Parse(c).Name))}");
        }

        Assert.Equal(expectedRefreshes, Fx.Cognito.RefreshRequests.Count);
    }

    [Theory]
    [InlineData(5, 75)] // a quarter of the lifetime: less than the configured 5 minutes
    [InlineData(15, 225)] // still a quarter
    [InlineData(60, 300)] // Gateway:Session:RefreshMargin
    [InlineData(1440, 300)]
    public async Task FreshTokens_NoRefreshNoNewCookie_ThenOneRefreshAtExpiryMinusMargin(int lifetimeMinutes, int marginSeconds)
    {
        var lifetime = TimeSpan.FromMinutes(lifetimeMinutes);
        var margin = TimeSpan.FromSeconds(marginSeconds);
        var (host, clock, browser, signIn) = await SignedInAsync(lifetime);
        await using var _ = host;
        using var __ = browser;
        var issued = clock.GetUtcNow();

        // The landing request right after the callback keeps the cookie the callback set.
        Assert.Empty(signIn.Final.SetCookies);
        await AssertQuietAsync(browser, clock, 60, "first-minute", expectedRefreshes: 0);

        // Just before expiry minus margin: still nothing due.
        clock.Advance(issued + lifetime - margin - TimeSpan.FromSeconds(2) - clock.GetUtcNow());
        var early = await browser.ApiGetAsync("/just-before");
        Assert.Equal(HttpStatusCode.OK, early.Status);
        Assert.Empty(early.SetCookies);
        Assert.Empty(Fx.Cognito.RefreshRequests);

        // At expiry minus margin: exactly one refresh, and the renewed session comes back once.
        clock.Advance(TimeSpan.FromSeconds(3));
        var refreshed = await browser.ApiGetAsync("/due");
        var refreshedAt = clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Single(Fx.Cognito.RefreshRequests);
        Assert.Contains(refreshed.SetCookies, c => SetCookie.IsSessionCookieName(SetCookie.Parse(c).Name));

        // The refreshed tokens are fresh again: the browser, now sending the new cookie, gets no further refresh or cookie.
        await AssertQuietAsync(browser, clock, 60, "after-refresh", expectedRefreshes: 1);

        // And the next refresh comes at the refreshed token's own expiry minus margin.
        clock.Advance(refreshedAt + lifetime - margin + TimeSpan.FromSeconds(1) - clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/due-again")).Status);
        Assert.Equal(2, Fx.Cognito.RefreshRequests.Count);
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/due-again"), "X-Forwarded-Email").Single());
    }

    [Fact]
    public async Task FiveMinuteTokens_FastPathServesRepeatedRequests()
    {
        var (host, clock, browser, _) = await SignedInAsync(TimeSpan.FromMinutes(5));
        await using var _h = host;
        using var _b = browser;

        await AssertQuietAsync(browser, clock, 30, "fast", expectedRefreshes: 0);

        // Requests a second apart, a validated session remembered for CacheDuration (5 s): most skip the handlers
        // (read once: the Prometheus endpoint caches its answer for a moment).
        var (hits, misses) = await SessionCacheCountsAsync(host);
        Assert.True(hits >= 20, $"the validated-session fast path did not engage: {hits} hits, {misses} misses");
        Assert.True(misses >= 1, $"{misses} misses");
    }

    [Fact]
    public async Task FiveMinuteTokens_LateRequestsWithTheOldCookie_ReuseTheRefreshWithoutAnotherCall()
    {
        var (host, clock, browser, _) = await SignedInAsync(TimeSpan.FromMinutes(5));
        await using var _h = host;
        using var _b = browser;
        var oldCookie = browser.Cookies.GetCookieHeader(host.BaseUri);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/refreshes")).Status);
        Assert.Single(Fx.Cognito.RefreshRequests);

        // Requests that left the browser before it received the new cookie: served with the refresh already obtained,
        // and each answered with the new session (the browser may not have it yet), but no second token call.
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            using var request = new HttpRequestMessage(HttpMethod.Get, host.Url + $"/late/{i}");
            request.Headers.TryAddWithoutValidation("Cookie", oldCookie);
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(Fx.Cognito.RefreshRequests);

        // The browser itself presents the new cookie: nothing more is re-issued.
        await AssertQuietAsync(browser, clock, 20, "new-cookie", expectedRefreshes: 1);
    }

    [Fact]
    public async Task TokensThatAreDueAgainAtOnce_RememberedRefresh_IsNotReissuedOnEveryRequest()
    {
        // A provider announcing an absurd 2-second lifetime: the refreshed tokens are due again a second later, when the
        // token refresher still remembers its result (a minute). Applying those same tokens again must not mint a new cookie per request.
        Fx.Cognito.AnnouncedExpiresIn = TimeSpan.FromSeconds(2);
        var (host, clock, browser, _) = await SignedInAsync(TimeSpan.FromMinutes(5));
        await using var _h = host;
        using var _b = browser;

        var withCookie = 0;
        for (var i = 0; i < 30; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var hop = await browser.ApiGetAsync($"/short/{i}");
            Assert.Equal(HttpStatusCode.OK, hop.Status);
            withCookie += hop.SetCookies.Count > 0 ? 1 : 0;
        }

        Assert.Single(Fx.Cognito.RefreshRequests);
        Assert.Equal(1, withCookie);
    }

    private static async Task<(long Hits, long Misses)> SessionCacheCountsAsync(GatewayHost host)
    {
        using var client = new HttpClient();
        var body = await client.GetStringAsync(host.ManagementUrl + "/metrics");
        var counts = Regex.Matches(body, @"(?m)^gateway_session_cache_total\{[^}]*result=""(hit|miss)""[^}]*\} (\d+)")
            .ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        return (counts.GetValueOrDefault("hit"), counts.GetValueOrDefault("miss"));
    }
}
