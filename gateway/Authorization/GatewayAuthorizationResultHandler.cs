using Gateway.Authentication;
using Gateway.Configuration;
using Gateway.Errors;
using Gateway.IdentityProvider;
using Gateway.Observability;
using Gateway.Paths;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;

namespace Gateway.Authorization;

/// <summary>
/// Decides what an unauthenticated or unauthorized request sees: browsers are sent to sign in,
/// API/XHR callers and WebSocket upgrades get 401 JSON (never a redirect to HTML), signed-in users outside
/// a policy get 403, a refused bearer token gets 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c>,
/// and a route's <c>Gateway.*</c> metadata can force Redirect, Deny or Allow and let CORS preflights through.
/// </summary>
internal sealed class GatewayAuthorizationResultHandler(GatewayPaths paths, PreservedPosts preservedPosts) : IAuthorizationMiddlewareResultHandler
{
    private const string CookieChallenge = "Cookie realm=\"gateway\"";
    private const string BearerChallenge = "Bearer realm=\"gateway\"";

    /// <summary>An authorized request (nearly every one) goes on without an async state machine of its own.</summary>
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Succeeded ? next(context) : HandleRefusedAsync(next, context, authorizeResult);

    private async Task HandleRefusedAsync(RequestDelegate next, HttpContext context, PolicyAuthorizationResult authorizeResult)
    {
        var settings = RouteSettings.Of(context);
        if (settings.AllowCorsPreflight && RequestKind.IsCorsPreflight(context.Request))
        {
            await next(context);
            return;
        }

        var user = context.User;
        if (authorizeResult.Forbidden && user.Identity?.IsAuthenticated == true)
        {
            AuditTrail.Of(context).Forbidden(context, RouteId(context), ForbiddenReason(context, authorizeResult.AuthorizationFailure));
            await WriteForbiddenAsync(context, authorizeResult.AuthorizationFailure, ScopeRequirement.IsBearerCaller(user));
            return;
        }

        if (settings.Bearer && BearerSelection.HasBearerHeader(context.Request))
        {
            // The caller chose to authenticate with a token and it was refused: say why, even on Allow routes.
            await context.ChallengeAsync(GatewaySchemes.Bearer);
            return;
        }

        if (settings.Unauthenticated == UnauthenticatedBehavior.Allow)
        {
            await next(context);
            return;
        }

        if (settings.Unauthenticated == UnauthenticatedBehavior.Deny ||
            RequestKind.IsUpgradeRequest(context) ||
            (settings.Unauthenticated == UnauthenticatedBehavior.Auto && RequestKind.IsApiRequest(context.Request)))
        {
            AuditTrail.Of(context).Unauthenticated(context, RouteId(context),
                settings.Unauthenticated == UnauthenticatedBehavior.Deny ? "no session; the route denies anonymous callers"
                : RequestKind.IsUpgradeRequest(context) ? "no session on a WebSocket upgrade"
                : "no session on an API request");
            await WriteUnauthenticatedAsync(context, paths, settings.Bearer);
            return;
        }

        var returnUrl = ReturnUrl.FromRequest(context.Request);
        if (settings.PreservePost && HttpMethods.IsPost(context.Request.Method) && !RequestKind.IsApiRequest(context.Request))
        {
            // A form posted after the session ran out: keep it through the sign-in and send it again afterwards, or say
            // plainly that it could not be kept. A redirect alone would turn it into a GET and lose what the user typed.
            var (id, _) = await preservedPosts.PreserveAsync(context);
            if (id is null)
            {
                AuditTrail.Of(context).Unauthenticated(context, RouteId(context), "no session on a form post that could not be kept");
                await WriteFormNotKeptAsync(context);
                return;
            }

            returnUrl = paths.Resume + "?id=" + id;
        }

        await Authentication.AppChallenge.ChallengeAsync(context, new AuthenticationProperties { RedirectUri = returnUrl });
    }

    private static string? RouteId(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId;

    /// <summary>Which policy refused, and which of its requirements failed (configured names and values only, never the user's claims).</summary>
    private static string ForbiddenReason(HttpContext context, AuthorizationFailure? failure)
    {
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.AuthorizationPolicy;
        var failed = failure?.FailedRequirements.Select(PolicyRequirementText.Describe).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        return $"policy '{(string.IsNullOrWhiteSpace(policy) ? GatewayPolicies.Default : policy)}' not met" +
               (failed.Length > 0 ? ": failed " + string.Join("; ", failed) : string.Empty);
    }

    /// <summary>
    /// A form post without a session that cannot be kept (a file upload, too large, sent from another site, …): say that
    /// the session ended and the form must be sent again, and offer sign-in back to the page the form came from.
    /// </summary>
    private Task WriteFormNotKeptAsync(HttpContext context)
    {
        var back = FormPage(context.Request) ?? ReturnUrl.FromRequest(context.Request);
        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status401Unauthorized,
            "session_ended",
            "Your session has ended",
            "You were signed out before this form was sent, and it could not be kept for you (for example because it uploads a file or is very large). Nothing was sent. Please sign in, then fill in and submit the form again.",
            paths.SignInReturningTo(back),
            "Sign in",
            wwwAuthenticate: CookieChallenge);
    }

    /// <summary>The page the form was on (Referer), when it is a page of this origin.</summary>
    private static string? FormPage(HttpRequest request)
    {
        if (!Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer) ||
            !string.Equals(referer.GetLeftPart(UriPartial.Authority), request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return ReturnUrl.TryGetLocal(referer.PathAndQuery, out var local) ? local : null;
    }

    /// <param name="returnUrl">An already accepted return URL for the sign-in link (forward-auth: the original request); default this request.</param>
    public static Task WriteUnauthenticatedAsync(HttpContext context, GatewayPaths paths, bool bearer = false, string? returnUrl = null)
    {
        var signIn = paths.SignInReturningTo(returnUrl ?? ReturnUrl.FromRequest(context.Request));
        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status401Unauthorized,
            "unauthenticated",
            "Please sign in",
            "You need to sign in to open this page.",
            signIn,
            "Sign in",
            wwwAuthenticate: bearer ? new StringValues([CookieChallenge, BearerChallenge]) : CookieChallenge);
    }

    private Task WriteForbiddenAsync(HttpContext context, AuthorizationFailure? failure, bool bearerCaller)
    {
        if (!bearerCaller)
        {
            return ErrorResponses.WriteAsync(
                context,
                StatusCodes.Status403Forbidden,
                "forbidden",
                "You don't have access to this page",
                "You are signed in, but your account does not meet this page's access rules (for example a group it must be in). Ask the site's administrator for access, or sign in with another account.",
                paths.SignOut,
                "Sign out");
        }

        var scopes = failure?.FailedRequirements.OfType<ScopeRequirement>().SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        return scopes.Length > 0
            ? ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "insufficient_scope", "Insufficient scope",
                "The access token lacks a scope this route needs.",
                wwwAuthenticate: $"Bearer realm=\"gateway\", error=\"insufficient_scope\", scope=\"{string.Join(' ', scopes)}\"", forceJson: true)
            : ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden", "Forbidden",
                "The token is valid, but its user does not meet this route's access rules.", forceJson: true);
    }
}
