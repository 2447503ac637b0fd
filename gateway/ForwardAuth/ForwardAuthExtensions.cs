using Gateway.Paths;

namespace Gateway.ForwardAuth;

internal static class ForwardAuthExtensions
{
    public static IServiceCollection AddGatewayForwardAuth(this IServiceCollection services)
    {
        services.AddSingleton<ForwardAuthRouteMatcher>();
        services.AddSingleton<UntrustedForwardAuthCallers>();
        return services;
    }

    /// <summary><c>/oauth2/auth</c> (GET and HEAD) for nginx <c>auth_request</c>, Traefik ForwardAuth and Caddy <c>forward_auth</c>.</summary>
    public static IEndpointRouteBuilder MapGatewayForwardAuth(this IEndpointRouteBuilder endpoints, GatewayPaths paths)
    {
        endpoints.MapMethods(paths.ForwardAuth, ["GET", "HEAD"], ForwardAuthEndpoint.HandleAsync).AllowAnonymous()
            .WithMetadata(new Sessions.TokenDemand(ForwardAuthEndpoint.WantsAccessToken));
        return endpoints;
    }
}
