using Gateway.Errors;
using Gateway.Paths;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Ingress;

/// <summary>
/// Runs before routing: replaces <see cref="HttpRequest.Path"/> with the canonical form of the raw request target, so
/// route matching, policies and the path YARP forwards are all the same path; refuses with 400 what has none.
/// Kestrel's own <c>Path</c> is not enough: it keeps <c>%2F</c>, leaves invalid UTF-8 escaped, does not merge slashes and
/// resolves dot segments before slashes are merged (<c>/a//../b</c> → <c>/a/b</c>, where nginx reads <c>/b</c>).
/// </summary>
internal sealed class CanonicalPathMiddleware(RequestDelegate next, PathOptions options, ILogger<CanonicalPathMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target))
        {
            return next(context);
        }

        if (target[0] == '/')
        {
            var end = target.AsSpan().IndexOfAny('?', '#');
            if (PathCanonicalizer.IsPlainCanonical(end < 0 ? target : target.AsSpan(0, end)))
            {
                return next(context);
            }
        }

        // "*" (OPTIONS * HTTP/1.1) has no path; anything else Kestrel accepted is origin- or absolute-form.
        if (PathCanonicalizer.RawPathOf(target) is not { } raw)
        {
            return next(context);
        }

        if (!PathCanonicalizer.TryCanonicalize(raw, options, out var canonical, out var problem))
        {
            logger.PathRefused(problem);
            return ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_path", "This address is not accepted",
                "The address contains a character or spelling the gateway does not accept (such as an encoded slash, a ';' " +
                "parameter, a backslash or an unusual form of '..'). Please check the link.", "/", "Go to the home page");
        }

        if (!string.Equals(context.Request.Path.Value, canonical, StringComparison.Ordinal))
        {
            context.Request.Path = new PathString(canonical);
        }

        return next(context);
    }
}
