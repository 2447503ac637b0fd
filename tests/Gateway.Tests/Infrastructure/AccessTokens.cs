namespace Gateway.Tests.Infrastructure;

/// <summary>Mints Cognito-shaped access tokens (no aud; client_id, token_use=access, scope, username) signed by the fake pool.</summary>
public static class AccessTokens
{
    /// <summary>A valid access token for <see cref="FakeCognito.User"/>; <paramref name="customize"/> may change any claim or the key.</summary>
    public static string MintAccessToken(this FakeCognito cognito, Action<TokenMintRequest>? customize = null, string scope = "openid profile")
    {
        var user = cognito.User;
        var now = DateTimeOffset.UtcNow;
        var request = new TokenMintRequest
        {
            SigningKey = cognito.PrimaryKey,
            Claims = new Dictionary<string, object?>
            {
                ["sub"] = user.Sub,
                ["iss"] = cognito.Authority,
                ["client_id"] = FakeCognito.ClientId,
                ["token_use"] = "access",
                ["scope"] = scope,
                ["username"] = user.Username,
                ["cognito:groups"] = user.Groups.ToArray(),
                ["auth_time"] = TestTokens.UnixTime(now),
                ["iat"] = TestTokens.UnixTime(now),
                ["exp"] = TestTokens.UnixTime(now.AddHours(1)),
                ["jti"] = Guid.NewGuid().ToString(),
            },
        };
        customize?.Invoke(request);
        return TestTokens.Mint(request);
    }

    /// <summary>An ID token of the same user (aud = client id, token_use = id): must be refused as a bearer token.</summary>
    public static string MintIdToken(this FakeCognito cognito)
    {
        var user = cognito.User;
        var now = DateTimeOffset.UtcNow;
        return TestTokens.Mint(new TokenMintRequest
        {
            SigningKey = cognito.PrimaryKey,
            Claims = new Dictionary<string, object?>
            {
                ["sub"] = user.Sub,
                ["iss"] = cognito.Authority,
                ["aud"] = FakeCognito.ClientId,
                ["token_use"] = "id",
                ["email"] = user.Email,
                ["email_verified"] = true,
                ["cognito:username"] = user.Username,
                ["cognito:groups"] = user.Groups.ToArray(),
                ["iat"] = TestTokens.UnixTime(now),
                ["exp"] = TestTokens.UnixTime(now.AddHours(1)),
            },
        });
    }
}
