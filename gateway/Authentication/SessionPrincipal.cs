using System.Security.Claims;

namespace Gateway.Authentication;

/// <summary>The principal kept in a session: the same claims, without per-claim issuer and value-type baggage.</summary>
internal static class SessionPrincipal
{
    public static ClaimsPrincipal Compact(ClaimsPrincipal principal)
    {
        var source = principal.Identities.First();
        var claims = principal.Claims.Select(c => new Claim(c.Type, c.Value));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, source.AuthenticationType, source.NameClaimType, source.RoleClaimType));
    }
}
