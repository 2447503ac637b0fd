using System.Security.Cryptography;
using System.Text;

namespace Gateway.Demo.Emulator;

/// <summary>The client a token or revoke request authenticated as, or why it failed.</summary>
/// <param name="Client">The authenticated app client; null when authentication failed.</param>
/// <param name="Reason">Why it failed (for the log; never contains the secret).</param>
public sealed record ClientAuthenticationResult(EmulatorClient? Client, string Reason)
{
    public bool Succeeded => Client is not null;
}

/// <summary>
/// Cognito's client authentication on <c>/oauth2/token</c> and <c>/oauth2/revoke</c>: <c>client_secret_basic</c>
/// (<c>Basic base64(urlencode(id):urlencode(secret))</c>) or <c>client_secret_post</c>, or a bare <c>client_id</c>
/// for an app client without a secret. When the app client has a secret, every call must carry it.
/// </summary>
public static class CognitoClientAuthentication
{
    /// <param name="authorizationHeader">The request's Authorization header, if any.</param>
    /// <param name="form">Reads a field of the form body.</param>
    /// <param name="clients">The pool's app clients.</param>
    public static ClientAuthenticationResult Authenticate(
        string? authorizationHeader, Func<string, string?> form, IEnumerable<EmulatorClient> clients)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(clients);
        string? clientId;
        string? secret;
        if (authorizationHeader is not null && authorizationHeader.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorizationHeader["Basic ".Length..].Trim()));
            }
            catch (FormatException)
            {
                return Failed("malformed Basic credentials");
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return Failed("malformed Basic credentials");
            }

            clientId = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
            secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
            var bodyClientId = form("client_id");
            if (bodyClientId is not null && !string.Equals(bodyClientId, clientId, StringComparison.Ordinal))
            {
                return Failed("client_id in the body differs from the Basic credentials");
            }
        }
        else
        {
            clientId = form("client_id");
            secret = form("client_secret");
        }

        var client = string.IsNullOrEmpty(clientId)
            ? null
            : clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
        if (client is null)
        {
            return Failed("client unknown or missing");
        }

        if (client.ClientSecret is not null
            && (string.IsNullOrEmpty(secret)
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(client.ClientSecret), Encoding.UTF8.GetBytes(secret))))
        {
            return Failed("client secret missing or wrong");
        }

        return new ClientAuthenticationResult(client, "");
    }

    /// <summary>
    /// The answer to a failed client authentication: 400 <c>invalid_client</c> on the token endpoint,
    /// 401 <c>invalid_client</c> on the revocation endpoint (as Cognito documents each).
    /// </summary>
    public static CognitoError Error(ClientAuthenticationResult result, bool revoke) =>
        new(revoke ? 401 : 400, "invalid_client", result.Reason);

    private static ClientAuthenticationResult Failed(string reason) => new(null, reason);
}
