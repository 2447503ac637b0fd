using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// The gateway's own /healthz, /readyz and /metrics live on the management listener (Gateway:Management:Urls), so the
/// app behind the gateway keeps its own paths of those names, and the public listener never shows the gateway's metrics.
/// </summary>
public sealed class ManagementListenerTests : GatewayTest<GatewayFixture>
{
    public ManagementListenerTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task PublicListener_AppsOwnOperationalPath_ReachesTheBackend(string path)
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync(path);

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(BackendStub.Body, hop.Body);
        Assert.Equal(path, Fx.Backend.LastRequestTo(path).Path);
    }

    [Fact]
    public async Task PublicListener_MetricsWithoutSession_IsTheAppsRouteNotTheGatewaysMetrics()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await client.GetAsync(Fx.Gateway.Url + "/metrics");
        var body = await response.Content.ReadAsStringAsync();

        // The catch-all route wants a session: a caller without one (not a browser) gets 401, and sees no metric.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("gateway_", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/public/page")]
    [InlineData("/oauth2/sign_in")]
    [InlineData("/oauth2/userinfo")]
    [InlineData("/oauth2/healthz")]
    [InlineData("/")]
    public async Task ManagementListener_AnyOtherPath_IsNotFoundAndNeverReachesTheBackend(string path)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var response = await client.GetAsync(Fx.Gateway.ManagementUrl + path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task ManagementListener_ServesHealthReadinessAndMetrics()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Fx.Gateway.ManagementUrl + "/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Fx.Gateway.ManagementUrl + "/readyz")).StatusCode);
        using var metrics = await client.GetAsync(Fx.Gateway.ManagementUrl + "/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("gateway_sign_ins_total", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual(new Uri(Fx.Gateway.Url).Port, new Uri(Fx.Gateway.ManagementUrl).Port);
    }

    [Fact]
    public async Task NoManagementListener_HealthUnderBasePath_AndNoMetricsAnywhere()
    {
        await using var gateway = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Management:Urls"] = null,
            ["ReverseProxy:Routes:open-ops:ClusterId"] = "backend",
            ["ReverseProxy:Routes:open-ops:Match:Path"] = "/{name:regex(^(metrics|healthz|readyz)$)}",
            ["ReverseProxy:Routes:open-ops:AuthorizationPolicy"] = "anonymous",
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(gateway.Url + "/oauth2/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(gateway.Url + "/oauth2/readyz")).StatusCode);
        foreach (var path in new[] { "/metrics", "/healthz", "/readyz" })
        {
            using var response = await client.GetAsync(gateway.Url + path);
            Assert.Equal(BackendStub.Body, await response.Content.ReadAsStringAsync());
            Assert.Equal(path, Fx.Backend.LastRequestTo(path).Path);
        }

        using var underBasePath = await client.GetAsync(gateway.Url + "/oauth2/metrics");
        Assert.DoesNotContain("gateway_", await underBasePath.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, underBasePath.StatusCode);
    }

    [Fact]
    public async Task BasePath_HealthFollowsIt_WhenNoManagementListener()
    {
        await using var gateway = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Management:Urls"] = null,
            ["Gateway:BasePath"] = "/_gw",
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(gateway.Url + "/_gw/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(gateway.Url + "/_gw/readyz")).StatusCode);
    }

    [Theory]
    [InlineData("https://0.0.0.0:9090")]
    [InlineData("http://0.0.0.0")]
    [InlineData("0.0.0.0:9090")]
    [InlineData("http://0.0.0.0:9090/metrics")]
    [InlineData("http://metrics.example.com:9090")]
    [InlineData("http://0.0.0.0:99999")]
    public void Validation_NotAnAddressToListenOn_IsOneClearStartupProblem(string url)
    {
        var ex = StartupConfig.BuildFails(StartupConfig.With(StartupConfig.Minimal(), ("Gateway:Management:Urls", "http://127.0.0.1:9090;" + url)));

        var problem = Assert.Single(ex.Problems);
        Assert.Contains("Gateway:Management:Urls", problem, StringComparison.Ordinal);
        Assert.Contains($"'{url}'", problem, StringComparison.Ordinal);
        Assert.Contains("http://0.0.0.0:9090", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:9090")]
    [InlineData("http://*:9090; http://[::1]:9091")]
    [InlineData("http://localhost:9090/")]
    public void Validation_ListenAddresses_AreAccepted(string urls)
    {
        using var app = Gateway.Hosting.GatewayApp.Build([], b => GatewayHost.Configure(b, StartupConfig.With(StartupConfig.Minimal(), ("Gateway:Management:Urls", urls))));

        Assert.NotNull(app);
    }
}
