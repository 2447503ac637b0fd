using System.Security.Claims;
using Gateway.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Assertions;

/// <summary>
/// Signs the identity assertion: a compact JWS (ES256) with <c>iss</c> (the gateway's public origin), <c>aud</c>,
/// <c>sub</c>, <c>email</c> (under the same rule as the email header), <c>groups</c>, <c>cognito:username</c>,
/// <c>identity_provider</c> (federated users), <c>iat</c>, <c>nbf</c>, <c>exp</c> and <c>jti</c>. An assertion is reused
/// for the same statement (same user facts, issuer and audience) until half of its lifetime is left, so a busy session
/// costs one signature per half-lifetime, not one per request. With <c>Gateway:Apps</c> the email rule and the
/// username/groups claim names are the request's app's provider's.
/// </summary>
internal sealed class AssertionIssuer(AssertionKeyRing keys, IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SignedTokenCache _cache = new();

    /// <summary>The assertion for this user, issuer and audience, stating what the provider of the user's app says.</summary>
    public async ValueTask<string> IssueAsync(ClaimsPrincipal user, IdentityProviderSettings provider, string issuer, string audience)
    {
        var facts = UserFacts.Of(user, provider);
        var cacheKey = string.Join('\0', issuer, audience, facts.Subject, facts.Email, facts.Username, facts.IdentityProvider, string.Join('\0', facts.Groups));
        var now = time.GetUtcNow();
        if (_cache.TryGet(cacheKey, now, out var cached))
        {
            return cached;
        }

        var key = await keys.SigningKeyAsync();
        var lifetime = options.Value.Assertion.Lifetime;
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var claims = facts.ToClaims();
        claims[JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N");
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = (issuedAt + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = key.Credentials,
        });

        _cache.Add(cacheKey, token, issuedAt, lifetime);
        return token;
    }
}

/// <summary>What the gateway states about a user, taken from the session's (or bearer token's) claims.</summary>
internal sealed record UserFacts(string? Subject, string? Email, IReadOnlyList<string> Groups, string? Username, string? IdentityProvider)
{
    public static UserFacts Of(ClaimsPrincipal user, IdentityProviderSettings provider) => new(
        user.FindFirst("sub")?.Value,
        provider.EmailTrusted(user) ? user.FindFirst("email")?.Value : null,
        user.FindAll(provider.GroupsClaim).Select(c => c.Value).ToList(),
        user.FindFirst(provider.UsernameClaim)?.Value ?? user.FindFirst("username")?.Value,
        user.FindFirst(IdentityProviderSettings.ProviderClaim)?.Value);

    /// <summary>The claims (absent facts left out, <c>groups</c> always an array).</summary>
    public Dictionary<string, object> ToClaims()
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["groups"] = Groups.ToArray() };
        Add(claims, JwtRegisteredClaimNames.Sub, Subject);
        Add(claims, "email", Email);
        Add(claims, "cognito:username", Username);
        Add(claims, IdentityProviderSettings.ProviderClaim, IdentityProvider);
        return claims;
    }

    private static void Add(Dictionary<string, object> claims, string name, string? value)
    {
        if (value is not null)
        {
            claims[name] = value;
        }
    }
}
