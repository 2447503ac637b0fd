using OpenTelemetry.Metrics;

namespace Gateway.Observability;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>The gateway's meter plus ASP.NET Core, Kestrel and HttpClient metrics, exported for Prometheus (<c>/metrics</c>, mapped by Health).</summary>
    public static IServiceCollection AddGatewayObservability(this IServiceCollection services)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<AuditTrail>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http")
            .AddPrometheusExporter());
        return services;
    }
}
