using Gateway.Paths;

namespace Gateway.Configuration;

/// <summary>
/// The whole "Gateway" configuration section in one object, bound once at start-up after every feature's options
/// (bound and validated each by its own options class and <c>IValidateOptions</c>, see Hosting/GatewayOptionsSetup) have
/// passed: the snapshot composition decisions and the services that take it read.
/// </summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>External origin (scheme://host[:port]) when a TLS-terminating load balancer sits in front.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary>IP addresses or CIDR ranges whose X-Forwarded-* headers are trusted.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Extra inbound headers removed from every proxied request, on top of the built-in list (see IdentityHeaderMap):
    /// exact names, or prefixes ending in <c>*</c> (<c>X-Corp-*</c>). Compared case-insensitively, '_' equal to '-'.
    /// </summary>
    public List<string> StripHeaders { get; set; } = [];

    /// <summary>
    /// Send backends the Host the client asked for (YARP's <c>RequestHeaderOriginalHost</c>) instead of the destination's
    /// own host; a cluster's <c>Gateway.KeepOriginalHost</c> metadata overrides it, a route's own
    /// <c>RequestHeaderOriginalHost</c> transform overrides both.
    /// </summary>
    public bool KeepOriginalHost { get; set; }

    /// <summary>
    /// Forward <c>email</c> (X-Forwarded-Email) and accept it in EmailDomains policies even when the provider does not
    /// say <c>email_verified</c> = true. Off by default: an unverified address is whatever the user typed.
    /// </summary>
    public bool AllowUnverifiedEmail { get; set; }

    /// <summary>Timeout of every call to the identity provider (discovery, JWKS, token, revocation).</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Other hosts an absolute <c>rd</c> may name (see <see cref="RedirectHostOptions"/>).</summary>
    public List<string> AllowedRedirectHosts { get; set; } = [];

    /// <summary>Prefix of the gateway's own endpoints (oauth2-proxy names).</summary>
    public string BasePath { get; set; } = "/oauth2";

    public CognitoOptions? Cognito { get; set; }

    public OidcOptions? Oidc { get; set; }

    public SessionOptions Session { get; set; } = new();

    public RedisOptions Redis { get; set; } = new();

    public DataProtectionOptions DataProtection { get; set; } = new();

    /// <summary>
    /// Header name → claim type. An empty claim removes a default header. The one key <see cref="GroupsFormatKey"/> is not a
    /// header but the encoding of the groups header (this section is a plain map, so the setting lives beside the headers).
    /// </summary>
    public Dictionary<string, string> IdentityHeaders { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Gateway:IdentityHeaders:GroupsFormat</c>: a setting inside the header map, never a header name.</summary>
    public const string GroupsFormatKey = "GroupsFormat";

    /// <summary>The configured header → claim entries, without the <see cref="GroupsFormatKey"/> setting.</summary>
    public IEnumerable<KeyValuePair<string, string>> IdentityHeaderMappings =>
        IdentityHeaders.Where(kv => !string.Equals(kv.Key, GroupsFormatKey, StringComparison.OrdinalIgnoreCase));

    /// <summary>How the groups header is written; <see cref="GroupsFormat.Comma"/> unless the setting says <c>Json</c> (validated at start-up).</summary>
    public GroupsFormat GroupsFormat =>
        IdentityHeaders.TryGetValue(GroupsFormatKey, out var value) && Enum.TryParse<GroupsFormat>(value?.Trim(), ignoreCase: true, out var format) && Enum.IsDefined(format)
            ? format
            : GroupsFormat.Comma;

    /// <summary>
    /// Named authorization policies that routes reference by name (re-read on configuration reload). Filled by
    /// <see cref="PolicyConfiguration"/>, never by the binder (claim types contain ':'), hence the key name nobody uses.
    /// </summary>
    [ConfigurationKeyName("Policies(read by PolicyConfiguration)")]
    public Dictionary<string, PolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// "Gateway:Apps": apps with their own hosts, provider client and session cookie. Filled by <see cref="AppsConfiguration"/>
    /// (policies inside have claim types with ':'), never by the binder.
    /// </summary>
    [ConfigurationKeyName("Apps(read by AppsConfiguration)")]
    public Dictionary<string, AppOptions> Apps { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How request paths are made canonical, and which ambiguous spellings are refused.</summary>
    public PathOptions Paths { get; set; } = new();

    /// <summary>Cognito access tokens accepted as <c>Authorization: Bearer</c> on routes that allow them.</summary>
    public BearerOptions Bearer { get; set; } = new();

    /// <summary>The signed identity assertion sent to backends (and its keys).</summary>
    public AssertionOptions Assertion { get; set; } = new();

    /// <summary>The ALB-compatible header profile (<c>Gateway.HeaderProfile: Alb</c>).</summary>
    public AlbOptions Alb { get; set; } = new();

    /// <summary>The management listener of <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.</summary>
    public ManagementOptions Management { get; set; } = new();

    /// <summary>Branded pages: the operator's templates for error, 403 and sign-out pages.</summary>
    public Errors.PageOptions Pages { get; set; } = new();
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

    /// <summary>Provider names (as in the <c>identities</c> claim) whose users' <c>email</c> counts as verified even when <c>email_verified</c> is not true.</summary>
    public List<string> TrustedEmailProviders { get; set; } = [];

    /// <summary>Keep Cognito's automatic <c>{UserPoolId}_{ProviderName}</c> group of federated users in headers and policies.</summary>
    public bool KeepProviderGroups { get; set; }

    /// <summary>Sent as <c>identity_provider</c> on every sign-in (route metadata and <c>/oauth2/sign_in?identity_provider=</c> override it).</summary>
    public string? IdentityProvider { get; set; }

    /// <summary>Sent as <c>idp_identifier</c> on every sign-in (route metadata and <c>/oauth2/sign_in?identity_provider=</c> override it).</summary>
    public string? IdpIdentifier { get; set; }

    /// <summary>Names a caller may choose with <c>/oauth2/sign_in?identity_provider=NAME</c>; any other name gets 400.</summary>
    public List<string> AllowedIdentityProviders { get; set; } = [];
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

/// <summary>How the groups header (<c>X-Forwarded-Groups</c>) carries several group names.</summary>
public enum GroupsFormat
{
    /// <summary>Names joined with ','; a ',' or '%' inside a name is percent-encoded (<c>a%2Cb</c>, <c>50%25</c>).</summary>
    Comma,

    /// <summary>A JSON array of strings (<c>["a,b","c"]</c>), non-ASCII escaped as <c>\uXXXX</c>.</summary>
    Json,
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

    /// <summary>
    /// <c>Domain</c> of the session cookie (e.g. <c>.corp.example.com</c>, leading dot optional): one session for every host
    /// under it. Empty: host-only cookies.
    /// </summary>
    public string? CookieDomain { get; set; }

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

    /// <summary>Cookie store: at most this many signed-out sessions are remembered (each until its absolute expiry).</summary>
    public int MaxRevokedSessions { get; set; } = 100_000;
}

/// <summary>"Gateway:Redis": the Redis used for server-side sessions, Data Protection keys and cross-instance signals.</summary>
public sealed class RedisOptions
{
    /// <summary>StackExchange.Redis configuration string, e.g. "redis:6379,password=…".</summary>
    public string? Configuration { get; set; }

    public string KeyPrefix { get; set; } = "gateway:";

    /// <summary>
    /// The most one call to Redis may cost a request (connecting included); after a failure calls fail at once for
    /// <see cref="BreakDuration"/>, so an outage costs each request at most this, and usually nothing.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>While Redis is known to be down, calls fail at once for this long before one request tries it again.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>"Gateway:DataProtection": where the keys that encrypt cookies are kept (shared by all instances).</summary>
public sealed class DataProtectionOptions
{
    /// <summary>A directory shared by all instances; when empty and Redis is configured, keys are kept in Redis.</summary>
    public string? KeysPath { get; set; }
}

/// <summary>
/// "Gateway:Policies:NAME": every listed requirement must hold (AND); within one requirement the values are
/// alternatives (OR) except <see cref="AllGroups"/>.
/// </summary>
public sealed class PolicyOptions
{
    /// <summary>The user must be in at least one of these groups.</summary>
    public List<string> Groups { get; set; } = [];

    /// <summary>The user must be in every one of these groups.</summary>
    public List<string> AllGroups { get; set; } = [];

    /// <summary>
    /// Claim type → accepted values: the user needs one accepted value for every listed claim type. Claim types
    /// may contain ':' (<c>custom:department</c>), so this is read by <see cref="PolicyConfiguration"/>, not the binder.
    /// </summary>
    public Dictionary<string, List<string>> Claims { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The user's <c>email</c> must be in one of these domains (exact match, case-insensitive).</summary>
    public List<string> EmailDomains { get; set; } = [];

    /// <summary>The user's <c>email_verified</c> must be true (JSON true or the string "true", as Cognito's userInfo sends it).</summary>
    public bool RequireVerifiedEmail { get; set; }

    /// <summary>Bearer callers only: the access token's space-separated <c>scope</c> claim must contain every one of these.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>True when the policy asks for anything beyond being signed in.</summary>
    public bool HasRequirements =>
        Groups.Count > 0 || AllGroups.Count > 0 || Claims.Count > 0 || EmailDomains.Count > 0 || RequireVerifiedEmail || Scopes.Count > 0;
}

/// <summary>"Gateway:Bearer".</summary>
public sealed class BearerOptions
{
    /// <summary>App client ids whose access tokens are accepted (Cognito access tokens carry <c>client_id</c>, no <c>aud</c>). Empty = the configured ClientId.</summary>
    public List<string> AllowedClientIds { get; set; } = [];

    /// <summary>Accept bearer tokens on the forward-auth endpoint (<c>/oauth2/auth</c>) for every request, not only for routes with <c>Gateway.Bearer</c>.</summary>
    public bool ForwardAuth { get; set; }
}

/// <summary>"Gateway:Assertion": a signed statement of who the user is (compact JWS, ES256) that a backend can verify with the gateway's JWKS.</summary>
public sealed class AssertionOptions
{
    public const string DefaultHeaderName = "X-Gateway-Assertion";

    /// <summary>Send the assertion on every authenticated route (a route's <c>Gateway.Assertion: false</c> turns it off there).</summary>
    public bool Enabled { get; set; }

    /// <summary>The request header that carries the assertion.</summary>
    public string HeaderName { get; set; } = DefaultHeaderName;

    /// <summary>How long one assertion is valid (<c>exp</c> - <c>iat</c>); the gateway reuses it for the same user until half of it is left.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The <c>aud</c> of routes that do not name one (<c>Gateway.AssertionAudience</c>); empty = the request's public origin.</summary>
    public string? Audience { get; set; }

    /// <summary>How long one signing key signs before the next one takes over (the old one stays published until its last assertion has expired).</summary>
    public TimeSpan KeyLifetime { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>"Gateway:Alb": routes with <c>Gateway.HeaderProfile: Alb</c> get what an AWS ALB with authenticate-cognito sends.</summary>
public sealed class AlbOptions
{
    /// <summary>The <c>signer</c> in the data token's header: the load balancer ARN the apps check; empty = the gateway's public origin.</summary>
    public string? Signer { get; set; }

    /// <summary>Where the PEM public key of each <c>kid</c> is served (<c>{path}/{kid}</c>), in place of <c>https://public-keys.auth.elb.REGION.amazonaws.com</c>; empty = <c>{BasePath}/alb-keys</c>.</summary>
    public string? PublicKeysPath { get; set; }
}

/// <summary>
/// "Gateway:Management": where the gateway's own operational endpoints (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>)
/// listen. A separate listener keeps them off the public one, so an app's own <c>/metrics</c> or <c>/healthz</c> stays
/// reachable through the gateway and nobody outside the cluster reads the gateway's metrics.
/// </summary>
public sealed class ManagementOptions
{
    /// <summary>
    /// ';'-separated <c>http://HOST:PORT</c> addresses (as ASP.NET Core's <c>urls</c>), e.g. <c>http://0.0.0.0:9090</c>.
    /// Empty: no management listener; health and readiness answer under <c>Gateway:BasePath</c> on the public listener
    /// and there are no metrics.
    /// </summary>
    public string? Urls { get; set; }

    /// <summary>The configured addresses, trimmed, without empty entries.</summary>
    public IReadOnlyList<string> UrlList =>
        (Urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool Enabled => UrlList.Count > 0;
}
