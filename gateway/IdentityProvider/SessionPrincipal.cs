using System.Security.Claims;
using Gateway.Configuration;

namespace Gateway.IdentityProvider;

/// <summary>
/// The principal kept in a session: the same claims, without per-claim issuer and value-type baggage, shaped for
/// federated Cognito users (see <see cref="FederatedIdentity"/>). Sign-in and refresh both build it here.
/// </summary>
internal static class SessionPrincipal
{
    public static ClaimsPrincipal Compact(ClaimsPrincipal principal, IdentityProviderSettings provider)
    {
        var source = principal.Identities.First();
        var claims = FederatedIdentity.ShapeIdTokenClaims(principal.Claims.ToList(), provider).Select(c => new Claim(c.Type, c.Value));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, source.AuthenticationType, source.NameClaimType, source.RoleClaimType));
    }
}
