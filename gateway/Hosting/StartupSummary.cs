using Gateway.Configuration;
using Gateway.Observability;
using Microsoft.AspNetCore.Hosting.Server.Features;
using StackExchange.Redis;

namespace Gateway.Hosting;

/// <summary>
/// One short summary once the gateway listens (category <c>Gateway.Startup</c>): identity provider and pool or
/// authority, session store, routes and policies, listeners, trusted proxies, public origin, tracing; and a warning
/// when no route is configured. Never a secret: no client secret, and of the Redis configuration only its endpoints.
/// </summary>
internal static partial class StartupSummary
{
    public const string Category = "Gateway.Startup";

    public static void LogWhenStarted(WebApplication app, GatewayOptions options)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
            var provider = app.Services.GetRequiredService<IdentityProviderSettings>();
            var routes = app.Configuration.GetSection("ReverseProxy:Routes").GetChildren().Count();
            var clusters = app.Configuration.GetSection("ReverseProxy:Clusters").GetChildren().Count();
            var listeners = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            logger.Summary(
                Provider(provider),
                Sessions(options),
                routes,
                clusters,
                options.Policies.Count,
                listeners.Count == 0 ? "none" : string.Join(", ", listeners),
                options.TrustedProxies.Count == 0 ? "none (forwarded headers ignored)" : string.Join(", ", options.TrustedProxies),
                string.IsNullOrWhiteSpace(options.PublicOrigin) ? "from each request" : options.PublicOrigin.Trim(),
                GatewayTracing.IsConfigured(app.Configuration) ? "on (OTLP)" : "off");
            if (routes == 0)
            {
                logger.NoRoutes();
            }

            if (app.Services.GetRequiredService<GatewayApps>().Many && UnpinnedRoutes(app.Configuration) is { Count: > 0 } unpinned)
            {
                logger.RoutesServedByEveryApp(string.Join(", ", unpinned));
            }
        });
    }

    /// <summary>Routes without Match:Hosts and without Gateway.App: with several apps, each serves them as its own.</summary>
    private static List<string> UnpinnedRoutes(IConfiguration configuration) =>
        configuration.GetSection("ReverseProxy:Routes").GetChildren()
            .Where(route => !route.GetSection("Match:Hosts").GetChildren().Any() &&
                            string.IsNullOrWhiteSpace(route.GetSection("Metadata")[RouteMetadataKeys.App]) &&
                            !string.Equals(route["AuthorizationPolicy"], GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase))
            .Select(route => route.Key)
            .ToList();

    private static string Provider(IdentityProviderSettings provider) => provider.Dialect == ProviderDialect.Cognito
        ? $"Cognito pool {provider.UserPoolId ?? "?"} at {provider.Authority.GetLeftPart(UriPartial.Path)}, client {provider.ClientId}"
        : $"OpenID Connect at {provider.Authority.GetLeftPart(UriPartial.Path)}, client {provider.ClientId}";

    private static string Sessions(GatewayOptions options)
    {
        if (options.Session.Store != SessionStoreKind.Redis)
        {
            return $"{options.Session.Store} store, lifetime {options.Session.Lifetime}";
        }

        // Only the endpoints: the configuration string may hold a password.
        var endpoints = ConfigurationOptions.Parse(options.Redis.Configuration ?? string.Empty).EndPoints.Select(e => e.ToString());
        return $"Redis store at {string.Join(", ", endpoints)}, lifetime {options.Session.Lifetime}";
    }

    [LoggerMessage(LogEventIds.StartupSummary, LogLevel.Information,
        "Gateway started. Identity provider: {Provider}. Sessions: {SessionStore}. Routes: {RouteCount} ({ClusterCount} clusters), named policies: {PolicyCount}. " +
        "Listening on: {Listeners}. Trusted proxies: {TrustedProxies}. Public origin: {PublicOrigin}. Tracing: {Tracing}.")]
    private static partial void Summary(this ILogger logger, string provider, string sessionStore, int routeCount, int clusterCount, int policyCount,
        string listeners, string trustedProxies, string publicOrigin, string tracing);

    [LoggerMessage(LogEventIds.NoRoutesConfigured, LogLevel.Warning,
        "No route is configured (ReverseProxy:Routes is empty): every request other than the gateway's own endpoints gets 404. " +
        "Add one, e.g. ReverseProxy:Routes:app:ClusterId=app, ReverseProxy:Routes:app:Match:Path={{**catch-all}} and ReverseProxy:Clusters:app:Destinations:d1:Address=http://your-app:8080/.")]
    private static partial void NoRoutes(this ILogger logger);

    [LoggerMessage(LogEventIds.RoutesServedByEveryApp, LogLevel.Warning,
        "Routes {Routes} have no Match:Hosts and no Gateway.App metadata: with Gateway:Apps every app serves them, as the app of " +
        "whatever host the request names (its session, its policies). Give each route its app's hosts " +
        "(ReverseProxy:Routes:ID:Match:Hosts) or name its app (ReverseProxy:Routes:ID:Metadata:Gateway.App) unless it is meant for every app.")]
    private static partial void RoutesServedByEveryApp(this ILogger logger, string routes);
}
