using Gateway.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Proxy;

/// <summary>"ReverseProxy" at start-up: every route's cluster exists, its policy is defined, its <c>Gateway.*</c> metadata is valid.</summary>
internal sealed class ProxyRouteOptionsValidator(IConfiguration configuration) : IValidateOptions<ProxyRouteOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyRouteOptions options)
    {
        var problems = new List<string>();
        // Read here rather than taken from IOptions<GatewayPolicyOptions>, whose own validation would throw when a policy is invalid.
        var policies = PolicyConfiguration.Read(configuration.GetSection(GatewayOptions.SectionName + ":Policies"), []);
        var dialect = configuration.GetSection("Gateway:Oidc").Exists() && !configuration.GetSection("Gateway:Cognito").Exists()
            ? ProviderDialect.Oidc
            : ProviderDialect.Cognito;
        GatewayApps? apps;
        try
        {
            apps = GatewayApps.FromConfiguration(configuration);
        }
        catch (InvalidOperationException)
        {
            // A value under Gateway:Apps the binder cannot read: reported by the key check; the apps' route rules wait for it.
            apps = null;
        }

        ProxyRouteRules.Validate(options, policies, configuration["Gateway:BasePath"], dialect, problems, apps);
        return problems.ToResult();
    }
}

/// <summary>
/// On a configuration reload, refuses routes whose <c>ClusterId</c> names no cluster: YARP accepts them and answers an
/// empty 503 without a word. An exception here makes YARP reject the whole reload and keep the routes in force.
/// </summary>
internal sealed class ClusterReferenceFilter : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => new(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        if (cluster is null && !string.IsNullOrWhiteSpace(route.ClusterId))
        {
            throw new InvalidOperationException(ProxyRouteRules.MissingCluster(route.RouteId, route.ClusterId, []));
        }

        return new(route);
    }
}
