using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class ForwardedHeadersTests : GatewayTest<GatewayFixture>
{
    public ForwardedHeadersTests(GatewayFixture fx)
        : base(fx)
    {
    }

    private static void LoadBalancerHeaders(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "public.example.com");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
    }

    private static async Task<string?> RedirectUriAsync(GatewayHost host, Action<HttpRequestMessage>? customize = null)
    {
        using var browser = new TestBrowser(host);
        var hop = await browser.NavigateOnceAsync("/behind-lb", customize);
        Assert.True(hop.Status == HttpStatusCode.Found, $"{hop}\n{hop.Body}\n{host.Logs.Dump()}");
        return TestBrowser.Query(hop.Location!).GetValueOrDefault("redirect_uri");
    }

    [Fact]
    public async Task RedirectUri_TrustedProxySendsForwardedHeaders_UsesPublicHttpsOrigin()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:TrustedProxies:0"] = "127.0.0.1" });

        Assert.Equal("https://public.example.com/oauth2/callback", await RedirectUriAsync(host, LoadBalancerHeaders));
    }

    [Fact]
    public async Task RedirectUri_TrustedProxyAsCidr_UsesPublicHttpsOrigin()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:TrustedProxies:0"] = "127.0.0.0/8" });

        Assert.Equal("https://public.example.com/oauth2/callback", await RedirectUriAsync(host, LoadBalancerHeaders));
    }

    [Fact]
    public async Task RedirectUri_ForwardedHeadersWithoutTrustedProxies_AreIgnored()
    {
        Assert.Equal(Fx.Gateway.CallbackUrl, await RedirectUriAsync(Fx.Gateway, LoadBalancerHeaders));
    }

    [Fact]
    public async Task RedirectUri_ForwardedHeadersFromUntrustedAddress_AreIgnored()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:TrustedProxies:0"] = "10.1.2.3" });

        Assert.Equal(host.CallbackUrl, await RedirectUriAsync(host, LoadBalancerHeaders));
    }

    [Fact]
    public async Task RedirectUri_PublicOriginConfigured_UsesIt()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:PublicOrigin"] = "https://gw.example.com" });

        Assert.Equal("https://gw.example.com/oauth2/callback", await RedirectUriAsync(host));
    }
}
