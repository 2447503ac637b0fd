using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Gateway.Observability;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>The service name metrics and traces carry (<c>service.name</c>, Prometheus <c>target_info</c>) unless <c>OTEL_SERVICE_NAME</c> names another.</summary>
    public const string DefaultServiceName = "gateway";

    /// <summary>
    /// The gateway's meter plus ASP.NET Core, Kestrel, HttpClient and .NET runtime metrics (the built-in "System.Runtime"
    /// meter: GC, heap, thread pool, exceptions, process CPU and memory), exported for Prometheus (<c>/metrics</c>, served by
    /// Health on the management listener).
    /// </summary>
    public static IServiceCollection AddGatewayObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<AuditTrail>();
        var serviceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured.Trim() : DefaultServiceName;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: GatewayVersion.Text, autoGenerateServiceInstanceId: true))
            .WithMetrics(metrics => metrics
                .AddMeter(GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "System.Runtime")
                .AddPrometheusExporter());
        return services;
    }
}
