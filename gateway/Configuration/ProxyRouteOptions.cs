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

    /// <summary>YARP's host names of the route (with <c>Gateway:Apps</c>, each must belong to an app).</summary>
    public List<string> Hosts { get; set; } = [];
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
        List<string> problems,
        GatewayApps? apps = null)
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
                !policies.ContainsKey(policy) &&
                !AppPolicyExists(apps, route, policy))
            {
                var known = string.Join(", ", new[] { GatewayPolicies.Default, GatewayPolicies.Anonymous }.Concat(policies.Keys).Select(n => $"'{n}'"));
                problems.Add($"{key}:AuthorizationPolicy names an unknown policy (got '{policy}'); use one of {known}, or define it under Gateway:Policies:{policy}.");
            }

            problems.AddRange(RouteSettings.Validate(routeId, route.Metadata, dialect, policy));
            ValidateApp(key, route, apps, problems);

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

    /// <summary>A policy of the route's <c>Gateway.App</c>, or without one, of any app (the request's host picks which app's applies).</summary>
    private static bool AppPolicyExists(GatewayApps? apps, ProxyRouteView route, string policy)
    {
        if (apps is not { Many: true })
        {
            return false;
        }

        var named = RouteSettings.Parse(route.Metadata!).App;
        return apps.All.Any(a => a.Options is { } o && o.Policies.ContainsKey(policy) &&
                                 (named is null || string.Equals(named, a.Name, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary><c>Gateway.App</c> names an app; with apps and no top-level provider, each of the route's hosts belongs to an app.</summary>
    private static void ValidateApp(string key, ProxyRouteView route, GatewayApps? apps, List<string> problems)
    {
        var named = RouteSettings.Parse(route.Metadata!).App;
        if (named is not null)
        {
            if (apps is not { Many: true })
            {
                problems.Add($"{key}:Metadata:{RouteMetadataKeys.App} names an app (got '{named}') but Gateway:Apps is not configured; define Gateway:Apps:{named} or remove the key.");
            }
            else if (apps.Get(named) is null || apps.Get(named)!.IsDefault)
            {
                var known = string.Join(", ", apps.All.Where(a => !a.IsDefault).Select(a => $"'{a.Name}'"));
                problems.Add($"{key}:Metadata:{RouteMetadataKeys.App} names an unknown app (got '{named}'); use one of {known} (the names under Gateway:Apps).");
            }

            return;
        }

        if (apps is not { Many: true })
        {
            return;
        }

        for (var i = 0; i < route.Match.Hosts.Count; i++)
        {
            var host = route.Match.Hosts[i];
            if (!string.IsNullOrWhiteSpace(host) && !apps.Serves(host))
            {
                problems.Add($"{key}:Match:Hosts:{i} '{host}' belongs to no app of Gateway:Apps (and there is no top-level Gateway:Cognito/Gateway:Oidc for other hosts); add it to an app's Hosts, or name the app with {key}:Metadata:{RouteMetadataKeys.App}.");
            }
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
