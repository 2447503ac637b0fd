using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Demo.Emulator;

/// <summary>The tokens of one grant.</summary>
internal sealed record IssuedTokens(string? IdToken, string AccessToken, DateTimeOffset AccessTokenExpiresAt);

/// <summary>Mints Cognito-shaped RS256 ID and access tokens.</summary>
internal sealed class TokenFactory(CognitoEmulatorOptions options, EmulatorKeys keys, UserDirectory users, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>
    /// Issues an access token and, when <paramref name="scope"/> contains <c>openid</c>, an ID token.
    /// <paramref name="nonce"/> is only set on the code grant (Cognito leaves it out of refreshed ID tokens).
    /// </summary>
    public IssuedTokens Issue(
        string issuer, EmulatorClient client, EmulatorUser user, string scope, DateTimeOffset authTime, string originJti, string? nonce)
    {
        var now = time.GetUtcNow();
        var principal = users.PrincipalOf(user);
        var context = new CognitoTokenContext(issuer, options.UserPoolId, client.ClientId, now, authTime, originJti);
        var accessToken = Sign(CognitoClaims.AccessToken(context, principal, options.AccessTokenLifetime, scope), keys.AccessTokenSigningCredentials);
        var accessExpires = now + options.AccessTokenLifetime;
        if (!ScopeContains(scope, "openid"))
        {
            return new IssuedTokens(null, accessToken, accessExpires);
        }

        var id = CognitoClaims.IdToken(context, principal, options.IdTokenLifetime, nonce, AtHash(accessToken));
        return new IssuedTokens(Sign(id, keys.IdTokenSigningCredentials), accessToken, accessExpires);
    }

    /// <summary>Validates an access token this emulator issued (signature, issuer, token_use, expiry by the injected clock).</summary>
    public async Task<JsonWebToken?> ValidateAccessTokenAsync(string token, string issuer)
    {
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateAudience = false, // Cognito access tokens carry no aud
            ValidateLifetime = false, // checked below against the injected TimeProvider
            IssuerSigningKeys = keys.AccessTokenValidationKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        }).ConfigureAwait(false);

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        if (!jwt.TryGetPayloadValue<string>("token_use", out var use) || use != "access"
            || !jwt.TryGetPayloadValue<long>("exp", out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) <= time.GetUtcNow())
        {
            return null;
        }

        return jwt;
    }

    public static IEnumerable<KeyValuePair<string, string>> CustomAttributes(EmulatorUser user) =>
        user.Attributes.Where(a => a.Key.StartsWith("custom:", StringComparison.Ordinal));

    public static bool ScopeContains(string scope, string wanted) =>
        scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(wanted, StringComparer.Ordinal);

    private string Sign(Dictionary<string, object> claims, SigningCredentials credentials) =>
        _handler.CreateToken(new SecurityTokenDescriptor { Claims = claims, SigningCredentials = credentials });

    private static string AtHash(string accessToken)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        return Base64UrlEncoder.Encode(hash, 0, hash.Length / 2);
    }
}
