using Gateway.Configuration;
using Microsoft.AspNetCore.HttpOverrides;

namespace Gateway.Ingress;

/// <summary>What every request goes through before routing: its real peer and origin, and one canonical path.</summary>
internal static class IngressExtensions
{
    public static IServiceCollection AddGatewayIngress(this IServiceCollection services, GatewayOptions options)
    {
        if (options.TrustedProxies.Count > 0)
        {
            services.Configure<ForwardedHeadersOptions>(forwarded =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var entry in options.TrustedProxies)
                {
                    UriRules.TryParseNetwork(entry, out var network);
                    forwarded.KnownIPNetworks.Add(network);
                }
            });
        }

        services.AddSingleton(new TrustedProxies(options));
        return services;
    }

    public static IApplicationBuilder UseGatewayIngress(this IApplicationBuilder app, GatewayOptions options)
    {
        if (options.TrustedProxies.Count > 0)
        {
            app.Use(TrustedProxies.RecordPeerAsync);
            app.UseForwardedHeaders();
        }

        if (!string.IsNullOrWhiteSpace(options.PublicOrigin))
        {
            var origin = new Uri(options.PublicOrigin.Trim());
            var host = new HostString(origin.Authority);
            app.Use((context, next) =>
            {
                context.Request.Scheme = origin.Scheme;
                context.Request.Host = host;
                return next(context);
            });
        }

        // One canonical path for routing, policies and the backend (and /oauth2/auth uses the same rules on the original URI).
        app.UseMiddleware<CanonicalPathMiddleware>(options.Paths);
        return app;
    }
}
