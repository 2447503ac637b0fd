using System.Globalization;
using Gateway.Authentication;
using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Sessions;

/// <summary>
/// Runs on every request with a session: ends it at its absolute lifetime, and refreshes the tokens
/// ahead of the access token's expiry (single-flight). A refused refresh ends the session; an
/// unreachable token endpoint is tolerated while the access token is still valid and answered with
/// 503 once it has expired, keeping the session for the next try.
/// </summary>
internal sealed class SessionCookieEvents(
    IOptions<GatewayOptions> options,
    IdentityProviderSettings provider,
    TokenRefresher refresher,
    RefreshedIdTokenValidator idTokenValidator,
    SessionSignals signals,
    TimeProvider time,
    ILogger<SessionCookieEvents> logger) : CookieAuthenticationEvents
{
    public const string AbsoluteExpiryItem = ".gateway.absolute_expires";
    public const string ExpiresAtToken = "expires_at";

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var properties = context.Properties;
        var subject = context.Principal?.FindFirst("sub")?.Value;
        var now = time.GetUtcNow();

        if (properties.Items.TryGetValue(AbsoluteExpiryItem, out var absoluteText) &&
            DateTimeOffset.TryParse(absoluteText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var absolute) &&
            now >= absolute)
        {
            logger.SessionExpired(subject);
            await EndAsync(context);
            return;
        }

        // Signing out must work while the token endpoint is down: no refresh on the way out.
        if (context.Request.Path.Equals(options.Value.BasePath + "/sign_out", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var refreshToken = properties.GetTokenValue(TokenNames.RefreshToken);
        if (string.IsNullOrEmpty(refreshToken) ||
            !DateTimeOffset.TryParse(properties.GetTokenValue(ExpiresAtToken), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiresAt) ||
            now + options.Value.Session.RefreshMargin < expiresAt)
        {
            return;
        }

        var outcome = await refresher.RefreshAsync(refreshToken);
        switch (outcome.Status)
        {
            case RefreshStatus.Refreshed:
                await ApplyAsync(context, outcome.Tokens!, subject);
                break;
            case RefreshStatus.Rejected:
                logger.RefreshRejected(subject, outcome.Error ?? "rejected");
                await EndAsync(context);
                break;
            default:
                var stillValid = now < expiresAt;
                logger.RefreshUnavailable(subject, stillValid);
                if (!stillValid)
                {
                    throw new IdentityProviderUnavailableException("The session's access token expired and the token endpoint cannot be reached to refresh it.");
                }

                break;
        }
    }

    private async Task ApplyAsync(CookieValidatePrincipalContext context, RefreshedTokens tokens, string? subject)
    {
        if (tokens.IdToken is not null)
        {
            try
            {
                var principal = await idTokenValidator.ValidateAsync(tokens.IdToken, context.Principal?.Identity?.AuthenticationType ?? GatewaySchemes.OpenIdConnect, context.HttpContext.RequestAborted);
                context.ReplacePrincipal(principal);
            }
            catch (SecurityTokenException ex)
            {
                logger.RefreshedIdTokenInvalid(subject, ex.GetType().Name);
                await EndAsync(context);
                return;
            }
        }

        var properties = context.Properties;
        properties.UpdateTokenValue(TokenNames.AccessToken, tokens.AccessToken);
        properties.UpdateTokenValue(ExpiresAtToken, tokens.ExpiresAt.ToString("o", CultureInfo.InvariantCulture));
        if (tokens.RefreshToken is not null)
        {
            // Rotation is on: keep the new one (the old stays valid for Cognito's short grace period).
            properties.UpdateTokenValue(TokenNames.RefreshToken, tokens.RefreshToken);
        }

        if (tokens.IdToken is not null && provider.Dialect == ProviderDialect.Oidc)
        {
            if (!properties.UpdateTokenValue(TokenNames.IdToken, tokens.IdToken))
            {
                var list = properties.GetTokens().ToList();
                list.Add(new AuthenticationToken { Name = TokenNames.IdToken, Value = tokens.IdToken });
                properties.StoreTokens(list);
            }
        }

        context.ShouldRenew = true;
        if (context.HttpContext.Items[CachingTicketDataFormat.CacheKeyItem] is string cacheKey)
        {
            signals.Changed(cacheKey);
        }

        logger.TokensRefreshed(subject, tokens.RefreshToken is not null);
    }

    private async Task EndAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        if (context.HttpContext.Items[CachingTicketDataFormat.CacheKeyItem] is string cacheKey)
        {
            signals.Changed(cacheKey);
        }

        await context.HttpContext.SignOutAsync(GatewaySchemes.Session);
    }
}
