using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// What a backend does with the gateway's assertion, written with stock Microsoft.IdentityModel and nothing of the
/// gateway: it knows only the JWKS URL (fetched fresh for every check), the issuer and the audience it expects.
/// <paramref name="fetch"/> reads the JWKS some other way (e.g. a <c>*.localhost</c> host through <c>HostBrowser</c>).
/// </summary>
public sealed class JwksVerifier(string jwksUrl, string issuer, string audience, Func<string, Task<string>>? fetch = null)
{
    private static readonly HttpClient Http = new();

    private Task<string> JwksAsync() => fetch is null ? Http.GetStringAsync(jwksUrl) : fetch(jwksUrl);

    /// <summary>Verifies ES256 signature (key by kid from the JWKS), iss, aud and lifetime; <paramref name="at"/> moves the verifier's clock.</summary>
    public async Task<TokenValidationResult> VerifyAsync(string token, DateTimeOffset? at = null)
    {
        var jwks = new JsonWebKeySet(await JwksAsync());
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = issuer,
            ValidAudience = audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = TimeSpan.FromSeconds(5),
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = false,
        };
        if (at is { } moment)
        {
            // The library checks against the machine clock; a verifier whose clock reads `moment` decides the same way.
            parameters.LifetimeValidator = (notBefore, expires, _, p) =>
                expires is { } e && e.ToUniversalTime() > moment.UtcDateTime - p.ClockSkew &&
                (notBefore is not { } n || n.ToUniversalTime() <= moment.UtcDateTime + p.ClockSkew);
        }

        return await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
    }

    /// <summary>The kids the JWKS publishes now.</summary>
    public async Task<IReadOnlyList<string>> KeyIdsAsync()
    {
        using var json = JsonDocument.Parse(await JwksAsync());
        return json.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
    }

    /// <summary>The decoded JOSE header and payload of a compact JWS (no verification).</summary>
    public static (JsonElement Header, JsonElement Payload) Decode(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return (JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[0])).RootElement.Clone(),
            JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(parts[1])).RootElement.Clone());
    }
}
