namespace Gateway.Configuration;

/// <summary>The whole "Gateway" configuration section, bound once at start-up.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>External origin (scheme://host[:port]) when a TLS-terminating load balancer sits in front.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary>IP addresses or CIDR ranges whose X-Forwarded-* headers are trusted.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Timeout of every call to the identity provider (discovery, JWKS, token, revocation).</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Prefix of the gateway's own endpoints (oauth2-proxy names).</summary>
    public string BasePath { get; set; } = "/oauth2";

    public CognitoOptions? Cognito { get; set; }

    public OidcOptions? Oidc { get; set; }

    public SessionOptions Session { get; set; } = new();

    public RedisOptions Redis { get; set; } = new();

    public DataProtectionOptions DataProtection { get; set; } = new();

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

/// <summary>Where sessions live.</summary>
public enum SessionStoreKind
{
    /// <summary>Everything encrypted in (chunked) cookies; nothing on the server.</summary>
    Cookie,

    /// <summary>Tokens and claims in Redis; the cookie holds only an opaque random handle.</summary>
    Redis,
}

/// <summary>"Gateway:Session".</summary>
public sealed class SessionOptions
{
    public string CookieName { get; set; } = "_gateway";

    public SessionStoreKind Store { get; set; } = SessionStoreKind.Cookie;

    /// <summary>Absolute lifetime: a session ends this long after the user authenticated (auth_time), whatever the activity.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session unused this long ends; zero switches the idle timeout off.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Refresh the access token this long before it expires.</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long this instance reuses a validated session without decrypting the cookie or asking Redis again.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Cookie store only: sign-in fails with a clear page when all session cookie chunks together would exceed this.</summary>
    public int MaxCookieBytes { get; set; } = 16384;
}

/// <summary>"Gateway:Redis": the Redis used for server-side sessions, Data Protection keys and cross-instance signals.</summary>
public sealed class RedisOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. "redis:6379,password=…".</summary>
    public string? Configuration { get; set; }

    public string KeyPrefix { get; set; } = "gateway:";
}

/// <summary>"Gateway:DataProtection": where the keys that encrypt cookies are kept (shared by all instances).</summary>
public sealed class DataProtectionOptions
{
    /// <summary>A directory shared by all instances; when empty and Redis is configured, keys are kept in Redis.</summary>
    public string? KeysPath { get; set; }
}

/// <summary>"Gateway:Policies:NAME".</summary>
public sealed class PolicyOptions
{
    /// <summary>The user must be in at least one of these groups.</summary>
    public List<string> Groups { get; set; } = [];
}
