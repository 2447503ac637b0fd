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
    private const int ChunkSize = 4050;

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

    /// <summary>Bytes of the Cookie header entries the session needs: the value split into 4050-byte chunks, each with its name.</summary>
    public int MeasureCookieBytes(AuthenticationTicket ticket)
    {
        var cookie = cookieOptions.Get(GatewaySchemes.Session);
        var value = cookie.TicketDataFormat.Protect(new AuthenticationTicket(ticket.Principal, ticket.Properties, GatewaySchemes.Session));
        var name = options.Value.Session.CookieName;
        if (value.Length <= ChunkSize)
        {
            return name.Length + 1 + value.Length;
        }

        var chunks = (value.Length + ChunkSize - 1) / ChunkSize;
        return (name.Length + 1 + "chunks-".Length + chunks.ToString(System.Globalization.CultureInfo.InvariantCulture).Length)
               + value.Length + (chunks * (name.Length + 4 + 2));
    }
}
