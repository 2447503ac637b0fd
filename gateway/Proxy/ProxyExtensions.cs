using Gateway.Configuration;
using Gateway.Errors;
using Gateway.IdentityProvider;

namespace Gateway.Proxy;

internal static class ProxyExtensions
{
    /// <summary>YARP with the <c>ReverseProxy</c> section (reloadable) and the identity transforms.</summary>
    public static IServiceCollection AddGatewayProxy(this IServiceCollection services, GatewayOptions options, IConfiguration configuration)
    {
        services.AddSingleton(sp => new IdentityHeaderMap(options, sp.GetRequiredService<IdentityProviderSettings>()));
        services.AddSingleton(sp => new AppHeaderMaps(sp.GetRequiredService<IdentityHeaderMap>(), sp.GetRequiredService<AppProviders>(), options));
        services.AddSingleton<LiveConnections>();
        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddTransforms<IdentityTransformProvider>();
        return services;
    }

    /// <summary>
    /// The proxy routes. Each endpoint carries its route's parsed <c>Gateway.*</c> settings as metadata (built again when
    /// YARP rebuilds the endpoint after a reload), so a request reads them with <c>GetMetadata&lt;RouteSettings&gt;()</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayProxy(this IEndpointRouteBuilder endpoints)
    {
        // Resolved on first use, not while the app is built: the registry's session signals connect to Redis, which
        // must happen after the host has taken over SIGTERM (a stop while waiting for Redis is then a clean exit).
        var services = endpoints.ServiceProvider;
        LiveConnections? liveConnections = null;
        endpoints.MapReverseProxy(proxy =>
            {
                proxy.Use(ErrorPages.WriteBackendErrorPageAsync);
                proxy.Use((context, next) => (liveConnections ??= services.GetRequiredService<LiveConnections>()).InvokeAsync(context, next));
                proxy.UseSessionAffinity();
                proxy.UseLoadBalancing();
                proxy.UsePassiveHealthChecks();
            })
            .ConfigureEndpoints((builder, route) => builder.WithMetadata(RouteSettings.Parse(route.Metadata)));
        return endpoints;
    }
}
