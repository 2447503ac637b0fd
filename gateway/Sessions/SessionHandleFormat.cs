using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Sessions;

/// <summary>
/// Redis store: the cookie carries only the session handle (43 characters of a 256-bit random value).
/// The cookie handler wraps the handle in a one-claim ticket; this format writes and reads just the handle.
/// Anything that is not a well-formed handle means "not signed in".
/// </summary>
internal sealed class SessionHandleFormat(string scheme) : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>The claim type ASP.NET Core's cookie handler uses for the session-store key.</summary>
    public const string SessionIdClaim = "Microsoft.AspNetCore.Authentication.Cookies-SessionId";

    public string Protect(AuthenticationTicket data) => Protect(data, purpose: null);

    public string Protect(AuthenticationTicket data, string? purpose)
    {
        var handle = data.Principal.FindFirst(SessionIdClaim)?.Value;
        if (handle is null || !SessionHandle.IsWellFormed(handle))
        {
            throw new InvalidOperationException("Server-side sessions need a ticket store: the ticket has no session handle.");
        }

        return handle;
    }

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || !SessionHandle.IsWellFormed(protectedText))
        {
            return null;
        }

        var identity = new ClaimsIdentity([new Claim(SessionIdClaim, protectedText)], scheme);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), scheme);
    }
}

internal static class SessionHandle
{
    public const int Length = 43;

    public static string Create() =>
        Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string value)
    {
        if (value.Length != Length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
