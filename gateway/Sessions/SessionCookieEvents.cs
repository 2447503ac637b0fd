using System.Globalization;
using Gateway.Configuration;
using Gateway.IdentityProvider;
using Gateway.Paths;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Sessions;

/// <summary>
/// Runs on every request with a session: ends it at its absolute lifetime, and refreshes the tokens
/// ahead of the access token's expiry (single-flight), by a margin that adapts to the token's lifetime.
/// A refused refresh ends the session once the access token has expired (before that it may only mean that
/// another request or instance rotated the refresh token first); an unreachable token endpoint is tolerated
/// while the access token is still valid and answered with 503 once it has expired, keeping the session for the next try.
/// Cookie store: a session that was signed out, or whose refresh token was refused, is revoked (<see cref="SessionRevocations"/>)
/// and a copy of its cookie is refused from then on.
/// </summary>
internal sealed class SessionCookieEvents(
    IOptions<GatewayOptions> options,
    GatewayPaths paths,
    AppProviders providers,
    TokenRefresher refresher,
    SessionSignals signals,
    SessionCache cache,
    SessionRevocations revocations,
    AccessTokenRetention accessTokenRetention,
    TimeProvider time,
    ILogger<SessionCookieEvents> logger) : CookieAuthenticationEvents
{
    /// <summary>When the session ends whatever its activity (UTC ticks).</summary>
    public const string AbsoluteExpiryItem = ".gateway.absolute_expires";

    /// <summary>When the access token expires (UTC ticks): read on every request, so no date parsing.</summary>
    public const string AccessExpiryItem = ".gateway.access_expires";

    /// <summary>When the access token was issued (UTC ticks): with <see cref="AccessExpiryItem"/> it gives the token's lifetime.</summary>
    public const string AccessIssuedItem = ".gateway.access_issued";

    /// <summary>The refresh margin is never more than this share of the access token's lifetime.</summary>
    private const int MaxMarginShareOfLifetime = 4;

    public const string ExpiresAtToken = "expires_at";

    public static void SetInstant(AuthenticationProperties properties, string item, DateTimeOffset instant) =>
        properties.Items[item] = instant.UtcTicks.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// How long before <paramref name="expiresAt"/> the session refreshes: <c>Gateway:Session:RefreshMargin</c>, but at most a
    /// quarter of the token's lifetime as issued, so tokens of a pool with short lifetimes (5 minutes: refreshed after 3¾)
    /// are not due the moment they are issued. A session that does not record the issue instant uses the configured margin.
    /// </summary>
    public static TimeSpan RefreshMarginFor(TimeSpan configured, DateTimeOffset? issuedAt, DateTimeOffset expiresAt)
    {
        if (issuedAt is not { } issued || expiresAt <= issued)
        {
            return configured;
        }

        var share = (expiresAt - issued) / MaxMarginShareOfLifetime;
        return share < configured ? share : configured;
    }

    private static bool TryGetInstant(AuthenticationProperties properties, string item, out DateTimeOffset instant)
    {
        instant = default;
        return properties.Items.TryGetValue(item, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
               (instant = new DateTimeOffset(ticks, TimeSpan.Zero)) != default;
    }

    /// <summary>Cookie store: every new session gets its own random id, the handle by which it can be revoked.</summary>
    public override Task SigningIn(CookieSigningInContext context)
    {
        AppSessions.Stamp(context.HttpContext, context.Properties);
        if (revocations.Enabled)
        {
            // Always a new one: a sign-in is a new session, whatever the properties it started with.
            context.Properties.Items[SessionRevocations.SessionIdItem] = SessionRevocations.NewId();
            context.Properties.Items.Remove(SessionRevocations.GenerationItem);
        }

        return base.SigningIn(context);
    }

    /// <summary>
    /// Sign-out drops the session's cached ticket and validated principal here and, through Redis, on the other instances:
    /// the signed-out cookie, replayed, must not be served from a cache. It also closes the session's live connections
    /// (WebSockets, server-sent events) on every instance; ending a session for expiry or a refused refresh signs out too.
    /// A cookie-store session is revoked, all its generations, until its absolute expiry; when the store cannot record
    /// that, <see cref="SessionStoreUnavailableException"/> reaches the caller (this instance refuses the cookie all the same).
    /// </summary>
    public override async Task SigningOut(CookieSigningOutContext context)
    {
        var cacheKey = SessionKeyFeature.Of(context.HttpContext);
        if (cacheKey is not null)
        {
            // First, so live connections close even when the revocation below cannot be recorded.
            signals.Ended(cacheKey);
        }

        if (context.HttpContext.Features.Get<RevocableSession>() is { Ended: false } session)
        {
            session.Ended = true;

            // Not bound to the request: a sign-out whose browser went away must still be recorded.
            await signals.RevokeAsync(session.Id, session.Until, SessionRevocations.AllGenerations, cacheKey);
        }

        await base.SigningOut(context);
    }

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var properties = context.Properties;
        var subject = context.Principal?.FindFirst("sub")?.Value;
        var now = time.GetUtcNow();
        var hasAbsolute = TryGetInstant(properties, AbsoluteExpiryItem, out var absolute);

        if (!AppSessions.BelongsHere(context.HttpContext, properties))
        {
            // A session of another app (its cookie copied under this app's name, or a Redis handle of another app):
            // not this app's user. Rejected without signing out: the other app's session itself stays valid there.
            logger.OtherAppSessionRefused(subject);
            context.RejectPrincipal();
            return;
        }

        var revocable = revocations.Enabled ? SessionRevocations.Of(properties) : null;
        if (revocable is { } id)
        {
            await revocations.WhenLoadedAsync();
            if (revocations.IsRevoked(id.Id, id.Generation))
            {
                logger.RevokedSessionRefused(subject);
                await EndAsync(context);
                return;
            }

            // Until when a revocation must hold: a copy of this cookie is refused anyway after the absolute expiry.
            var until = hasAbsolute ? absolute : now + options.Value.Session.Lifetime;
            context.HttpContext.Features.Set(new RevocableSession(id.Id, id.Generation, until));
        }

        if (hasAbsolute && now >= absolute)
        {
            logger.SessionExpired(subject);
            await EndAsync(context);
            return;
        }

        // Signing out must work while the token endpoint is down: no refresh on the way out.
        if (context.Request.Path.Equals(paths.SignOut, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var refreshToken = properties.GetTokenValue(TokenNames.RefreshToken);
        if (string.IsNullOrEmpty(refreshToken) ||
            !TryGetInstant(properties, AccessExpiryItem, out var expiresAt))
        {
            RememberValidated(context, now, absolute, refreshAt: null, revocable);
            return;
        }

        // A route that forwards the access (or ID) token met a (cookie-store) session that does not carry one: fetch it now.
        var needsAccessToken = (string.IsNullOrEmpty(properties.GetTokenValue(TokenNames.AccessToken)) &&
                                AccessTokenRetention.RouteForwardsToken(context.HttpContext)) ||
                               (string.IsNullOrEmpty(properties.GetTokenValue(TokenNames.IdToken)) &&
                                AccessTokenRetention.RouteForwardsIdToken(context.HttpContext));
        var margin = RefreshMarginFor(options.Value.Session.RefreshMargin,
            TryGetInstant(properties, AccessIssuedItem, out var issuedAt) ? issuedAt : null, expiresAt);
        if (!needsAccessToken && now + margin < expiresAt)
        {
            RememberValidated(context, now, absolute, refreshAt: expiresAt - margin, revocable);
            return;
        }

        var outcome = await refresher.RefreshAsync(refreshToken, ProviderOf(context).Tokens);
        switch (outcome.Status)
        {
            case RefreshStatus.Refreshed when !needsAccessToken && outcome.Tokens!.ExpiresAt <= expiresAt:
                // A remembered result this session already carries (or an older one): re-issuing the same tokens on
                // every request would only churn cookies. The next refresh after the remembered result lapses brings newer ones.
                break;
            case RefreshStatus.Refreshed:
                await ApplyAsync(context, outcome.Tokens!, subject);
                break;
            case RefreshStatus.Rejected when now < expiresAt:
                // invalid_grant while the access token is valid: most likely another request or instance rotated this
                // refresh token first (Cognito's grace period can be 0 s) and the browser is about to present the newer
                // session. Signing the user out would lose that race for them: keep serving until the access token
                // expires. A revoked token therefore ends the session at expiry at the latest (by the margin, later than before).
                logger.RefreshRejectedWhileValid(subject, outcome.Error ?? "rejected", expiresAt);
                break;
            case RefreshStatus.Rejected:
                // The refresh token is dead (revoked, user disabled, or rotated away): every copy of this generation of the
                // session is, too. Revoked so that the copies are refused at once, not each at its own refresh; a newer
                // generation (a rotation elsewhere produced it) lives on and learns its own fate at its own refresh.
                logger.RefreshRejected(subject, outcome.Error ?? "rejected");
                Observability.AuditTrail.Of(context.HttpContext).RefreshFailed(context.HttpContext, subject,
                    "the token endpoint refused the refresh token (" + (outcome.Error ?? "rejected") + "); session ended");
                await EndAsync(context, revoke: true);
                break;
            default:
                var stillValid = now < expiresAt;
                logger.RefreshUnavailable(subject, stillValid);
                Observability.AuditTrail.Of(context.HttpContext).RefreshFailed(context.HttpContext, subject,
                    stillValid ? "the token endpoint could not be reached; the session goes on until its access token expires"
                               : "the token endpoint could not be reached and the access token expired; answered 503");
                if (!stillValid)
                {
                    throw new IdentityProviderUnavailableException("The session's access token expired and the token endpoint cannot be reached to refresh it.");
                }

                break;
        }
    }

    /// <summary>The session's app's provider (BelongsHere made sure the session is the request's app's).</summary>
    private AppProvider ProviderOf(CookieValidatePrincipalContext context) => providers.Of(context.HttpContext) ?? providers.Primary;

    private async Task ApplyAsync(CookieValidatePrincipalContext context, RefreshedTokens tokens, string? subject)
    {
        if (tokens.IdToken is not null)
        {
            try
            {
                var principal = await ProviderOf(context).IdTokens.ValidateAsync(tokens.IdToken, context.Principal?.Identity?.AuthenticationType ?? GatewaySchemes.OpenIdConnect, context.HttpContext.RequestAborted);
                context.ReplacePrincipal(principal);
            }
            catch (SecurityTokenException ex)
            {
                logger.RefreshedIdTokenInvalid(subject, ex.GetType().Name);
                Observability.AuditTrail.Of(context.HttpContext).RefreshFailed(context.HttpContext, subject, "the refreshed ID token is invalid (" + ex.GetType().Name + "); session ended");
                await EndAsync(context);
                return;
            }
        }

        var properties = context.Properties;
        SetInstant(properties, AccessExpiryItem, tokens.ExpiresAt);
        if (tokens.IssuedAt != default)
        {
            SetInstant(properties, AccessIssuedItem, tokens.IssuedAt);
        }
        else
        {
            // A result shared through Redis by an older version: without the issue instant, fall back to the configured margin.
            properties.Items.Remove(AccessIssuedItem);
        }

        var keepAccessToken = accessTokenRetention.KeepInSession() || AccessTokenRetention.RouteForwardsToken(context.HttpContext);
        var stored = properties.GetTokens().ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
        SetOrRemove(stored, TokenNames.AccessToken, keepAccessToken ? tokens.AccessToken : null);

        // Rotation on: keep the new refresh token (the old stays valid for Cognito's short grace period); off: keep the old.
        // A new refresh token starts a new generation: a refusal of the old one (this rotation, seen from a stale copy) must
        // not revoke the session that holds the new one.
        if (tokens.RefreshToken is not null)
        {
            stored[TokenNames.RefreshToken] = tokens.RefreshToken;
            if (SessionRevocations.Of(properties) is { } revocable)
            {
                properties.Items[SessionRevocations.GenerationItem] = (revocable.Generation + 1).ToString(CultureInfo.InvariantCulture);
            }
        }

        if (tokens.IdToken is not null && (ProviderOf(context).Settings.Dialect == ProviderDialect.Oidc || accessTokenRetention.KeepIdTokenInSession() ||
                                           AccessTokenRetention.RouteForwardsIdToken(context.HttpContext)))
        {
            stored[TokenNames.IdToken] = tokens.IdToken;
        }

        properties.StoreTokens(stored.Select(kv => new AuthenticationToken { Name = kv.Key, Value = kv.Value }));

        context.ShouldRenew = true;
        if (SessionKeyFeature.Of(context.HttpContext) is { } cacheKey)
        {
            signals.Changed(cacheKey);
        }

        logger.TokensRefreshed(subject, tokens.RefreshToken is not null);
    }

    /// <summary>Lets the next requests with this cookie skip the handlers until something is due (see SessionCache.SetValidated).</summary>
    private void RememberValidated(CookieValidatePrincipalContext context, DateTimeOffset now, DateTimeOffset absolute, DateTimeOffset? refreshAt,
        (string Id, int Generation)? revocable)
    {
        if (SessionKeyFeature.Of(context.HttpContext) is not { } cacheKey || context.Principal is null ||
            context.Properties.ExpiresUtc is not { } expires)
        {
            return;
        }

        var until = now + cache.Duration;
        var session = options.Value.Session;
        if (session.IdleTimeout > TimeSpan.Zero && session.IdleTimeout < session.Lifetime && context.Properties.IssuedUtc is { } issued)
        {
            // The cookie handler renews a sliding session once half its window has passed: leave that to it.
            until = Min(until, issued + ((expires - issued) / 2));
        }

        until = Min(until, expires);
        if (absolute != default)
        {
            until = Min(until, absolute);
        }

        if (refreshAt is { } r)
        {
            until = Min(until, r);
        }

        if (until > now)
        {
            cache.SetValidated(cacheKey, context.Principal, until, revocable);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static void SetOrRemove(Dictionary<string, string> tokens, string name, string? value)
    {
        if (value is null)
        {
            tokens.Remove(name);
        }
        else
        {
            tokens[name] = value;
        }
    }

    /// <summary>
    /// Rejects the session and deletes its cookie. <paramref name="revoke"/>: a cookie-store session is also revoked up to its
    /// current generation (a failure to record that is logged; the refused refresh token ends copies at their next refresh anyway).
    /// </summary>
    private async Task EndAsync(CookieValidatePrincipalContext context, bool revoke = false)
    {
        context.RejectPrincipal();
        var cacheKey = SessionKeyFeature.Of(context.HttpContext);
        if (context.HttpContext.Features.Get<RevocableSession>() is { Ended: false } session)
        {
            // The sign-out below must not revoke it again (nor revoke at all a session that merely expired).
            session.Ended = true;
            if (revoke)
            {
                try
                {
                    await signals.RevokeAsync(session.Id, session.Until, session.Generation, cacheKey);
                }
                catch (SessionStoreUnavailableException)
                {
                    // Logged by the revocation list; this instance refuses the cookie all the same.
                }
            }
        }

        if (cacheKey is not null)
        {
            signals.Changed(cacheKey);
        }

        await context.HttpContext.SignOutAsync(GatewaySchemes.Session);
    }
}

/// <summary>
/// The request's cookie-store session as the revocation list knows it, set when the session is validated: sign-out
/// (<see cref="SessionCookieEvents.SigningOut"/>) revokes it, whoever calls sign-out.
/// </summary>
internal sealed class RevocableSession(string id, int generation, DateTimeOffset until)
{
    public string Id { get; } = id;

    public int Generation { get; } = generation;

    /// <summary>The session's absolute expiry: a revocation is not needed beyond it.</summary>
    public DateTimeOffset Until { get; } = until;

    /// <summary>Revoked or ended already in this request.</summary>
    public bool Ended { get; set; }
}
