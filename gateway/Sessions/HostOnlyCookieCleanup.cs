using Microsoft.AspNetCore.Authentication.Cookies;

namespace Gateway.Sessions;

/// <summary>
/// With <c>Gateway:Session:CookieDomain</c> set, a browser may still hold a host-only session cookie (and chunks) from
/// before, under the same name: it would be sent beside the domain cookie, read first, and outlive every sign-out (a
/// deletion with <c>Domain</c> does not touch it), so an ended session could keep coming back. Whenever the session
/// cookie is written or deleted, a host-only cookie of that name (and the host-only chunks the request carries) is
/// expired as well.
/// </summary>
internal sealed class HostOnlyCookieCleanup(ICookieManager inner) : ICookieManager
{
    public string? GetRequestCookie(HttpContext context, string key) => inner.GetRequestCookie(context, key);

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options)
    {
        // First: a later deletion without Domain would replace an earlier Set-Cookie of the same name and path.
        ExpireHostOnly(context, key, options);
        inner.AppendResponseCookie(context, key, value, options);
    }

    public void DeleteCookie(HttpContext context, string key, CookieOptions options)
    {
        ExpireHostOnly(context, key, options);
        inner.DeleteCookie(context, key, options);
    }

    private static void ExpireHostOnly(HttpContext context, string cookieName, CookieOptions options)
    {
        if (string.IsNullOrEmpty(options.Domain))
        {
            return;
        }

        // The name itself always (sign-in hides the gateway's cookies from the request, see GatewayOpenIdConnectEvents), chunks
        // when the request shows them.
        Expire(context, cookieName, options);
        foreach (var name in context.Request.Cookies.Keys)
        {
            if (!string.Equals(name, cookieName, StringComparison.OrdinalIgnoreCase) && IsSessionCookie(name, cookieName))
            {
                Expire(context, name, options);
            }
        }
    }

    private static void Expire(HttpContext context, string name, CookieOptions options) =>
        context.Response.Cookies.Delete(name, new CookieOptions
        {
            Path = options.Path,
            Secure = options.Secure,
            HttpOnly = true,
            SameSite = options.SameSite,
        });

    /// <summary>The session cookie or one of its chunks (<c>NAME</c>, <c>NAMEC1</c>, …).</summary>
    private static bool IsSessionCookie(string name, string cookieName)
    {
        if (!name.StartsWith(cookieName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = name.AsSpan(cookieName.Length);
        return rest.IsEmpty || (rest.Length > 1 && (rest[0] == 'C' || rest[0] == 'c') && !rest[1..].ContainsAnyExceptInRange('0', '9'));
    }
}
