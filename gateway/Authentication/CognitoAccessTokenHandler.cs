using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Configuration;
using Gateway.Errors;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Authentication;

/// <summary>Which access tokens the bearer scheme accepts.</summary>
internal sealed class BearerSettings(IReadOnlyCollection<string> allowedClientIds)
{
    public IReadOnlySet<string> AllowedClientIds { get; } = allowedClientIds.ToHashSet(StringComparer.Ordinal);

    public static BearerSettings From(GatewayOptions options, IdentityProviderSettings provider) =>
        new(options.Bearer.AllowedClientIds.Count > 0 ? options.Bearer.AllowedClientIds.Select(c => c.Trim()).ToArray() : [provider.ClientId]);
}

/// <summary>
/// Validates a Cognito access token from <c>Authorization: Bearer</c>: RS256 signature with the pool's JWKS
/// (refetched for an unknown <c>kid</c>), <c>iss</c> = the discovery issuer, <c>exp</c> (1 minute skew),
/// <c>token_use</c> = <c>access</c> and <c>client_id</c> in the allow-list. Cognito access tokens carry no <c>aud</c>,
/// so audience validation is off and <c>client_id</c> takes its place. Claims keep Cognito's names; the token's
/// <c>username</c> is also given as <c>cognito:username</c> so the identity headers match a browser session.
/// </summary>
internal sealed class CognitoAccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ProviderMetadata metadata,
    IdentityProviderSettings provider,
    BearerSettings settings,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private static readonly JsonWebTokenHandler TokenHandler = new() { MapInboundClaims = false };
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!BearerSelection.TryGetToken(Request, out var token))
        {
            return AuthenticateResult.NoResult();
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Reject("The bearer token is not a well-formed JWT.");
        }

        if (!string.Equals(jwt.Alg, SecurityAlgorithms.RsaSha256, StringComparison.Ordinal) || !jwt.IsSigned)
        {
            return Reject("The token must be signed with RS256.");
        }

        // Throws IdentityProviderUnavailableException (→ 503) when the pool's metadata cannot be loaded at all.
        var configuration = await metadata.GetConfigurationAsync(Context.RequestAborted);
        await metadata.EnsureSigningKeyAsync(jwt.Kid, Context.RequestAborted, untrustedCaller: true);

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidateIssuer = true,
            ValidateAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            IssuerSigningKeyResolver = (_, _, keyId, _) => metadata.SigningKeysFor(keyId),
            ClockSkew = ClockSkew,
            LifetimeValidator = ValidateLifetime,
            AuthenticationType = GatewaySchemes.Bearer,
            NameClaimType = provider.UsernameClaim,
            RoleClaimType = provider.GroupsClaim,
        };

        var result = await TokenHandler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
        {
            return Reject(Describe(result.Exception));
        }

        if (!jwt.TryGetPayloadValue<string>("token_use", out var tokenUse) || !string.Equals(tokenUse, "access", StringComparison.Ordinal))
        {
            return Reject("The token is not an access token (token_use must be 'access'); send the Cognito access token, not the ID token.");
        }

        if (!jwt.TryGetPayloadValue<string>("client_id", out var clientId) || clientId is null || !settings.AllowedClientIds.Contains(clientId))
        {
            return Reject("The access token was issued to an app client this gateway does not accept (client_id).");
        }

        var identity = result.ClaimsIdentity;
        if (!identity.HasClaim(c => c.Type == "cognito:username") && identity.FindFirst("username") is { } username)
        {
            identity.AddClaim(new Claim("cognito:username", username.Value, ClaimValueTypes.String, username.Issuer));
        }

        // A federated user's automatic group and provider name, as a browser session of the same user has them.
        FederatedIdentity.ShapeAccessTokenIdentity(identity, provider);

        var properties = new AuthenticationProperties { ExpiresUtc = jwt.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) };
        properties.StoreTokens([new AuthenticationToken { Name = TokenNames.AccessToken, Value = token }]);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), properties, Scheme.Name));
    }

    /// <summary>401 JSON with <c>WWW-Authenticate: Bearer error="invalid_token", error_description="…"</c> (RFC 6750 §3); the description never quotes the token.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var description = result.Failure?.Message;
        var challenge = description is null
            ? "Bearer realm=\"gateway\""
            : $"Bearer realm=\"gateway\", error=\"invalid_token\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\"";
        Observability.AuditTrail.Of(Context).Unauthenticated(
            Context,
            Context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>()?.Config.RouteId,
            description is null ? "no bearer token" : "bearer token refused: " + description);
        await ErrorResponses.WriteAsync(
            Context,
            StatusCodes.Status401Unauthorized,
            description is null ? "unauthenticated" : "invalid_token",
            "Invalid access token",
            description ?? "Send a Cognito access token as 'Authorization: Bearer TOKEN'.",
            wwwAuthenticate: challenge,
            forceJson: true);
    }

    /// <summary><c>exp</c> and <c>nbf</c> against the injected <see cref="TimeProvider"/> (tests move the clock), with one minute of skew.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no exp claim.");
        }

        if (notBefore is { } nbf && nbf > now + ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        }

        if (expires.Value < now - ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        }

        return true;
    }

    private AuthenticateResult Reject(string description)
    {
        // The path is the caller's: escaped and bounded in the log.
        Logger.BearerTokenRejected(Observability.LogValue.Sanitize(Request.Path.Value ?? "/", 200), description);
        return AuthenticateResult.Fail(description);
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "The access token has expired.",
        SecurityTokenNotYetValidException => "The access token is not valid yet.",
        SecurityTokenNoExpirationException => "The access token has no expiry (exp).",
        SecurityTokenInvalidIssuerException => "The token was not issued by this gateway's user pool (iss).",
        SecurityTokenSignatureKeyNotFoundException => "The token is signed with a key this user pool does not publish.",
        SecurityTokenInvalidAlgorithmException => "The token must be signed with RS256.",
        SecurityTokenInvalidSignatureException => "The token signature is not valid.",
        SecurityTokenMalformedException => "The bearer token is not a well-formed JWT.",
        _ => "The access token is not valid.",
    };
}
