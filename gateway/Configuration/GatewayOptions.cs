namespace Gateway.Configuration;

/// <summary>The whole "Gateway" configuration section, bound once at start-up.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>External origin (scheme://host[:port]) when a TLS-terminating load balancer sits in front.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary>IP addresses or CIDR ranges whose X-Forwarded-* headers are trusted.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Prefix of the gateway's own endpoints (oauth2-proxy names).</summary>
    public string BasePath { get; set; } = "/oauth2";

    public CognitoOptions? Cognito { get; set; }

    public OidcOptions? Oidc { get; set; }

    public SessionOptions Session { get; set; } = new();

    /// <summary>Header name → claim type. An empty claim removes a default header.</summary>
    public Dictionary<string, string> IdentityHeaders { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Named authorization policies that routes reference by name.</summary>
    public Dictionary<string, PolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>"Gateway:Cognito": an Amazon Cognito user pool (Cognito dialect).</summary>
public sealed class CognitoOptions
{
    public string? UserPoolId { get; set; }
    public string? Region { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? Domain { get; set; }
    public string? Authority { get; set; }
    public string? Scopes { get; set; }
    public string? SignOutUri { get; set; }
}

/// <summary>"Gateway:Oidc": any other OpenID Connect provider (standard dialect).</summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? Scopes { get; set; }
    public string? SignOutUri { get; set; }
    public string? GroupsClaim { get; set; }
}

/// <summary>"Gateway:Session".</summary>
public sealed class SessionOptions
{
    public string CookieName { get; set; } = "_gateway";

    /// <summary>How long a session lasts after sign-in.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(8);
}

/// <summary>"Gateway:Policies:NAME".</summary>
public sealed class PolicyOptions
{
    /// <summary>The user must be in at least one of these groups.</summary>
    public List<string> Groups { get; set; } = [];
}
