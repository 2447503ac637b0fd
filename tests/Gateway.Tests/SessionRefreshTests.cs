using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Gateway.Tests;

/// <summary>Refresh ahead of access-token expiry on one instance (cookie store), driven by a fake clock.</summary>
public sealed class SessionRefreshTests : GatewayTest<GatewayFixture>
{
    public SessionRefreshTests(GatewayFixture fx)
        : base(fx)
    {
    }

    private async Task<(GatewayHost Host, FakeTimeProvider Clock, TestBrowser Browser)> SignedInAsync(Dictionary<string, string?>? overrides = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = new Dictionary<string, string?>();
        foreach (var (k, v) in overrides ?? [])
        {
            config[k] = v;
        }

        var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, config, b => b.Services.AddSingleton<TimeProvider>(clock));
        var browser = new TestBrowser(host);
        await browser.SignInAsync();
        return (host, clock, browser);
    }

    [Fact]
    public async Task Session_WellBeforeExpiry_DoesNotRefresh()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;

        clock.Advance(TimeSpan.FromMinutes(50));

        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/early")).Status);
        Assert.Empty(Fx.Cognito.RefreshRequests);
    }

    [Fact]
    public async Task Session_WithinRefreshMargin_RefreshesOnceAndRequestSucceeds()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        var issued = Fx.Cognito.IssuedRefreshTokens.Single();

        clock.Advance(TimeSpan.FromMinutes(56));
        var hop = await browser.ApiGetAsync("/after-refresh");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var refresh = Assert.Single(Fx.Cognito.RefreshRequests);
        Assert.Equal(issued, FakeCognito.ParseForm(refresh)["refresh_token"]);
        Assert.Contains(hop.SetCookies, c => SetCookie.IsSessionCookieName(SetCookie.Parse(c).Name));
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/after-refresh"), "X-Forwarded-Email").Single());

        // The renewed session carries the new expiry: no second refresh 10 minutes later.
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/later")).Status);
        Assert.Single(Fx.Cognito.RefreshRequests);
    }

    [Fact]
    public async Task ForwardTokenRoute_AccessTokenDueForRefresh_BackendGetsTheRefreshedToken()
    {
        var (host, clock, browser) = await SignedInAsync(new()
        {
            ["ReverseProxy:Routes:fwd:ClusterId"] = "backend",
            ["ReverseProxy:Routes:fwd:Match:Path"] = "/fwd/{**rest}",
            ["ReverseProxy:Routes:fwd:Metadata:Gateway.ForwardToken"] = "Access",
        });
        await using var _ = host;
        using var __ = browser;

        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/fwd/before")).Status);
        var original = BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/fwd/before"), "Authorization").Single();

        clock.Advance(TimeSpan.FromMinutes(57));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/fwd/after")).Status);
        var forwarded = BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/fwd/after"), "Authorization").Single();

        Assert.StartsWith("Bearer ", original, StringComparison.Ordinal);
        Assert.StartsWith("Bearer ", forwarded, StringComparison.Ordinal);
        Assert.NotEqual(original, forwarded);
        Assert.Single(Fx.Cognito.RefreshRequests);
    }

    [Fact]
    public async Task Session_ParallelRequestsNeedingRefresh_CallTokenEndpointExactlyOnce()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;

        clock.Advance(TimeSpan.FromMinutes(58));
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => browser.ApiGetAsync($"/parallel/{i}")));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(Fx.Cognito.RefreshRequests);
    }

    [Fact]
    public async Task Refresh_WithoutRotation_KeepsUsingTheOriginalRefreshToken()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        var issued = Fx.Cognito.IssuedRefreshTokens.Single();

        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/first")).Status);
        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/second")).Status);

        var presented = Fx.Cognito.RefreshRequests.Select(r => FakeCognito.ParseForm(r)["refresh_token"]).ToArray();
        Assert.Equal([issued, issued], presented);
    }

    [Fact]
    public async Task Refresh_WithRotation_UsesTheNewRefreshTokenNextTime()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        Fx.Cognito.RotateRefreshTokens = true;
        var issued = Fx.Cognito.IssuedRefreshTokens.Single();

        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/first")).Status);
        var rotated = Fx.Cognito.IssuedRefreshTokens.Last();
        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/second")).Status);

        var presented = Fx.Cognito.RefreshRequests.Select(r => FakeCognito.ParseForm(r)["refresh_token"]).ToArray();
        Assert.NotEqual(issued, rotated);
        Assert.Equal([issued, rotated], presented);
    }

    [Fact]
    public async Task Refresh_InvalidGrantWhileAccessTokenValid_KeepsServingUntilItExpires()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        Fx.Cognito.RejectedRefreshTokens.Add(Fx.Cognito.IssuedRefreshTokens.Single());

        // invalid_grant may only mean another instance rotated the token first: no sign-out while the access token is valid.
        clock.Advance(TimeSpan.FromMinutes(56));
        var refused = await browser.ApiGetAsync("/refused-but-valid");
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.DoesNotContain(refused.SetCookies, c => SetCookie.Parse(c).IsDeletion);
        clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/still-valid")).Status);

        // At the access token's expiry the refused session ends.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/expired")).Status);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/expired");
    }

    [Fact]
    public async Task Refresh_InvalidGrantAfterAccessTokenExpiry_EndsSession_ApiGets401AndBrowserIsSentToSignIn()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        Fx.Cognito.RejectedRefreshTokens.Add(Fx.Cognito.IssuedRefreshTokens.Single());

        clock.Advance(TimeSpan.FromMinutes(61));
        var api = await browser.ApiGetAsync("/revoked");

        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
        Assert.Contains(api.SetCookies, c => SetCookie.Parse(c) is { } sc && sc.Name == "_gateway" && sc.IsDeletion);
        var page = await browser.NavigateOnceAsync("/revoked-page");
        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, page.Location!.ToString());
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path is "/revoked" or "/revoked-page");
    }

    [Fact]
    public async Task Refresh_InvalidClient_IsTheGatewaysProblem_SessionIsKept()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        Fx.Cognito.TokenResponder = _ => FakeCognito.Json(400, new { error = "invalid_client" });

        clock.Advance(TimeSpan.FromMinutes(56));
        var hop = await browser.ApiGetAsync("/misconfigured");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.DoesNotContain(hop.SetCookies, c => SetCookie.Parse(c).IsDeletion);
        Fx.Cognito.TokenResponder = null;
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/fixed")).Status);
        Assert.Equal(2, Fx.Cognito.RefreshRequests.Count);
    }

    [Fact]
    public async Task Refresh_TokenEndpoint5xxWhileAccessTokenValid_RequestGoesOnAndNextRequestRetries()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        Fx.Cognito.TokenResponder = _ => FakeCognito.Json(500, new { error = "internal" });

        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/still-valid-1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/still-valid-2")).Status);

        Assert.Equal(2, Fx.Cognito.RefreshRequests.Count);
    }

    [Fact]
    public async Task Refresh_TokenEndpointDownAfterExpiry_Answers503AndSessionSurvives()
    {
        var (host, clock, browser) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        Fx.Cognito.TokenResponder = _ => FakeCognito.Json(503, new { error = "unavailable" });

        clock.Advance(TimeSpan.FromMinutes(61));
        var down = await browser.ApiGetAsync("/expired-token");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.DoesNotContain(down.SetCookies, c => SetCookie.Parse(c).IsDeletion);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/expired-token");

        Fx.Cognito.TokenResponder = null;
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/recovered")).Status);
    }

    [Fact]
    public async Task Refresh_TokenEndpointTimesOutAfterExpiry_Answers503ThenRecovers()
    {
        var (host, clock, browser) = await SignedInAsync(new() { ["Gateway:BackchannelTimeout"] = "00:00:03" });
        await using var _ = host;
        using var __ = browser;
        var slow = Guid.NewGuid();
        Fx.Cognito.Server.Given(Request.Create().WithPath("/oauth2/token").UsingPost())
            .WithGuid(slow)
            .AtPriority(-10)
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(8)).WithBody("{}"));

        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.ApiGetAsync("/slow")).Status);

        Fx.Cognito.Server.DeleteMapping(slow);
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/after-timeout")).Status);
    }

    [Fact]
    public async Task Session_IdleLongerThanIdleTimeout_Ends()
    {
        var (host, clock, browser) = await SignedInAsync(new() { ["Gateway:Session:IdleTimeout"] = "00:30:00", ["Gateway:Session:Lifetime"] = "08:00:00" });
        await using var _ = host;
        using var __ = browser;

        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/active")).Status);
        clock.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/idle")).Status);
    }

    [Fact]
    public async Task Session_ActiveBeyondAbsoluteLifetime_EndsEvenWithRefreshes()
    {
        var (host, clock, browser) = await SignedInAsync(new() { ["Gateway:Session:IdleTimeout"] = "00:50:00", ["Gateway:Session:Lifetime"] = "02:00:00" });
        await using var _ = host;
        using var __ = browser;

        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(28));
            Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync($"/active/{i}")).Status);
        }

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/too-old")).Status);
    }
}
