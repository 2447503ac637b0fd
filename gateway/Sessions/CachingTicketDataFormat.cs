using Microsoft.AspNetCore.Authentication;

namespace Gateway.Sessions;

/// <summary>
/// Cookie store: the encrypted ticket format, with decrypted tickets cached for a few seconds by a hash
/// of the cookie value. The request's cache key is remembered (<see cref="SessionKeyFeature"/>) so sign-out and refresh can drop it.
/// </summary>
internal sealed class CachingTicketDataFormat(ISecureDataFormat<AuthenticationTicket> inner, SessionCache cache, IHttpContextAccessor accessor)
    : ISecureDataFormat<AuthenticationTicket>
{
    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (string.IsNullOrEmpty(protectedText))
        {
            return null;
        }

        var key = SessionCache.KeyFor(accessor.HttpContext, protectedText);

        var cached = cache.Get(key);
        if (cached is not null)
        {
            return cached;
        }

        var ticket = inner.Unprotect(protectedText, purpose);
        if (ticket is not null)
        {
            cache.Set(key, ticket);
        }

        return ticket;
    }
}
