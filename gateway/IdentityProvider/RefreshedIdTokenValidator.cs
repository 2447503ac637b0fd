using System.Security.Claims;
using Gateway.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.IdentityProvider;

/// <summary>
/// Validates the ID token that a refresh returns (signature via JWKS, iss, aud, exp, token_use, sub, iat) and turns it
/// into the same principal shape a sign-in produces, so group changes reach the backend without a new login.
/// </summary>
internal sealed class RefreshedIdTokenValidator(IdentityProviderSettings provider, ProviderMetadata metadata, TimeProvider time)
{
    /// <summary>
    /// Protocol claims that say nothing about the user and only make the session bigger. <c>acr</c> and <c>amr</c> are kept:
    /// they say how the user authenticated, and claim policies and header mappings may use them.
    /// </summary>
    public static readonly string[] DroppedClaims =
        ["nonce", "aud", "azp", "iss", "iat", "nbf", "exp", "at_hash", "c_hash", "ipaddr", "platf", "ver", "jti", "origin_jti", "event_id", "token_use"];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<ClaimsPrincipal> ValidateAsync(string idToken, string authenticationType, CancellationToken cancel)
    {
        var configuration = await metadata.GetConfigurationAsync(cancel);
        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(idToken);
        }
        catch (ArgumentException ex)
        {
            // A payload that does not parse (e.g. a non-numeric iat) ends the session like any other invalid token, not as a 500.
            throw new SecurityTokenValidationException("The refreshed ID token is not a well-formed JWT.", ex);
        }

        if (!await metadata.EnsureSigningKeyAsync(jwt.Kid, cancel))
        {
            throw new SecurityTokenSignatureKeyNotFoundException("The refreshed ID token names an unknown signing key.");
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = provider.ClientId,
            IssuerSigningKeyResolver = (_, _, keyId, _) => metadata.SigningKeysFor(keyId),
            ValidAlgorithms = provider.Dialect == ProviderDialect.Cognito ? [SecurityAlgorithms.RsaSha256] : null,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromMinutes(1),
            NameClaimType = provider.UsernameClaim,
            RoleClaimType = provider.GroupsClaim,
            AuthenticationType = authenticationType,
        };
        var result = await _handler.ValidateTokenAsync(idToken, parameters);
        if (!result.IsValid)
        {
            throw result.Exception as SecurityTokenException ?? new SecurityTokenValidationException("The refreshed ID token is invalid.", result.Exception);
        }

        if (provider.Dialect == ProviderDialect.Cognito && !string.Equals(result.ClaimsIdentity.FindFirst("token_use")?.Value, "id", StringComparison.Ordinal))
        {
            throw new SecurityTokenValidationException("The refreshed token is not a Cognito ID token (token_use must be 'id').");
        }

        if (IdTokenClaimRules.Problem(result.ClaimsIdentity, time.GetUtcNow()) is { } problem)
        {
            throw new SecurityTokenValidationException("Refreshed ID token: " + problem);
        }

        var identity = new ClaimsIdentity(
            result.ClaimsIdentity.Claims.Where(c => !DroppedClaims.Contains(c.Type, StringComparer.Ordinal)),
            authenticationType,
            provider.UsernameClaim,
            provider.GroupsClaim);
        return SessionPrincipal.Compact(new ClaimsPrincipal(identity), provider);
    }
}
