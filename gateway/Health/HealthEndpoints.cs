using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Gateway.Health;

internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>/healthz: the process answers (no checks). /readyz: the identity provider's metadata (and Redis) answer. /metrics: Prometheus.</summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        endpoints.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return endpoints;
    }
}
