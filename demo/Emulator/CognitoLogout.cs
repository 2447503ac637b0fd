namespace Gateway.Demo.Emulator;

/// <summary>What <c>GET /logout</c> does: redirect (after ending the hosted-UI session) or show an error page.</summary>
/// <param name="Client">The app client named by <c>client_id</c>; null on an error.</param>
/// <param name="RedirectTo">The registered <c>logout_uri</c>, or the authorize URL of the sign-in-again form; null on an error.</param>
/// <param name="Error">The error page's code and description (status 400); null when the logout is accepted.</param>
public sealed record LogoutDecision(EmulatorClient? Client, string? RedirectTo, CognitoError? Error);

/// <summary>
/// Cognito's <c>/logout</c> rules. Two accepted forms: <c>client_id</c> + a <c>logout_uri</c> that exactly matches an
/// allowed sign-out URL of that app client; or <c>client_id</c> + <c>redirect_uri</c> (an allowed callback URL) +
/// <c>response_type=code</c>, which ends the session and leads back to the sign-in page. Anything else, including the
/// generic <c>id_token_hint</c>/<c>post_logout_redirect_uri</c>, is a 400 error page, never a redirect or a 200.
/// </summary>
public static class CognitoLogout
{
    /// <param name="query">Reads a query parameter.</param>
    /// <param name="rawQuery">The query string as received (with its leading <c>?</c>), carried over to the authorize URL.</param>
    /// <param name="authorizeUrl">Where the sign-in-again form leads, e.g. <c>/oauth2/authorize</c>.</param>
    /// <param name="clients">The pool's app clients.</param>
    public static LogoutDecision Evaluate(Func<string, string?> query, string? rawQuery, string authorizeUrl, IEnumerable<EmulatorClient> clients)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(clients);
        var clientId = query("client_id");
        var client = string.IsNullOrEmpty(clientId)
            ? null
            : clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
        if (client is null)
        {
            return Reject("invalid_request", "Required String parameter 'client_id' is not present or is not a known app client.");
        }

        var logoutUri = query("logout_uri");
        if (logoutUri is not null)
        {
            return client.SignOutUrls.Contains(logoutUri, StringComparer.Ordinal)
                ? new LogoutDecision(client, logoutUri, null)
                : Reject("redirect_mismatch", "logout_uri does not match an allowed sign-out URL of the app client.");
        }

        var redirectUri = query("redirect_uri");
        if (redirectUri is not null && string.Equals(query("response_type"), "code", StringComparison.Ordinal))
        {
            return client.CallbackUrls.Contains(redirectUri, StringComparer.Ordinal)
                ? new LogoutDecision(client, authorizeUrl + (rawQuery ?? ""), null)
                : Reject("redirect_mismatch", "redirect_uri does not match an allowed callback URL of the app client.");
        }

        return Reject("invalid_request",
            "Required String parameter 'logout_uri' is not present (or 'redirect_uri' with 'response_type=code'). Cognito ignores id_token_hint and post_logout_redirect_uri.");
    }

    private static LogoutDecision Reject(string error, string description) => new(null, null, new CognitoError(400, error, description));
}
