using Gateway.Configuration;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Cookie store only: measures the cookies a new session would need (all chunks together) and refuses
/// sessions above <c>Gateway:Session:MaxCookieBytes</c> with a clear page, instead of letting a proxy or
/// browser drop them later and leave the user in a broken session.
/// </summary>
internal sealed class SessionSizeGuard(IOptions<GatewayOptions> options, IOptionsMonitor<CookieAuthenticationOptions> cookieOptions)
{
    public int? TooLarge(AuthenticationTicket ticket)
    {
        var session = options.Value.Session;
        if (session.Store != SessionStoreKind.Cookie)
        {
            return null;
        }

        var size = MeasureCookieBytes(ticket);
        return size > session.MaxCookieBytes ? size : null;
    }

    /// <summary>
    /// Bytes of the Cookie header entries the session needs: the cookie handler's own cookie manager (which splits a large
    /// value into chunks) writes the session's cookies to a scratch response, and their <c>name=value</c> pairs are counted
    /// as a browser sends them back (joined by "; ").
    /// </summary>
    public int MeasureCookieBytes(AuthenticationTicket ticket)
    {
        var cookie = cookieOptions.Get(GatewaySchemes.Session);
        var value = cookie.TicketDataFormat.Protect(new AuthenticationTicket(ticket.Principal, ticket.Properties, GatewaySchemes.Session));
        var scratch = new DefaultHttpContext();
        cookie.CookieManager.AppendResponseCookie(scratch, cookie.Cookie.Name!, value, cookie.Cookie.Build(scratch));
        var bytes = 0;
        foreach (var header in scratch.Response.Headers.SetCookie)
        {
            var pair = header.AsSpan();
            var end = pair.IndexOf(';');
            if (end > 0 && pair[end - 1] == '=')
            {
                // A deletion (HostOnlyCookieCleanup): the browser sends nothing back for it.
                continue;
            }

            bytes += (bytes == 0 ? 0 : 2) + (end < 0 ? pair.Length : end);
        }

        return bytes;
    }
}
