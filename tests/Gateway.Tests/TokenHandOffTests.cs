using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>Tokens for backends that need them: forward-auth hands the access token to a trusted proxy; <c>Gateway.ForwardToken: Id</c>.</summary>
public sealed class TokenHandOffTests : GatewayTest<GatewayFixture>
{
    public TokenHandOffTests(GatewayFixture fx)
        : base(fx)
    {
    }

    private async Task<(GatewayHost Host, FakeTimeProvider Clock, TestBrowser Browser)> SignedInAsync(Dictionary<string, string?> config)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, config, b => b.Services.AddSingleton<TimeProvider>(clock));
        var browser = new TestBrowser(host);
        await browser.SignInAsync();
        return (host, clock, browser);
    }

    /// <summary>A forward-auth check for <paramref name="originalUri"/>, as nginx sends it (the test runs on 127.0.0.1).</summary>
    private static Task<Hop> CheckAsync(TestBrowser browser, string originalUri, string query = "") =>
        browser.ApiGetAsync("/oauth2/auth" + query, r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-Uri", originalUri);
            r.Headers.TryAddWithoutValidation("X-Forwarded-Method", "GET");
        });

    private static string? Header(Hop hop, string name) =>
        hop.Response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static string TokenUse(string jwt) => JwksVerifier.Decode(jwt).Payload.GetProperty("token_use").GetString()!;

    /// <summary>
    /// Proxy mode behind a trusted load balancer (TrustedProxies set for correct scheme and host): every browser request
    /// arrives from the trusted address, so a script on the app's origin can call /oauth2/auth itself, through the load
    /// balancer, with the session cookie. Without the deployment's explicit Gateway:ForwardAuth:HandOffTokens, no token.
    /// </summary>
    [Fact]
    public async Task ForwardAuth_ScriptThroughTrustedLoadBalancer_WithoutHandOffSetting_GetsNoToken()
    {
        var (host, _, browser) = await SignedInAsync(new()
        {
            ["Gateway:TrustedProxies:0"] = "127.0.0.1",
            ["ReverseProxy:Routes:fwd:ClusterId"] = "backend",
            ["ReverseProxy:Routes:fwd:Match:Path"] = "/fwd/{**rest}",
            ["ReverseProxy:Routes:fwd:Metadata:Gateway.ForwardToken"] = "Access",
        });
        await using var _ = host;
        using var __ = browser;

        var byQuery = await browser.ApiGetAsync("/oauth2/auth?pass_access_token=true&set_authorization_header=true",
            r => r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin"));
        var byRoute = await CheckAsync(browser, "/fwd/orders");

        foreach (var hop in new[] { byQuery, byRoute })
        {
            Assert.Equal(HttpStatusCode.Accepted, hop.Status);
            Assert.Null(Header(hop, "X-Auth-Request-Access-Token"));
            Assert.Null(Header(hop, "Authorization"));
        }
    }

    [Fact]
    public async Task ForwardAuth_RouteForwardingTheToken_TrustedProxyGetsTheAccessToken_RefreshedAheadOfExpiry()
    {
        var (host, clock, browser) = await SignedInAsync(new()
        {
            ["Gateway:TrustedProxies:0"] = "127.0.0.1",
            ["Gateway:ForwardAuth:HandOffTokens"] = "true",
            ["ReverseProxy:Routes:fwd:ClusterId"] = "backend",
            ["ReverseProxy:Routes:fwd:Match:Path"] = "/fwd/{**rest}",
            ["ReverseProxy:Routes:fwd:Metadata:Gateway.ForwardToken"] = "Access",
        });
        await using var _ = host;
        using var __ = browser;

        var before = await CheckAsync(browser, "/fwd/orders");
        var plain = await CheckAsync(browser, "/other/page");

        Assert.True(before.Status == HttpStatusCode.Accepted, $"{before}\n{host.Logs.Dump()}");
        var token = Header(before, "X-Auth-Request-Access-Token")!;
        Assert.Equal("access", TokenUse(token));
        Assert.Equal("Bearer " + token, Header(before, "Authorization"));
        Assert.Equal(HttpStatusCode.Accepted, plain.Status);
        Assert.Null(Header(plain, "X-Auth-Request-Access-Token"));
        Assert.Null(Header(plain, "Authorization"));

        // Three minutes before the hour-long token expires: the check answers with a refreshed one, as proxy mode would send.
        clock.Advance(TimeSpan.FromMinutes(57));
        var after = await CheckAsync(browser, "/fwd/orders");

        Assert.Equal(HttpStatusCode.Accepted, after.Status);
        var refreshed = Header(after, "X-Auth-Request-Access-Token")!;
        Assert.NotEqual(token, refreshed);
        Assert.Equal("access", TokenUse(refreshed));
        Assert.Single(Fx.Cognito.RefreshRequests);
    }

    [Fact]
    public async Task ForwardAuth_QueryParameters_HandTheTokenOutToTrustedProxiesOnly()
    {
        var (host, _, browser) = await SignedInAsync(new() { ["Gateway:TrustedProxies:0"] = "127.0.0.1", ["Gateway:ForwardAuth:HandOffTokens"] = "true" });
        await using var __ = host;
        using var ___ = browser;

        var tokenOnly = await CheckAsync(browser, "/page", "?pass_access_token=true");
        var both = await CheckAsync(browser, "/page", "?pass_access_token=true&set_authorization_header=true");

        Assert.True(tokenOnly.Status == HttpStatusCode.Accepted, $"{tokenOnly}\n{host.Logs.Dump()}");
        Assert.Equal("access", TokenUse(Header(tokenOnly, "X-Auth-Request-Access-Token")!));
        Assert.Null(Header(tokenOnly, "Authorization"));
        Assert.Equal("Bearer " + Header(both, "X-Auth-Request-Access-Token"), Header(both, "Authorization"));

        // The class's gateway trusts no proxy: a script holding the session cookie cannot read the token this way.
        await Browser.SignInAsync();
        var untrusted = await Browser.ApiGetAsync("/oauth2/auth?pass_access_token=true&set_authorization_header=true");
        Assert.Equal(HttpStatusCode.Accepted, untrusted.Status);
        Assert.Null(Header(untrusted, "X-Auth-Request-Access-Token"));
        Assert.Null(Header(untrusted, "Authorization"));
    }

    [Fact]
    public async Task ForwardTokenId_BackendGetsTheSessionsIdToken_RefreshedWithTheSession()
    {
        var (host, clock, browser) = await SignedInAsync(new()
        {
            ["ReverseProxy:Routes:idt:ClusterId"] = "backend",
            ["ReverseProxy:Routes:idt:Match:Path"] = "/idt/{**rest}",
            ["ReverseProxy:Routes:idt:Metadata:Gateway.ForwardToken"] = "Id",
        });
        await using var _ = host;
        using var __ = browser;

        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/idt/before", r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer forged"))).Status);
        var original = BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/idt/before"), "Authorization").Single();
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/plain")).Status);
        Assert.Empty(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/plain"), "Authorization"));

        clock.Advance(TimeSpan.FromMinutes(57));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/idt/after")).Status);
        var refreshed = BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/idt/after"), "Authorization").Single();

        Assert.StartsWith("Bearer ", original, StringComparison.Ordinal);
        var idToken = JwksVerifier.Decode(original["Bearer ".Length..]).Payload;
        Assert.Equal("id", idToken.GetProperty("token_use").GetString());
        Assert.Equal(FakeCognito.ClientId, idToken.GetProperty("aud").GetString());
        Assert.Equal(TestUser.Default.Sub, idToken.GetProperty("sub").GetString());
        Assert.NotEqual(original, refreshed);
        Assert.Equal("id", TokenUse(refreshed["Bearer ".Length..]));
        Assert.Single(Fx.Cognito.RefreshRequests);
    }
}
