using System.Diagnostics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Yarp.ReverseProxy.Model;

namespace Gateway.Observability;

/// <summary>
/// OpenTelemetry tracing, configured by the standard <c>OTEL_*</c> variables (read through configuration, so
/// environment variables, the command line and <c>--config</c> all work) and off unless an OTLP endpoint is given.
/// Spans: one server span per request (ASP.NET Core) tagged with the proxy route and the user's <c>sub</c>; client spans
/// for every outgoing HTTP call (identity provider, backends: YARP sends the span's <c>traceparent</c> to the backend);
/// the gateway's own spans (<see cref="SourceName"/>) around its Redis operations.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "Gateway";

    public const string RouteTag = "gateway.route";

    public const string UserTag = "enduser.id";

    private const string Endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string TracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>An OTLP endpoint is configured, traces are not turned off (<c>OTEL_TRACES_EXPORTER=none</c>) and the SDK is not disabled.</summary>
    public static bool IsConfigured(IConfiguration configuration) =>
        !string.Equals(configuration["OTEL_SDK_DISABLED"]?.Trim(), "true", StringComparison.OrdinalIgnoreCase) &&
        !string.Equals(configuration["OTEL_TRACES_EXPORTER"]?.Trim(), "none", StringComparison.OrdinalIgnoreCase) &&
        (!string.IsNullOrWhiteSpace(configuration[Endpoint]) || !string.IsNullOrWhiteSpace(configuration[TracesEndpoint]));

    /// <summary>Start-up problems: an endpoint that is not an absolute http(s) URL would silently export nothing.</summary>
    public static IEnumerable<string> Check(IConfiguration configuration)
    {
        foreach (var key in new[] { Endpoint, TracesEndpoint })
        {
            var value = configuration[key];
            if (!string.IsNullOrWhiteSpace(value) &&
                (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            {
                yield return $"{key} is not an absolute http(s) URL (got '{LogValue.Sanitize(value, 200)}'); set it to the OTLP collector, e.g. 'http://otel-collector:4317' (gRPC) or 'http://otel-collector:4318' with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or remove it to turn tracing off.";
            }
        }

        var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"];
        if (!string.IsNullOrWhiteSpace(protocol) && protocol.Trim() is not ("grpc" or "http/protobuf"))
        {
            yield return $"OTEL_EXPORTER_OTLP_PROTOCOL must be 'grpc' or 'http/protobuf' (got '{LogValue.Sanitize(protocol, 50)}').";
        }
    }

    public static IServiceCollection AddGatewayTracing(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsConfigured(configuration))
        {
            return services;
        }

        // The resource (service.name from OTEL_SERVICE_NAME, version, instance id) is the one AddGatewayObservability gives every signal.
        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(SourceName)
            .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.EnrichWithHttpResponse = TagRouteAndUser)
            .AddHttpClientInstrumentation()
            .AddOtlpExporter());
        return services;
    }

    /// <summary>At the end of a request: the proxy route it matched and the signed-in user (a pseudonymous id, never an email).</summary>
    private static void TagRouteAndUser(Activity activity, HttpResponse response)
    {
        var context = response.HttpContext;
        if (context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is { } route)
        {
            activity.SetTag(RouteTag, route.Config.RouteId);
        }

        if (context.User.FindFirst("sub")?.Value is { Length: > 0 } subject)
        {
            activity.SetTag(UserTag, subject);
        }
    }
}
