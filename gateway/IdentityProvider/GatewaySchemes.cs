namespace Gateway.IdentityProvider;

/// <summary>Authentication scheme and token names.</summary>
public static class GatewaySchemes
{
    /// <summary>The encrypted session cookie.</summary>
    public const string Session = "Gateway.Session";

    /// <summary>The OpenID Connect sign-in handler (challenge only).</summary>
    public const string OpenIdConnect = "Gateway.Oidc";

    /// <summary>Cognito access tokens in <c>Authorization: Bearer</c> (routes with <c>Gateway.Bearer: true</c>).</summary>
    public const string Bearer = "Gateway.Bearer";

    /// <summary>The default authenticate scheme: picks <see cref="Bearer"/> or <see cref="Session"/> per request.</summary>
    public const string Auto = "Gateway.Auto";
}

internal static class TokenNames
{
    public const string AccessToken = "access_token";
    public const string RefreshToken = "refresh_token";
    public const string IdToken = "id_token";
}
