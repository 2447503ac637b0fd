using Gateway.Configuration;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Gateway.Authentication;

/// <summary>
/// Where the browser goes to end the provider's own session. Cognito: <c>{hosted UI}/logout?client_id=…&amp;logout_uri=…</c>
/// (it ignores and rejects the standard parameters). Other providers: RP-initiated logout at <c>end_session_endpoint</c>.
/// </summary>
internal static class LogoutUrl
{
    public static string? Build(IdentityProviderSettings provider, OpenIdConnectConfiguration configuration, string signOutUri, string? idToken)
    {
        if (provider.Dialect == ProviderDialect.Cognito)
        {
            var origin = provider.HostedUiOrigin?.GetLeftPart(UriPartial.Authority)
                         ?? (Uri.TryCreate(configuration.AuthorizationEndpoint, UriKind.Absolute, out var authorize) ? authorize.GetLeftPart(UriPartial.Authority) : null);
            if (origin is null)
            {
                return null;
            }

            return QueryHelpers.AddQueryString(origin + "/logout", new Dictionary<string, string?>
            {
                ["client_id"] = provider.ClientId,
                ["logout_uri"] = signOutUri,
            });
        }

        if (string.IsNullOrEmpty(configuration.EndSessionEndpoint))
        {
            return null;
        }

        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = provider.ClientId,
            ["post_logout_redirect_uri"] = signOutUri,
        };
        if (!string.IsNullOrEmpty(idToken))
        {
            parameters["id_token_hint"] = idToken;
        }

        return QueryHelpers.AddQueryString(configuration.EndSessionEndpoint, parameters);
    }
}
