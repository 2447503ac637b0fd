namespace Gateway.Authentication;

/// <summary>Authentication scheme and token names.</summary>
public static class GatewaySchemes
{
    public const string Session = "Gateway.Session";
    public const string OpenIdConnect = "Gateway.Oidc";
}

internal static class TokenNames
{
    public const string AccessToken = "access_token";
    public const string RefreshToken = "refresh_token";
    public const string IdToken = "id_token";
}
