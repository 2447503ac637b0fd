using System.Diagnostics;
using System.Globalization;
using Gateway.Configuration;
using Gateway.Errors;
using Gateway.Observability;
using Gateway.Paths;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace Gateway.Proxy;

/// <summary>
/// One access-log line (category <see cref="Category"/>, Information) per request of a proxy route: when, method, path
/// with secret query values redacted, route, status, duration, response bytes, the user's <c>sub</c> (or anonymous), the
/// client address and the trace id. Runs after routing and before authentication, so the 401/403 the gateway answers
/// itself are logged too. The gateway's own paths (<c>/oauth2/…</c>, e.g. the callback the sign-in handler answers
/// before any route) are not proxied and not logged. Off for a route with <c>Gateway.AccessLog: false</c>, and costs nothing when the category's
/// level is above Information.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, ILoggerFactory loggerFactory, TimeProvider time, GatewayPaths paths)
{
    public const string Category = "Gateway.AccessLog";

    private const string Anonymous = "anonymous";

    /// <summary>Path and query are cut here: enough to recognise the page, never a flood.</summary>
    private const int MaxPathLength = 500;

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    public Task InvokeAsync(HttpContext context)
    {
        if (!_logger.IsEnabled(LogLevel.Information) ||
            context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>() is not { } route ||
            !RouteSettings.Of(context).AccessLog ||
            context.Request.Path.StartsWithSegments(paths.BasePath, StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        return LogAsync(context, route.Config.RouteId);
    }

    private async Task LogAsync(HttpContext context, string routeId)
    {
        var started = time.GetUtcNow();
        var timestamp = time.GetTimestamp();
        var request = context.Request;
        var method = LogValue.Sanitize(request.Method, 20);
        var path = QueryRedaction.PathForLog(request.PathBase, request.Path, request.QueryString, MaxPathLength);
        var body = context.Features.Get<IHttpResponseBodyFeature>();
        ResponseBodyCounter? counter = null;
        if (body is not null)
        {
            counter = new ResponseBodyCounter(body);
            context.Features.Set<IHttpResponseBodyFeature>(counter);
        }

        int? failedStatus = null;
        try
        {
            await next(context);
        }
        catch (Exception ex)
        {
            // The exception handler before routing answers it (503 for a dependency that is down, 400, else 500).
            failedStatus = ErrorPages.StatusFor(ex, context);
            throw;
        }
        finally
        {
            if (counter is not null)
            {
                context.Features.Set(body);
            }

            var status = failedStatus is { } answered && !context.Response.HasStarted ? answered : context.Response.StatusCode;
            var subject = context.User.FindFirst("sub")?.Value;
            _logger.AccessLogged(
                started.ToString("o", CultureInfo.InvariantCulture),
                method,
                path,
                routeId,
                status,
                Math.Round(time.GetElapsedTime(timestamp).TotalMilliseconds, 1),
                counter?.Bytes ?? 0,
                string.IsNullOrEmpty(subject) ? Anonymous : LogValue.Sanitize(subject, 100),
                context.Connection.RemoteIpAddress?.ToString() ?? "-",
                Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier);
        }
    }
}

internal static class AccessLogExtensions
{
    /// <summary>Between routing (the route is known) and authentication (its 401/403 are logged).</summary>
    public static IApplicationBuilder UseGatewayAccessLog(this IApplicationBuilder app) => app.UseMiddleware<AccessLogMiddleware>();
}
