using Gateway.Paths;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace Gateway.Health;

internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>Liveness: the process answers; no check runs, so an identity-provider or Redis outage never restarts it.</summary>
    private static readonly HealthCheckOptions Liveness = new() { Predicate = _ => false };

    /// <summary>Readiness: the identity provider's metadata (and Redis when configured) answer.</summary>
    private static readonly HealthCheckOptions Readiness = new() { Predicate = check => check.Tags.Contains(ReadyTag) };

    /// <summary>
    /// Without a management listener: liveness and readiness under <c>Gateway:BasePath</c> (<c>/oauth2/healthz</c>,
    /// <c>/oauth2/readyz</c>) on the public listener, where they cannot hide an app's own paths; no metrics there at all.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints, GatewayPaths paths, bool managementListener)
    {
        if (!managementListener)
        {
            endpoints.MapHealthChecks(paths.Health, Liveness).AllowAnonymous();
            endpoints.MapHealthChecks(paths.Ready, Readiness).AllowAnonymous();
        }

        return endpoints;
    }

    /// <summary>The management listener's only endpoints: <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> (Prometheus).</summary>
    public static void MapManagementEndpoints(this WebApplication management, MeterProvider meterProvider)
    {
        management.MapHealthChecks(GatewayPaths.ManagementHealth, Liveness);
        management.MapHealthChecks(GatewayPaths.ManagementReady, Readiness);
        management.MapPrometheusScrapingEndpoint(GatewayPaths.ManagementMetrics, meterProvider, configureBranchedPipeline: null, optionsName: null);
    }
}
