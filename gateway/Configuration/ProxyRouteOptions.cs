namespace Gateway.Configuration;

/// <summary>
/// "ReverseProxy" as the gateway checks it: YARP reads (and re-reads) the section itself; this view holds only what the
/// gateway's own rules look at. Routes are keyed by route id, clusters by cluster id.
/// </summary>
public sealed class ProxyRouteOptions
{
    public Dictionary<string, ProxyRouteView> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The clusters' sections as they are (only their names matter here).</summary>
    public Dictionary<string, IConfigurationSection> Clusters { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The parts of a YARP route the gateway checks.</summary>
public sealed class ProxyRouteView
{
    public string? ClusterId { get; set; }

    public string? AuthorizationPolicy { get; set; }

    public ProxyRouteMatchView Match { get; set; } = new();

    public Dictionary<string, string?> Metadata { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A route's match.</summary>
public sealed class ProxyRouteMatchView
{
    public string? Path { get; set; }
}

/// <summary>Every route's cluster, policy name and <c>Gateway.*</c> metadata, at start-up and on each configuration reload.</summary>
internal static class ProxyRouteRules
{
    public static ProxyRouteOptions Read(IConfiguration configuration)
    {
        var routes = new ProxyRouteOptions();
        configuration.GetSection("ReverseProxy").Bind(routes);
        return routes;
    }

    public static void Validate(
        ProxyRouteOptions proxy,
        IReadOnlyDictionary<string, PolicyOptions> policies,
        string? basePath,
        ProviderDialect dialect,
        List<string> problems)
    {
        basePath = string.IsNullOrEmpty(basePath) ? "/oauth2" : basePath;
        foreach (var (routeId, route) in proxy.Routes)
        {
            var key = $"ReverseProxy:Routes:{routeId}";
            if (!string.IsNullOrWhiteSpace(route.ClusterId) && !proxy.Clusters.ContainsKey(route.ClusterId))
            {
                problems.Add(MissingCluster(routeId, route.ClusterId, proxy.Clusters.Keys));
            }

            var policy = route.AuthorizationPolicy;
            if (!string.IsNullOrWhiteSpace(policy) &&
                !string.Equals(policy, GatewayPolicies.Default, StringComparison.OrdinalIgnoreCase) &&
                !string.Equals(policy, GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase) &&
                !policies.ContainsKey(policy))
            {
                var known = string.Join(", ", new[] { GatewayPolicies.Default, GatewayPolicies.Anonymous }.Concat(policies.Keys).Select(n => $"'{n}'"));
                problems.Add($"{key}:AuthorizationPolicy names an unknown policy (got '{policy}'); use one of {known}, or define it under Gateway:Policies:{policy}.");
            }

            problems.AddRange(RouteSettings.Validate(routeId, route.Metadata, dialect, policy));

            var path = route.Match.Path;
            if (path is not null && (path.Equals(basePath, StringComparison.OrdinalIgnoreCase) || path.StartsWith(basePath + "/", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{key}:Match:Path is under the gateway's own endpoints (got '{path}'); choose a path outside '{basePath}'.");
            }
        }

        foreach (var (clusterId, cluster) in proxy.Clusters)
        {
            var metadata = cluster.GetSection("Metadata").GetChildren().Select(c => new KeyValuePair<string, string?>(c.Key, c.Value));
            problems.AddRange(ClusterSettings.Validate(clusterId, metadata));
        }
    }

    /// <summary>"The route answers an empty 503 for every request" said up front, with the likely intended cluster.</summary>
    public static string MissingCluster(string routeId, string clusterId, IEnumerable<string> clusters)
    {
        var names = clusters.ToList();
        var suggestion = ConfigurationKeyCheck.Suggest(clusterId, names);
        var fix = suggestion is not null
            ? $"did you mean '{suggestion}'? "
            : names.Count > 0 ? $"the clusters are {string.Join(", ", names.Select(n => $"'{n}'"))}; " : string.Empty;
        return $"ReverseProxy:Routes:{routeId}:ClusterId names no cluster (got '{clusterId}'); {fix}define ReverseProxy:Clusters:{clusterId} or point the route at an existing cluster (otherwise every request to the route gets an empty 503).";
    }
}
