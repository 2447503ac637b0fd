using Gateway.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gateway.Authorization;

internal static class AuthorizationServiceCollectionExtensions
{
    /// <summary>Fail closed (a route naming no policy needs a signed-in user) plus the named policies, served from a reloadable store.</summary>
    public static IServiceCollection AddGatewayAuthorization(this IServiceCollection services)
    {
        services.AddAuthorization(authorization =>
        {
            authorization.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddSingleton<GatewayPolicyStore>();
        services.AddSingleton<IAuthorizationPolicyProvider, GatewayAuthorizationPolicyProvider>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, GatewayAuthorizationResultHandler>();
        return services;
    }
}
