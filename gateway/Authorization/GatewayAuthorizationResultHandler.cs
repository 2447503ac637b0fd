using Gateway.Authentication;
using Gateway.Configuration;
using Gateway.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Gateway.Authorization;

/// <summary>
/// Decides what an unauthenticated or unauthorized request sees: browsers are sent to sign in,
/// API/XHR callers get 401 JSON (never a redirect to HTML), signed-in users outside a policy get 403,
/// and a route's <c>Gateway.Unauthenticated</c> metadata can force Redirect, Deny or Allow.
/// </summary>
internal sealed class GatewayAuthorizationResultHandler(IOptions<GatewayOptions> gatewayOptions) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            await ErrorResponses.WriteAsync(
                context,
                StatusCodes.Status403Forbidden,
                "forbidden",
                "You don't have access to this page",
                "You are signed in, but your account is not in a group that may open this page. Ask the site's administrator for access, or sign in with another account.",
                gatewayOptions.Value.BasePath + "/sign_out",
                "Sign out");
            return;
        }

        var behavior = RouteBehavior(context);
        if (behavior == UnauthenticatedBehavior.Allow)
        {
            await next(context);
            return;
        }

        if (behavior == UnauthenticatedBehavior.Deny || (behavior == UnauthenticatedBehavior.Auto && RequestKind.IsApiRequest(context.Request)))
        {
            await WriteUnauthenticatedAsync(context, gatewayOptions.Value.BasePath);
            return;
        }

        var request = context.Request;
        await context.ChallengeAsync(
            GatewaySchemes.OpenIdConnect,
            new AuthenticationProperties { RedirectUri = request.PathBase + request.Path + request.QueryString });
    }

    public static Task WriteUnauthenticatedAsync(HttpContext context, string basePath)
    {
        var request = context.Request;
        var signIn = basePath + "/sign_in?rd=" + Uri.EscapeDataString(request.PathBase + request.Path + request.QueryString);
        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status401Unauthorized,
            "unauthenticated",
            "Please sign in",
            "You need to sign in to open this page.",
            signIn,
            "Sign in",
            wwwAuthenticate: "Cookie realm=\"gateway\"");
    }

    private static UnauthenticatedBehavior RouteBehavior(HttpContext context)
    {
        var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>();
        var value = route?.Config.Metadata?.GetValueOrDefault(RouteMetadataKeys.Unauthenticated);
        return GatewayConfigurationValidator.TryParseBehavior(value, out var behavior) ? behavior : UnauthenticatedBehavior.Deny;
    }
}
