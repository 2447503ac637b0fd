using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Start-up prints one summary (provider, sessions, routes, policies, listeners, trusted proxies) and never a secret; no route → a warning.</summary>
public sealed class StartupSummaryTests : GatewayTest<GatewayFixture>
{
    private const string Summary = "Information Gateway.Startup: Gateway started.";

    public StartupSummaryTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public void DefaultGateway_SummaryNamesProviderSessionsRoutesPoliciesAndListener()
    {
        var line = Assert.Single(Fx.Gateway.Logs.Lines, l => l.StartsWith(Summary, StringComparison.Ordinal));

        Assert.Contains($"Identity provider: Cognito pool {FakeCognito.PoolId} at {Fx.Cognito.Authority}, client {FakeCognito.ClientId}.", line, StringComparison.Ordinal);
        Assert.Contains("Sessions: Cookie store, lifetime 08:00:00.", line, StringComparison.Ordinal);
        Assert.Contains("Routes: 5 (1 clusters), named policies: 1.", line, StringComparison.Ordinal);
        Assert.Contains($"Listening on: http://127.0.0.1:{Fx.Gateway.BaseUri.Port}.", line, StringComparison.Ordinal);
        Assert.Contains("Trusted proxies: none (forwarded headers ignored).", line, StringComparison.Ordinal);
        Assert.Contains("Tracing: off.", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Fx.Gateway.Logs.Lines, l => l.Contains("No route is configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecretsAndRedisPassword_NeverInTheSummary_NoRoutes_Warns()
    {
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Cognito:ClientSecret"] = "CLIENT-SECRET-VALUE",
            ["Gateway:Session:Store"] = "Redis",
            ["Gateway:Redis:Configuration"] = $"127.0.0.1:{BackendStub.GetClosedPort()},password=REDIS-PASSWORD-VALUE",
            ["Gateway:TrustedProxies:0"] = "10.0.0.0/8",
        };
        foreach (var route in new[] { "app", "public", "admin", "api", "open" })
        {
            config[$"ReverseProxy:Routes:{route}:ClusterId"] = null;
            config[$"ReverseProxy:Routes:{route}:Match:Path"] = null;
            config[$"ReverseProxy:Routes:{route}:AuthorizationPolicy"] = null;
            config[$"ReverseProxy:Routes:{route}:Metadata:Gateway.Unauthenticated"] = null;
        }

        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, config);

        var line = Assert.Single(host.Logs.Lines, l => l.StartsWith(Summary, StringComparison.Ordinal));
        Assert.Contains("Sessions: Redis store at 127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Contains("Trusted proxies: 10.0.0.0/8.", line, StringComparison.Ordinal);
        Assert.Contains("Routes: 0 (1 clusters)", line, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Warning Gateway.Startup: No route is configured (ReverseProxy:Routes is empty)", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("CLIENT-SECRET-VALUE", StringComparison.Ordinal) || l.Contains("REDIS-PASSWORD-VALUE", StringComparison.Ordinal));
    }
}
