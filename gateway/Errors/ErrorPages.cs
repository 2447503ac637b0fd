using Gateway.Paths;
using Microsoft.AspNetCore.Diagnostics;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Errors;

/// <summary>
/// The pages for errors no feature answered itself: an exception anywhere in the pipeline, and a backend that failed.
/// Each is a short page (or JSON for API callers) with a way forward, never a stack trace.
/// </summary>
internal static class ErrorPages
{
    /// <summary>First in the pipeline: every exception after it becomes one of the pages below.</summary>
    public static IApplicationBuilder UseGatewayErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync, SuppressDiagnosticsCallback = _ => true });

    /// <summary>A step of the proxy pipeline: a backend that failed gets a page instead of an empty 502/503/504.</summary>
    public static async Task WriteBackendErrorPageAsync(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.GetForwarderErrorFeature();
        // A client that went away (or sent a broken body) is not a backend failure: nothing to answer, nothing to warn about.
        if (error is null ||
            error.Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
                or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
                or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient ||
            context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        // The one line about it (YARP's own warning with the exception's stack trace is turned down in appsettings.json),
        // also when the response had already started and can only be cut.
        var route = context.GetRouteModel().Config.RouteId;
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Proxy")
            .BackendFailed(route, error.Error.ToString(), error.Exception is null ? "no detail" : Observability.FailureCause.Describe(error.Exception));
        if (context.Response.HasStarted)
        {
            return;
        }

        var status = context.Response.StatusCode is >= 500 and <= 504 ? context.Response.StatusCode : StatusCodes.Status502BadGateway;
        await ErrorResponses.WriteAsync(context, status, "backend_unavailable", "The application is not answering",
            "Your sign-in is fine, but the application behind this gateway did not answer. Please try again in a moment.",
            ReturnUrl.FromRequest(context.Request), "Try again");
    }

    /// <summary>The status <see cref="HandleExceptionAsync"/> answers for <paramref name="exception"/> (for the access log, which sees the exception first).</summary>
    public static int StatusFor(Exception exception, HttpContext context) => exception switch
    {
        DependencyUnavailableException => StatusCodes.Status503ServiceUnavailable,
        BadHttpRequestException bad => bad.StatusCode,
        InvalidDataException or IOException when !context.RequestAborted.IsCancellationRequested => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static async Task HandleExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (exception is DependencyUnavailableException unavailable)
        {
            await ErrorResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, unavailable.Code, unavailable.Title,
                unavailable.UserMessage, ReturnUrl.FromRequest(context.Request));
            return;
        }

        if (exception is BadHttpRequestException bad)
        {
            await ErrorResponses.WriteAsync(context, bad.StatusCode, "bad_request", "Bad request", "The request could not be understood.", "/", "Go to the home page");
            return;
        }

        if (exception is InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            // A malformed or oversized form (e.g. multipart without a boundary on /oauth2/sign_out).
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_request", "Bad request", "The request body could not be read.", "/", "Go to the home page");
            return;
        }

        if (exception is not null)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway").UnhandledException(exception);
        }

        await ErrorResponses.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_error", "Something went wrong",
            "The gateway hit an unexpected error. Please try again.", context.RequestServices.GetRequiredService<GatewayPaths>().SignIn);
    }
}
