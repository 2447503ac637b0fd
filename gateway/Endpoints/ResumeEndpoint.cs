using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Authentication;
using Gateway.Errors;
using Gateway.IdentityProvider;
using Gateway.Paths;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Endpoints;

/// <summary>
/// <c>GET {BasePath}/resume?id=…</c>: where a sign-in started by a form post lands. A redirect cannot make a browser
/// post again (302/303 become GET; a 307 would re-post a body the browser no longer has), so this page holds the kept
/// fields in a form to the original URL and submits it by script at once, with a visible button for browsers without
/// script. The post then goes through the gateway like any other, with the new session. The kept post is removed as it
/// is read: reloading this page or opening it in another browser shows "gone", never a second submission.
/// </summary>
internal static class ResumeEndpoint
{
    public static async Task ResumeAsync(HttpContext context, PreservedPosts posts, GatewayPaths paths, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ResumeEndpoint));
        var id = context.Request.Query["id"].ToString();
        var session = await context.AuthenticateAsync(GatewaySchemes.Session);
        if (!session.Succeeded || session.Principal is null)
        {
            // Not signed in (yet): keep the post and offer the sign-in that comes back here. Never re-post without a
            // session, which would only start another sign-in.
            var back = Sessions.SessionHandle.IsWellFormed(id) ? paths.Resume + "?id=" + id : "/";
            Observability.AuditTrail.Of(context).Unauthenticated(context, null, "no session to send a kept form post again");
            await ErrorResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthenticated", "Please sign in",
                "Sign in to send the form you submitted earlier.", paths.SignInReturningTo(back), "Sign in",
                wwwAuthenticate: "Cookie realm=\"gateway\"");
            return;
        }

        var post = await posts.TakeAsync(context, id);
        if (post is null)
        {
            logger.PreservedPostUnavailable();
            await ErrorResponses.WriteAsync(context, StatusCodes.Status410Gone, "form_gone", "This form is no longer available",
                "The form you submitted before signing in was already sent, has expired (after 15 minutes), or was kept in another browser. It was not sent again. Please go back and submit it again if needed.",
                "/", "Go to the home page");
            return;
        }

        logger.PreservedPostReplayed(session.Principal.FindFirst("sub")?.Value, post.Fields.Count);
        await WritePageAsync(context, post);
    }

    private static async Task WritePageAsync(HttpContext context, PreservedPost post)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

        var inputs = new StringBuilder();
        foreach (var (name, value) in post.Fields)
        {
            inputs.Append("<input type=\"hidden\" name=\"").Append(HtmlAttribute(name)).Append("\" value=\"").Append(HtmlAttribute(value)).Append("\">\n");
        }

        // A field named "submit" would hide form.submit(): call the prototype's method. accept-charset: the fields are UTF-8.
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sending your form</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
            </head><body>
            <h1>Sending your form</h1>
            <form id="gateway-resume" method="post" action="{{HtmlAttribute(post.Url)}}" enctype="application/x-www-form-urlencoded" accept-charset="utf-8">
            {{inputs}}<p>You are signed in again. The form you submitted before is being sent; if nothing happens, press Continue.</p>
            <p><button type="submit">Continue</button></p>
            </form>
            <script nonce="{{nonce}}">HTMLFormElement.prototype.submit.call(document.getElementById("gateway-resume"));</script>
            </body></html>
            """;
        await response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>HTML-encoded for a double-quoted attribute; CR and LF as character references so the parser keeps them.</summary>
    private static string HtmlAttribute(string value) =>
        WebUtility.HtmlEncode(value).Replace("\r", "&#13;", StringComparison.Ordinal).Replace("\n", "&#10;", StringComparison.Ordinal).Replace("\t", "&#9;", StringComparison.Ordinal);
}
