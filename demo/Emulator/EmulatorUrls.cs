namespace Gateway.Demo.Emulator;

/// <summary>URLs derived from the incoming request, so the emulator works on any port (including port 0).</summary>
internal static class EmulatorUrls
{
    public const string AuthorizePath = "/oauth2/authorize";
    public const string TokenPath = "/oauth2/token";
    public const string UserInfoPath = "/oauth2/userInfo";
    public const string RevokePath = "/oauth2/revoke";
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";
    public const string IdpResponsePath = "/oauth2/idpresponse";
    public const string SessionCookieName = "cognito";

    public static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host.ToUriComponent()}";

    public static string Issuer(HttpRequest request, CognitoEmulatorOptions options) => $"{Origin(request)}/{options.UserPoolId}";
}
