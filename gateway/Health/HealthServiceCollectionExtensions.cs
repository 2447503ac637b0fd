namespace Gateway.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary>The readiness checks of <c>/readyz</c>: the identity provider's metadata (Hosting adds Redis when configured).</summary>
    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<IdentityProviderHealthCheck>("identity-provider", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}
