using System.Net;
using System.Text.Json;
using Gateway.Errors;
using Gateway.IdentityProvider;
using Gateway.Paths;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Endpoints;

/// <summary>
/// The two pages around sign-out: "Sign out?" (a GET of the sign-out path never signs out; its button POSTs) and
/// "You are signed out" (where the provider's logout returns, <c>SignOutUri</c>). Neither needs a session, neither may be
/// cached or framed, and API callers get JSON.
/// </summary>
internal static class SignOutPages
{
    private const string Style = "body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}a{color:#0a58ca}button{font-size:1rem;padding:.4rem 1.2rem;margin-right:1rem}";

    /// <summary><c>GET {BasePath}/sign_out</c>: the confirmation page, with a same-origin form that carries the anti-forgery token.</summary>
    public static async Task ConfirmAsync(HttpContext context, GatewayPaths paths, Configuration.CrossHostSettings crossHost, IAntiforgery antiforgery, ILoggerFactory loggers)
    {
        var rd = context.Request.Query["rd"].ToString();
        if (!ReturnUrl.TryGetAllowed(rd, crossHost.For(context).RedirectHosts, out _))
        {
            loggers.CreateLogger(typeof(AuthEndpoints)).ReturnUrlRejected("sign_out");
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_return_url", "That link is not allowed",
                "The sign-out link asked to go to another site afterwards. Only pages of this site are allowed.", "/", "Go to the home page");
            return;
        }

        if (RequestKind.IsApiRequest(context.Request))
        {
            // An <img>, a prefetch or a script's GET: nothing happens. Scripts of this site sign out with a POST.
            context.Response.Headers.Allow = HttpMethods.Post;
            await WriteJsonAsync(context, StatusCodes.Status405MethodNotAllowed, new Dictionary<string, object?>
            {
                ["error"] = "post_required",
                ["message"] = "Sign out with a POST from this site (a form or a same-origin fetch); a GET only shows the sign-out page.",
                ["status"] = StatusCodes.Status405MethodNotAllowed,
            });
            return;
        }

        var tokens = antiforgery.GetAndStoreTokens(context);
        var returnField = string.IsNullOrEmpty(rd)
            ? string.Empty
            : $"<input type=\"hidden\" name=\"rd\" value=\"{WebUtility.HtmlEncode(rd)}\">";
        await WriteHtmlAsync(context, StatusCodes.Status200OK, PageTemplates.SignOut, "Sign out?", "You will be signed out of this site and of its sign-in service.", $"""
            <h1>Sign out?</h1>
            <p>You will be signed out of this site and of its sign-in service.</p>
            <form method="post" action="{WebUtility.HtmlEncode(paths.SignOut)}">
            <input type="hidden" name="{SignOutGuard.TokenField}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}">
            {returnField}
            <button type="submit" id="sign-out" autofocus>Sign out</button><a id="cancel" href="/">Cancel</a>
            </form>
            """);
    }

    /// <summary>
    /// <c>GET {BasePath}/signed_out</c>: where the provider's logout should return. It sends the browser on to the page the
    /// sign-out kept (<see cref="SignOutReturn"/>), or says "signed out", unless a session is still alive here.
    /// </summary>
    public static async Task SignedOutAsync(HttpContext context, GatewayPaths paths, Configuration.CrossHostSettings crossHost, SignOutReturn signOutReturn)
    {
        // Endpoints open to anonymous callers skip the default authentication (they must not wait for the session store),
        // so look at the session here; a store that cannot answer counts as "signed out" (the provider just said so).
        var signedIn = false;
        if (context.Request.Headers.ContainsKey("Cookie"))
        {
            try
            {
                signedIn = (await context.AuthenticateAsync(GatewaySchemes.Session)).Succeeded;
            }
            catch (Sessions.SessionStoreUnavailableException)
            {
            }
        }
        // A browser coming back from the provider's logout, with a page kept by the sign-out that sent it there: on to it, once.
        if (!signedIn && !RequestKind.IsApiRequest(context.Request) && signOutReturn.Take(context, crossHost.For(context)) is { } returnUrl)
        {
            NoCacheNoFrames(context.Response);
            context.Response.Redirect(returnUrl);
            return;
        }

        if (RequestKind.IsApiRequest(context.Request))
        {
            await WriteJsonAsync(context, StatusCodes.Status200OK, signedIn
                ? new Dictionary<string, object?> { ["signed_in"] = true, ["sign_out_url"] = paths.SignOut }
                : new Dictionary<string, object?> { ["signed_in"] = false, ["sign_in_url"] = paths.SignIn });
            return;
        }

        if (signedIn)
        {
            await WriteHtmlAsync(context, StatusCodes.Status200OK, null, "You are still signed in", "This browser still has a session on this site.", $"""
                <h1>You are still signed in</h1>
                <p>This browser still has a session on this site.</p>
                <p><a id="sign-out" href="{WebUtility.HtmlEncode(paths.SignOut)}">Sign out</a></p>
                """);
            return;
        }

        await WriteHtmlAsync(context, StatusCodes.Status200OK, PageTemplates.SignedOut, "You are signed out", "Your session on this site has ended.", $"""
            <h1>You are signed out</h1>
            <p>Your session on this site has ended.</p>
            <p><a id="sign-in" href="{WebUtility.HtmlEncode(paths.SignIn)}">Sign in again</a></p>
            """);
    }

    private static void NoCacheNoFrames(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";

        // No form-action: the sign-out POST is redirected on to the provider's logout, which form-action would block.
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
    }

    /// <summary>The page in the operator's template for <paramref name="page"/> when there is one, else the built-in layout.</summary>
    private static async Task WriteHtmlAsync(HttpContext context, int status, string? page, string title, string message, string body)
    {
        var response = context.Response;
        response.StatusCode = status;
        NoCacheNoFrames(response);
        response.ContentType = "text/html; charset=utf-8";
        var branded = page is null
            ? null
            : PageTemplates.Of(context).Render(page, new PageValues(status, page, title, message, body.Trim(), null, null, context.Request.PathBase.Value + context.Request.Path.Value));
        if (branded is not null)
        {
            response.Headers.ContentSecurityPolicy = PageTemplates.ContentSecurityPolicy;
            await response.WriteAsync(branded, context.RequestAborted);
            return;
        }

        await response.WriteAsync($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{WebUtility.HtmlEncode(title)}}</title>
            <style>{{Style}}</style>
            </head><body>
            {{body}}
            </body></html>
            """, context.RequestAborted);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Dictionary<string, object?> payload)
    {
        var response = context.Response;
        response.StatusCode = status;
        NoCacheNoFrames(response);
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(JsonSerializer.Serialize(payload), context.RequestAborted);
    }
}
