using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// Which Host the backend receives: the destination's own (YARP's default), or the one the client asked for
/// (Gateway:KeepOriginalHost, a cluster's Gateway.KeepOriginalHost metadata, a route's RequestHeaderOriginalHost transform).
/// </summary>
public sealed class OriginalHostTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _fx;

    public OriginalHostTests(GatewayFixture fx)
    {
        _fx = fx;
        fx.ResetStubs();
    }

    /// <summary>Routes /kept/* to a cluster with metadata <paramref name="keptCluster"/>, everything else (anonymous) to the default one.</summary>
    private Task<GatewayHost> StartAsync(string? global, string? keptCluster, string? routeTransform = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["Gateway:KeepOriginalHost"] = global,
            ["ReverseProxy:Routes:app:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:kept:ClusterId"] = "kept",
            ["ReverseProxy:Routes:kept:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:kept:Match:Path"] = "/kept/{**rest}",
            ["ReverseProxy:Routes:kept:Transforms:0:RequestHeaderOriginalHost"] = routeTransform,
            ["ReverseProxy:Clusters:kept:Destinations:d1:Address"] = _fx.Backend.Url,
            ["ReverseProxy:Clusters:kept:Metadata:Gateway.KeepOriginalHost"] = keptCluster,
        };
        return GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);
    }

    private async Task<string> HostReceivedAsync(GatewayHost gateway, string path)
    {
        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(gateway.Url + path)).StatusCode);
        return Assert.Single(BackendStub.HeaderValues(_fx.Backend.LastRequestTo(path), "Host"));
    }

    [Fact]
    public async Task Default_BackendGetsItsOwnHost()
    {
        await using var gateway = await StartAsync(global: null, keptCluster: null);

        Assert.Equal(new Uri(_fx.Backend.Url).Authority, await HostReceivedAsync(gateway, "/page"));
        Assert.Equal(new Uri(_fx.Backend.Url).Authority, await HostReceivedAsync(gateway, "/kept/page"));
    }

    [Fact]
    public async Task Global_BackendGetsTheHostTheClientAskedFor()
    {
        await using var gateway = await StartAsync(global: "true", keptCluster: null);

        Assert.Equal(new Uri(gateway.Url).Authority, await HostReceivedAsync(gateway, "/page"));
        Assert.Equal(new Uri(gateway.Url).Authority, await HostReceivedAsync(gateway, "/kept/page"));
    }

    [Fact]
    public async Task ClusterMetadata_OverridesTheGlobalChoiceBothWays()
    {
        await using (var keptOnlyThere = await StartAsync(global: null, keptCluster: "true"))
        {
            Assert.Equal(new Uri(keptOnlyThere.Url).Authority, await HostReceivedAsync(keptOnlyThere, "/kept/page"));
            Assert.Equal(new Uri(_fx.Backend.Url).Authority, await HostReceivedAsync(keptOnlyThere, "/page"));
        }

        await using var keptElsewhere = await StartAsync(global: "true", keptCluster: "false");
        Assert.Equal(new Uri(_fx.Backend.Url).Authority, await HostReceivedAsync(keptElsewhere, "/kept/page"));
        Assert.Equal(new Uri(keptElsewhere.Url).Authority, await HostReceivedAsync(keptElsewhere, "/page"));
    }

    [Fact]
    public async Task RouteTransform_OverridesTheCluster()
    {
        await using var gateway = await StartAsync(global: null, keptCluster: "true", routeTransform: "false");

        Assert.Equal(new Uri(_fx.Backend.Url).Authority, await HostReceivedAsync(gateway, "/kept/page"));
    }

    [Fact]
    public async Task ForwardedHostFromATrustedProxy_IsTheHostKept()
    {
        await using var gateway = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:KeepOriginalHost"] = "true",
            ["Gateway:TrustedProxies:0"] = "127.0.0.1",
            ["ReverseProxy:Routes:app:AuthorizationPolicy"] = "anonymous",
        });
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.Url + "/behind-lb");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "app.example.com");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);

        Assert.Equal("app.example.com", Assert.Single(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/behind-lb"), "Host")));
    }

    [Theory]
    [InlineData("Gateway.KeepOriginalHost", "yes", "must be 'true'")]
    [InlineData("Gateway.KeepOrignalHost", "true", "did you mean 'Gateway.KeepOriginalHost'?")]
    public void ClusterMetadata_Invalid_IsAStartupProblem(string key, string value, string expected)
    {
        var config = StartupConfig.With(StartupConfig.Minimal(), ($"ReverseProxy:Clusters:backend:Metadata:{key}", value));

        var ex = StartupConfig.BuildFails(config);

        var problem = Assert.Single(ex.Problems);
        Assert.Contains($"ReverseProxy:Clusters:backend:Metadata:{key}", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void GlobalKey_NotABoolean_IsAStartupProblem()
    {
        var ex = StartupConfig.BuildFails(StartupConfig.With(StartupConfig.Minimal(), ("Gateway:KeepOriginalHost", "sometimes")));

        Assert.Contains(ex.Problems, p => p.Contains("Gateway:KeepOriginalHost", StringComparison.Ordinal));
    }
}
