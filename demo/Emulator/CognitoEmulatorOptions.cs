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

    /// <summary>Users of the pool, including federated ones (<see cref="EmulatorUser.IdentityProvider"/>).</summary>
    public List<EmulatorUser> Users { get; set; } = [];

    /// <summary>Identity providers federated into the pool (a fake upstream sign-in page stands in for each).</summary>
    public List<EmulatorIdentityProvider> IdentityProviders { get; set; } = [];

    /// <summary>ID token lifetime, 5 minutes to 1 day (Cognito default: 60 minutes).</summary>
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Access token lifetime, 5 minutes to 1 day (Cognito default: 60 minutes).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Refresh token lifetime, 60 minutes to 10 years (Cognito default: 30 days).</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Authorization code lifetime (Cognito: 5 minutes).</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of the hosted-UI session cookie (Cognito: 1 hour).</summary>
    public TimeSpan HostedUiSessionLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a rotated refresh token stays usable after its replacement was issued (Cognito: 0–60 s).</summary>
    public TimeSpan RefreshTokenRotationGracePeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Test-only relaxation, off by default: plain http callback and sign-out URLs also for names under <c>.localhost</c>
    /// (<c>http://wiki.apps.localhost:8080/oauth2/callback</c>), so several host names under one cookie domain can be tried
    /// in a browser without TLS. Cognito itself allows plain http only for <c>localhost</c>.
    /// </summary>
    public bool AllowHttpLocalhostSubdomains { get; set; }

    /// <summary>
    /// Every way this configuration differs from one Cognito would accept: token lifetimes and grace period out of range,
    /// callback/sign-out URLs that are not https (plain http only for <c>localhost</c>), federated users of unknown providers.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Add(string? problem)
        {
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        Add(CognitoLimits.CheckTokenLifetime(nameof(IdTokenLifetime), IdTokenLifetime));
        Add(CognitoLimits.CheckTokenLifetime(nameof(AccessTokenLifetime), AccessTokenLifetime));
        Add(CognitoLimits.CheckRefreshTokenLifetime(nameof(RefreshTokenLifetime), RefreshTokenLifetime));
        Add(CognitoLimits.CheckRotationGracePeriod(nameof(RefreshTokenRotationGracePeriod), RefreshTokenRotationGracePeriod));
        foreach (var client in Clients)
        {
            foreach (var url in client.CallbackUrls)
            {
                Add(CognitoLimits.CheckRedirectUrl(url, AllowHttpLocalhostSubdomains) is { } p ? $"Client {client.ClientId} callback URL: {p}" : null);
            }

            foreach (var url in client.SignOutUrls)
            {
                Add(CognitoLimits.CheckRedirectUrl(url, AllowHttpLocalhostSubdomains) is { } p ? $"Client {client.ClientId} sign-out URL: {p}" : null);
            }
        }

        foreach (var user in Users.Where(u => u.IdentityProvider is not null))
        {
            if (!IdentityProviders.Any(p => string.Equals(p.ProviderName, user.IdentityProvider, StringComparison.Ordinal)))
            {
                problems.Add($"User {user.Username} names identity provider '{user.IdentityProvider}', which is not in IdentityProviders.");
            }

            if (string.IsNullOrEmpty(user.ProviderUserId))
            {
                problems.Add($"Federated user of '{user.IdentityProvider}' has no ProviderUserId.");
            }
        }

        return problems;
    }
}

/// <summary>An identity provider federated into the pool (Cognito console: "Social and external providers").</summary>
public sealed class EmulatorIdentityProvider
{
    /// <summary>The provider name in the pool, e.g. <c>Google</c> or <c>CorpSAML</c>; <c>identity_provider=</c> selects it.</summary>
    public string ProviderName { get; set; } = "";

    /// <summary><c>Google</c>, <c>SAML</c>, <c>OIDC</c>, ... (the <c>providerType</c> in the <c>identities</c> claim).</summary>
    public string ProviderType { get; set; } = "";

    /// <summary>The IdP's issuer/entity id; null for social providers.</summary>
    public string? Issuer { get; set; }

    /// <summary>Identifiers (e.g. email domains) that <c>idp_identifier=</c> matches, case-insensitively.</summary>
    public List<string> IdpIdentifiers { get; set; } = [];
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

    /// <summary>Whether <c>/oauth2/revoke</c> works for this client (Cognito: "Enable token revocation", on by default).</summary>
    public bool EnableTokenRevocation { get; set; } = true;

    /// <summary>OAuth scopes the client may request.</summary>
    public List<string> AllowedScopes { get; set; } = ["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"];
}

/// <summary>A user of the emulated user pool.</summary>
public sealed class EmulatorUser
{
    /// <summary>
    /// The Cognito username (<c>cognito:username</c>). Sign-in accepts it or the email, case-insensitively.
    /// For a federated user it is <c>{IdentityProvider}_{ProviderUserId}</c> (set automatically when left empty).
    /// </summary>
    public string Username { get; set; } = "";

    /// <summary>The user's email.</summary>
    public string Email { get; set; } = "";

    /// <summary><c>email_verified</c>; when not set, true for users of the pool and false for federated users (as Cognito without an attribute mapping).</summary>
    public bool? EmailVerified { get; set; }

    /// <summary>For a federated user: the provider name (one of <see cref="CognitoEmulatorOptions.IdentityProviders"/>). Such users sign in only through that provider's page, never with a password.</summary>
    public string? IdentityProvider { get; set; }

    /// <summary>For a federated user: their id at the provider (Google's numeric id, the SAML NameID).</summary>
    public string? ProviderUserId { get; set; }

    /// <summary>The user's password.</summary>
    public string Password { get; set; } = "";

    /// <summary>Cognito groups (<c>cognito:groups</c>).</summary>
    public List<string> Groups { get; set; } = [];

    /// <summary>Extra attributes, e.g. <c>custom:department</c>. <c>custom:*</c> ones appear in the ID token and userInfo.</summary>
    public Dictionary<string, string> Attributes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A disabled user cannot sign in, and refreshing their tokens fails.</summary>
    public bool Enabled { get; set; } = true;
}
