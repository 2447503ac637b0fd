namespace Gateway.Demo.Emulator;

/// <summary>
/// Configuration of the local Cognito user-pool stand-in: the pool identity, its app clients and users,
/// and the token lifetimes. Mutating an instance after <see cref="CognitoEmulator.Build(CognitoEmulatorOptions, string, TimeProvider?)"/>
/// is not supported except through <see cref="EmulatorState"/>.
/// </summary>
public sealed class CognitoEmulatorOptions
{
    /// <summary>AWS region the pool pretends to live in.</summary>
    public string Region { get; set; } = "eu-west-1";

    /// <summary>Pool id; also the path segment of the issuer (<c>{origin}/{UserPoolId}</c>).</summary>
    public string UserPoolId { get; set; } = "eu-west-1_DemoPool1";

    /// <summary>App clients of the pool.</summary>
    public List<EmulatorClient> Clients { get; set; } = [];

    /// <summary>Users of the pool.</summary>
    public List<EmulatorUser> Users { get; set; } = [];

    /// <summary>ID token lifetime (Cognito default: 60 minutes).</summary>
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Access token lifetime (Cognito default: 60 minutes).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Refresh token lifetime (Cognito default: 30 days).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Authorization code lifetime (Cognito: 5 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of the hosted-UI session cookie (Cognito: 1 hour).</summary>
    public TimeSpan HostedUiSessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a rotated refresh token stays usable after its replacement was issued (Cognito: 0–60 s).</summary>
    public TimeSpan RefreshTokenRotationGracePeriod { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>An app client of the emulated user pool.</summary>
public sealed class EmulatorClient
{
    /// <summary>The app client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The app client secret; <c>null</c> for a public client. When set, every token/revoke call must carry it.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Allowed callback URLs; <c>redirect_uri</c> must match one exactly.</summary>
    public List<string> CallbackUrls { get; set; } = [];

    /// <summary>Allowed sign-out URLs; <c>logout_uri</c> on <c>/logout</c> must match one exactly.</summary>
    public List<string> SignOutUrls { get; set; } = [];

    /// <summary>When true, a refresh grant returns a new refresh token (the old one stays valid for a short grace period).</summary>
    public bool RefreshTokenRotation { get; set; }

    /// <summary>OAuth scopes the client may request.</summary>
    public List<string> AllowedScopes { get; set; } = ["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"];
}

/// <summary>A user of the emulated user pool.</summary>
public sealed class EmulatorUser
{
    /// <summary>The Cognito username (<c>cognito:username</c>). Sign-in accepts it or the email, case-insensitively.</summary>
    public string Username { get; set; } = "";

    /// <summary>The user's email (verified).</summary>
    public string Email { get; set; } = "";

    /// <summary>The user's password.</summary>
    public string Password { get; set; } = "";

    /// <summary>Cognito groups (<c>cognito:groups</c>).</summary>
    public List<string> Groups { get; set; } = [];

    /// <summary>Extra attributes, e.g. <c>custom:department</c>. <c>custom:*</c> ones appear in the ID token and userInfo.</summary>
    public Dictionary<string, string> Attributes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A disabled user cannot sign in, and refreshing their tokens fails.</summary>
    public bool Enabled { get; set; } = true;
}
