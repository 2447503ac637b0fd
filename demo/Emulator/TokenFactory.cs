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
        var sub = users.SubjectOf(user);
        var eventId = Guid.NewGuid().ToString();
        var groups = user.Groups.Where(g => !string.IsNullOrEmpty(g)).ToList();

        var accessExpires = now + options.AccessTokenLifetime;
        var access = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = sub };
        if (groups.Count > 0)
        {
            access["cognito:groups"] = groups;
        }

        access["iss"] = issuer;
        access["version"] = 2;
        access["client_id"] = client.ClientId;
        access["origin_jti"] = originJti;
        access["event_id"] = eventId;
        access["token_use"] = "access";
        access["scope"] = scope;
        access["auth_time"] = authTime.ToUnixTimeSeconds();
        access["exp"] = accessExpires.ToUnixTimeSeconds();
        access["iat"] = now.ToUnixTimeSeconds();
        access["jti"] = Guid.NewGuid().ToString();
        access["username"] = user.Username;
        var accessToken = Sign(access, keys.AccessTokenSigningCredentials);

        if (!ScopeContains(scope, "openid"))
        {
            return new IssuedTokens(null, accessToken, accessExpires);
        }

        var id = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["at_hash"] = AtHash(accessToken),
            ["sub"] = sub,
        };
        if (groups.Count > 0)
        {
            id["cognito:groups"] = groups;
        }

        id["email_verified"] = true;
        id["iss"] = issuer;
        id["cognito:username"] = user.Username;
        if (nonce is not null)
        {
            id["nonce"] = nonce;
        }

        id["origin_jti"] = originJti;
        id["aud"] = client.ClientId;
        id["event_id"] = eventId;
        id["token_use"] = "id";
        id["auth_time"] = authTime.ToUnixTimeSeconds();
        id["exp"] = (now + options.IdTokenLifetime).ToUnixTimeSeconds();
        id["iat"] = now.ToUnixTimeSeconds();
        id["jti"] = Guid.NewGuid().ToString();
        if (!string.IsNullOrEmpty(user.Email))
        {
            id["email"] = user.Email;
        }

        foreach (var (name, value) in CustomAttributes(user))
        {
            id[name] = value;
        }

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
