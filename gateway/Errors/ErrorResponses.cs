using System.Net;
using System.Text.Json;

namespace Gateway.Errors;

/// <summary>
/// Short, human pages (or JSON for API callers) for every error the gateway itself answers:
/// no stack traces, no token or claim values, always a way forward.
/// </summary>
internal static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext context, int statusCode, string code, string title, string message, string? retryUrl = null, string? retryText = null, Microsoft.Extensions.Primitives.StringValues wwwAuthenticate = default, bool forceJson = false)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        // Keep cookies already set or deleted for this response (e.g. an ended session), drop everything else.
        var setCookies = response.Headers.SetCookie;
        response.Clear();
        if (setCookies.Count > 0)
        {
            response.Headers.SetCookie = setCookies;
        }

        response.StatusCode = statusCode;
        response.Headers.CacheControl = "no-store";
        if (!Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(wwwAuthenticate))
        {
            response.Headers.WWWAuthenticate = wwwAuthenticate;
        }

        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

        if (forceJson || RequestKind.IsApiRequest(context.Request))
        {
            response.ContentType = "application/json; charset=utf-8";
            var payload = new Dictionary<string, object?> { ["error"] = code, ["message"] = message, ["status"] = statusCode };
            if (retryUrl is not null)
            {
                payload["sign_in_url"] = retryUrl;
            }

            await response.WriteAsync(JsonSerializer.Serialize(payload), context.RequestAborted);
            return;
        }

        response.ContentType = "text/html; charset=utf-8";
        var content = $"<h1>{WebUtility.HtmlEncode(title)}</h1>\n<p>{WebUtility.HtmlEncode(message)}</p>\n" +
                      (retryUrl is null ? string.Empty : $"<p><a class=\"retry\" href=\"{WebUtility.HtmlEncode(retryUrl)}\">{WebUtility.HtmlEncode(retryText ?? "Try again")}</a></p>\n") +
                      $"<p class=\"code\">HTTP {statusCode} · {WebUtility.HtmlEncode(code)}</p>";
        var branded = PageTemplates.Of(context).Render(
            statusCode == StatusCodes.Status403Forbidden ? PageTemplates.Forbidden : PageTemplates.Error,
            new PageValues(statusCode, code, title, message, content, retryUrl, retryUrl is null ? null : retryText ?? "Try again",
                context.Request.PathBase.Value + context.Request.Path.Value));
        if (branded is not null)
        {
            response.Headers.ContentSecurityPolicy = PageTemplates.ContentSecurityPolicy;
            await response.WriteAsync(branded, context.RequestAborted);
            return;
        }

        var link = retryUrl is null
            ? string.Empty
            : $"<p><a class=\"retry\" href=\"{WebUtility.HtmlEncode(retryUrl)}\">{WebUtility.HtmlEncode(retryText ?? "Try again")}</a></p>";
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{WebUtility.HtmlEncode(title)}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}.code{color:#777;font-size:.85rem}a{color:#0a58ca}</style>
            </head><body>
            <h1>{{WebUtility.HtmlEncode(title)}}</h1>
            <p>{{WebUtility.HtmlEncode(message)}}</p>
            {{link}}
            <p class="code">HTTP {{statusCode}} · {{WebUtility.HtmlEncode(code)}}</p>
            </body></html>
            """;
        await response.WriteAsync(html, context.RequestAborted);
    }
}
