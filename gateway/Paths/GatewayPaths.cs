namespace Gateway.Paths;

/// <summary>
/// The gateway's own paths under <c>Gateway:BasePath</c> and the names of its cookies, spelt once. Endpoints map
/// these paths, redirects and error pages link to them, and the cookie filter keeps these cookies from backends.
/// </summary>
internal sealed class GatewayPaths
{
    /// <summary>Appended to the session cookie name for OpenID Connect correlation cookies (<c>NAME_corr.ID</c>).</summary>
    public const string CorrelationCookieSuffix = "_corr.";

    /// <summary>Appended to the session cookie name for OpenID Connect nonce cookies (<c>NAME_nonce.NONCE</c>).</summary>
    public const string NonceCookieSuffix = "_nonce.";

    /// <summary>Appended to the session cookie name for the sign-out page's anti-forgery cookie (<c>NAME_csrf</c>, path <see cref="BasePath"/>).</summary>
    public const string SignOutTokenCookieSuffix = "_csrf";

    /// <summary>Appended to the session cookie name for the cookie that binds preserved form posts to a browser (<c>NAME_post</c>).</summary>
    public const string PreservedPostCookieSuffix = "_post";

    /// <summary>Appended to the session cookie name for the cookie that keeps where to go after sign-out (<c>NAME_signout</c>, path <see cref="BasePath"/>).</summary>
    public const string SignOutReturnCookieSuffix = "_signout";

    public GatewayPaths(string basePath, string sessionCookieName)
    {
        BasePath = new PathString(basePath);
        SignIn = basePath + "/sign_in";
        SignOut = basePath + "/sign_out";
        Callback = basePath + "/callback";
        SignedOut = basePath + "/signed_out";
        RemoteSignOut = basePath + "/remote_sign_out";
        UserInfo = basePath + "/userinfo";
        ForwardAuth = basePath + "/auth";
        Resume = basePath + "/resume";
        Jwks = basePath + "/jwks.json";
        AlbKeys = basePath + "/alb-keys";
        Health = basePath + ManagementHealth;
        Ready = basePath + ManagementReady;
        SessionCookie = sessionCookieName;
        CorrelationCookie = sessionCookieName + CorrelationCookieSuffix;
        NonceCookie = sessionCookieName + NonceCookieSuffix;
        SignOutTokenCookie = sessionCookieName + SignOutTokenCookieSuffix;
        PreservedPostCookie = sessionCookieName + PreservedPostCookieSuffix;
        SignOutReturnCookie = sessionCookieName + SignOutReturnCookieSuffix;
    }

    /// <summary><c>Gateway:BasePath</c>, e.g. <c>/oauth2</c>: every path below is under it.</summary>
    public PathString BasePath { get; }

    public string SignIn { get; }

    /// <summary>GET: the "Sign out?" page; POST (same origin or with its anti-forgery token): ends the session.</summary>
    public string SignOut { get; }

    public string Callback { get; }

    /// <summary>
    /// The "You are signed out" page, where Cognito's <c>/logout</c> should return (<c>SignOutUri</c>). Deliberately the
    /// OpenID Connect handler's SignedOutCallbackPath as well: the gateway never signs out through that handler, which
    /// lets this path through to the page.
    /// </summary>
    public string SignedOut { get; }

    public string RemoteSignOut { get; }

    public string UserInfo { get; }

    public string ForwardAuth { get; }

    /// <summary>Where a sign-in started by a form post lands: a page that sends the kept form again (<c>?id=…</c>).</summary>
    public string Resume { get; }

    /// <summary>The assertion keys (JWKS) at the well-known path, outside <see cref="BasePath"/>.</summary>
    public const string WellKnownJwks = "/.well-known/gateway/jwks.json";

    /// <summary>The assertion keys (JWKS) under <see cref="BasePath"/>, for setups that route only that prefix to the gateway.</summary>
    public string Jwks { get; }

    /// <summary>The ALB profile's public keys: <c>{AlbKeys}/{kid}</c> answers the key's PEM, as AWS's regional key endpoint does.</summary>
    public string AlbKeys { get; }

    /// <summary>Liveness on the public listener, only when no management listener is configured (<c>Gateway:Management:Urls</c>).</summary>
    public string Health { get; }

    /// <summary>Readiness on the public listener, only when no management listener is configured.</summary>
    public string Ready { get; }

    /// <summary>Liveness on the management listener: the process answers (no dependencies).</summary>
    public const string ManagementHealth = "/healthz";

    /// <summary>Readiness on the management listener: the identity provider's metadata (and Redis) answer.</summary>
    public const string ManagementReady = "/readyz";

    /// <summary>Prometheus metrics, on the management listener only.</summary>
    public const string ManagementMetrics = "/metrics";

    /// <summary>The sign-in path with a return URL that <see cref="ReturnUrl"/> accepted.</summary>
    public string SignInReturningTo(string returnUrl) => SignIn + "?rd=" + Uri.EscapeDataString(returnUrl);

    /// <summary><c>Gateway:Session:CookieName</c>: the session cookie (chunks add <c>C1</c>, <c>C2</c>, …).</summary>
    public string SessionCookie { get; }

    public string CorrelationCookie { get; }

    public string NonceCookie { get; }

    public string SignOutTokenCookie { get; }

    public string PreservedPostCookie { get; }

    public string SignOutReturnCookie { get; }
}
