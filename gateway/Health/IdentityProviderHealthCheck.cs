using Gateway.IdentityProvider;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Health;

/// <summary>Ready when the provider's discovery document and signing keys are loaded (served from cache while fresh).</summary>
internal sealed class IdentityProviderHealthCheck(ProviderMetadata metadata) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var configuration = await metadata.GetConfigurationAsync(cancellationToken);
            return configuration.SigningKeys.Count > 0
                ? HealthCheckResult.Healthy("Discovery document and signing keys loaded.")
                : HealthCheckResult.Unhealthy("The identity provider publishes no signing keys.");
        }
        catch (IdentityProviderUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy("The identity provider's discovery document or JWKS cannot be loaded: " + ex.Message);
        }
    }
}
