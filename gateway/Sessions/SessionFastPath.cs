using Gateway.Configuration;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// Sits behind the default authenticate scheme (the policy scheme <see cref="GatewaySchemes.Auto"/>): when the policy
/// picks the session cookie, a request whose session this instance validated moments ago and for which nothing is due
/// (no refresh, sliding renewal or expiry before the recorded instant, at most <c>Gateway:Session:CacheDuration</c>) is
/// forwarded to <see cref="ValidatedSessionHandler"/>, which answers with the cached principal without running the cookie
/// handler. A request without the session cookie goes to the same small handler, which answers "no result" (what the cookie handler would answer, at a fraction of the cost). Everything else (an unknown or
/// tampered cookie, bearer callers, the gateway's own endpoints, routes that forward the access token, anything due) takes
/// the standard handlers. Sign-out and refresh drop the record on this instance, and Redis pub/sub drops it on the others.
/// </summary>
internal sealed class SessionFastPath(
    SessionCache cache,
    IOptions<GatewayOptions> options,
    IOptionsMonitor<CookieAuthenticationOptions> cookieOptions,
    TimeProvider time,
    Observability.GatewayMetrics metrics,
    GatewayApps apps) : IPostConfigureOptions<PolicySchemeOptions>
{
    private readonly PathString _basePath = options.Value.BasePath;
    private readonly string _cookieName = options.Value.Session.CookieName;
    private readonly KeysByHeader _keys = new();

    /// <summary>Wraps the policy scheme's selector (whatever it is) so its "session cookie" answers can be served from the cache.</summary>
    public void PostConfigure(string? name, PolicySchemeOptions options)
    {
        if (name != GatewaySchemes.Auto || options.ForwardDefaultSelector is not { } select)
        {
            return;
        }

        options.ForwardDefaultSelector = context =>
        {
            var scheme = select(context);
            return scheme == GatewaySchemes.Session ? Select(context) : scheme;
        };
    }

    /// <summary>The scheme that authenticates a request the policy gives to the session cookie.</summary>
    private string Select(HttpContext context)
    {
        var request = context.Request;
        if (!request.Headers.ContainsKey("Cookie"))
        {
            // No cookie, no session: the cookie handler would answer "no result" too.
            return ValidatedSessionHandler.SchemeName;
        }

        if (!cache.Enabled || request.Path.StartsWithSegments(_basePath) || AccessTokenRetention.RouteForwardsToken(context) ||
            AccessTokenRetention.RouteForwardsIdToken(context))
        {
            return GatewaySchemes.Session;
        }

        // Kestrel hands a keep-alive connection the same string for a Cookie header that did not change: then the cache
        // key is known without parsing the header, joining the chunks or hashing kilobytes again.
        var header = request.Headers.Cookie;
        var app = apps.Many ? AppSessions.ScopeOf(context) : "";
        var key = header.Count == 1 ? _keys.Find(header[0]!, app) : null;
        if (key is null)
        {
            var cookie = cookieOptions.Get(GatewaySchemes.Session).CookieManager.GetRequestCookie(context, _cookieName);
            if (string.IsNullOrEmpty(cookie))
            {
                // Only the application's cookies: the cookie handler would answer "no result" too.
                return ValidatedSessionHandler.SchemeName;
            }

            key = SessionCache.KeyFor(context, cookie);
            if (header.Count == 1)
            {
                _keys.Remember(header[0]!, key, app);
            }
        }

        var principal = cache.GetValidated(key, time.GetUtcNow());
        metrics.SessionCacheLookup(principal is not null);
        if (principal is null)
        {
            return GatewaySchemes.Session;
        }

        context.Features.Set(new ValidatedSession(key, principal));
        return ValidatedSessionHandler.SchemeName;
    }
}

/// <summary>
/// The session cache keys of the last Cookie headers seen, by the header string's identity: a string is immutable, so
/// the same instance means the same cookies and the same key. A few slots, overwritten freely, no locks: a miss only
/// means computing the key again.
/// </summary>
internal sealed class KeysByHeader
{
    private const int Slots = 128;

    private readonly Entry?[] _entries = new Entry?[Slots];

    /// <param name="app">The request's app (<c>Gateway:Apps</c>; empty for the default app): the same Cookie header means
    /// another session, or none, on another app's host (each app reads its own cookie).</param>
    public string? Find(string header, string app = "") =>
        _entries[Slot(header)] is { } entry && ReferenceEquals(entry.Header, header) && string.Equals(entry.App, app, StringComparison.Ordinal) ? entry.Key : null;

    public void Remember(string header, string key, string app = "") => _entries[Slot(header)] = new Entry(header, key, app);

    private static int Slot(string header) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(header) & (Slots - 1);

    private sealed record Entry(string Header, string Key, string App);
}

/// <summary>The request's session, found validated in <see cref="SessionCache"/> by <see cref="SessionFastPath"/>.</summary>
internal sealed record ValidatedSession(string CacheKey, System.Security.Claims.ClaimsPrincipal Principal);

/// <summary>
/// The handler <see cref="SessionFastPath"/> forwards to: the cached principal of a session validated moments ago, or
/// "no result" for a request without the session cookie. Challenge and forbid belong to the session cookie, as for any session.
/// </summary>
internal sealed class ValidatedSessionHandler : IAuthenticationHandler
{
    public const string SchemeName = "Gateway.ValidatedSession";

    private HttpContext _context = null!;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync()
    {
        if (_context.Features.Get<ValidatedSession>() is not { } session)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        // Sign-out and refresh find the session's cache key where the cookie format and ticket store leave it.
        _context.Features.Set(new SessionKeyFeature(value: null, session.CacheKey));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(session.Principal, GatewaySchemes.Session)));
    }

    public Task ChallengeAsync(AuthenticationProperties? properties) => _context.ChallengeAsync(GatewaySchemes.Session, properties);

    public Task ForbidAsync(AuthenticationProperties? properties) => _context.ForbidAsync(GatewaySchemes.Session, properties);
}
