using Gateway.Configuration;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gateway.Authorization;

internal static class AuthorizationServiceCollectionExtensions
{
    /// <summary>Fail closed (a route naming no policy needs a signed-in user) plus the named group policies.</summary>
    public static IServiceCollection AddGatewayAuthorization(this IServiceCollection services, GatewayOptions options, IdentityProviderSettings provider)
    {
        services.AddAuthorization(authorization =>
        {
            authorization.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
            foreach (var (name, policy) in options.Policies)
            {
                authorization.AddPolicy(name, builder => builder
                    .RequireAuthenticatedUser()
                    .RequireClaim(provider.GroupsClaim, policy.Groups));
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, GatewayAuthorizationResultHandler>();
        return services;
    }
}
