using Gateway.Configuration;

namespace Gateway.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// The readiness checks of <c>/readyz</c>: the identity provider's metadata (Hosting adds Redis when configured);
    /// and the management listener when <c>Gateway:Management:Urls</c> is set.
    /// </summary>
    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, GatewayOptions options)
    {
        services.AddHealthChecks().AddCheck<IdentityProviderHealthCheck>("identity-provider", tags: [HealthEndpoints.ReadyTag]);
        if (options.Management.Enabled)
        {
            services.AddSingleton<ManagementListener>();
            services.AddHostedService(sp => sp.GetRequiredService<ManagementListener>());
        }

        return services;
    }
}
