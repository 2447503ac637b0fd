using Gateway.Configuration;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Skips ASP.NET Core's authentication handlers for a request whose session this instance validated moments ago and
/// for which nothing is due (no refresh, sliding renewal or expiry before the recorded instant, at most
/// <c>Gateway:Session:CacheDuration</c>): the cached principal becomes the request's user. Everything else (no cookie,
/// an unknown or tampered cookie, bearer callers, the gateway's own endpoints, anything due) takes the standard path.
/// Sign-out and refresh drop the record on this instance, and Redis pub/sub drops it on the others.
/// </summary>
internal sealed class SessionFastPath(SessionCache cache, IOptions<GatewayOptions> options, IOptionsMonitor<CookieAuthenticationOptions> cookieOptions, TimeProvider time, Observability.GatewayMetrics metrics)
{
    private readonly PathString _basePath = options.Value.BasePath;
    private readonly string _cookieName = options.Value.Session.CookieName;

    /// <summary>True when the request was authenticated from the cache (the handlers must not run).</summary>
    public bool TryAuthenticate(HttpContext context)
    {
        var request = context.Request;
        if (!cache.Enabled || !request.Headers.ContainsKey("Cookie") || request.Path.StartsWithSegments(_basePath) ||
            BearerSelection.SelectScheme(context) != GatewaySchemes.Session)
        {
            return false;
        }

        var cookie = cookieOptions.Get(GatewaySchemes.Session).CookieManager.GetRequestCookie(context, _cookieName);
        if (string.IsNullOrEmpty(cookie))
        {
            return false;
        }

        var key = SessionCache.KeyFor(context, cookie);
        var principal = cache.GetValidated(key, time.GetUtcNow());
        metrics.SessionCacheLookup(principal is not null);
        if (principal is null)
        {
            return false;
        }

        context.User = principal;
        return true;
    }
}

/// <summary>
/// In place of <c>UseAuthentication()</c>: a request the fast path recognises goes straight on, every other one runs
/// ASP.NET Core's own <see cref="AuthenticationMiddleware"/> (remote sign-in callbacks, the default scheme, …).
/// </summary>
internal sealed class GatewayAuthenticationMiddleware(RequestDelegate next, IAuthenticationSchemeProvider schemes, SessionFastPath fastPath)
{
    private readonly AuthenticationMiddleware _standard = new(next, schemes);

    public Task InvokeAsync(HttpContext context) => fastPath.TryAuthenticate(context) ? next(context) : _standard.Invoke(context);
}

internal static class GatewayAuthenticationExtensions
{
    /// <summary>The key <c>UseAuthentication()</c> sets so WebApplication does not add a second authentication middleware in front of the pipeline.</summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    public static IApplicationBuilder UseGatewayAuthentication(this IApplicationBuilder app)
    {
        app.Properties[AuthenticationMiddlewareSetKey] = true;
        return app.UseMiddleware<GatewayAuthenticationMiddleware>();
    }
}
