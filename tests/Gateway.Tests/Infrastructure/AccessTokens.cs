namespace Gateway.Tests.Infrastructure;

/// <summary>Mints Cognito-shaped tokens for bearer tests, signed by the fake pool's primary key.</summary>
public static class AccessTokens
{
    /// <summary>A valid access token for <see cref="FakeCognito.User"/>; <paramref name="customize"/> may change any claim or the key.</summary>
    public static string MintAccessToken(this FakeCognito cognito, Action<TokenMintRequest>? customize = null, string scope = "openid profile")
    {
        var request = cognito.AccessTokenRequest(cognito.User, DateTimeOffset.UtcNow, scope);
        request.SigningKey = cognito.PrimaryKey;
        customize?.Invoke(request);
        return TestTokens.Mint(request);
    }

    /// <summary>An ID token of the same user (aud = client id, token_use = id): must be refused as a bearer token.</summary>
    public static string MintIdToken(this FakeCognito cognito)
    {
        var request = cognito.IdTokenRequest(cognito.User, DateTimeOffset.UtcNow, nonce: null);
        request.SigningKey = cognito.PrimaryKey;
        return TestTokens.Mint(request);
    }
}
