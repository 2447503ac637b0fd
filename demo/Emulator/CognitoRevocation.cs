namespace Gateway.Demo.Emulator;

/// <summary>
/// Cognito's <c>POST /oauth2/revoke</c> rules, in the order Cognito applies them: bad client credentials 401
/// <c>invalid_client</c>; no <c>token</c> 400 <c>invalid_request</c>; revocation disabled for the app client 400
/// <c>invalid_request</c>; an access or ID token 400 <c>unsupported_token_type</c> (only refresh tokens can be revoked).
/// Otherwise 200 with an empty body, also for an unknown or already revoked refresh token.
/// </summary>
public static class CognitoRevocation
{
    /// <summary>The error to answer, or null when the caller should revoke <paramref name="token"/> and answer 200.</summary>
    public static CognitoError? Check(ClientAuthenticationResult client, string? token)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (client.Client is null)
        {
            return CognitoClientAuthentication.Error(client, revoke: true);
        }

        if (string.IsNullOrEmpty(token))
        {
            return new CognitoError(400, "invalid_request", "token is missing");
        }

        if (!client.Client.EnableTokenRevocation)
        {
            return new CognitoError(400, "invalid_request", "token revocation is disabled for the app client");
        }

        return CognitoRefreshTokens.IsSignedJwt(token)
            ? new CognitoError(400, "unsupported_token_type", "only refresh tokens can be revoked")
            : null;
    }
}
