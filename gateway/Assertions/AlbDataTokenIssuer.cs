using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Assertions;

/// <summary>
/// The <c>x-amzn-oidc-data</c> token of the ALB profile, in an AWS Application Load Balancer's format so apps written for
/// one verify it unchanged: JOSE header <c>typ</c>, <c>kid</c>, <c>alg</c> ES256, <c>iss</c> (the user pool), <c>client</c>
/// (the app client id), <c>signer</c> (<c>Gateway:Alb:Signer</c>) and <c>exp</c>; payload = the user's userInfo-style
/// claims (strings, as Cognito's userInfo sends them) with <c>exp</c> and <c>iss</c>. As ALB does, each segment is
/// base64url WITH its '=' padding and the signature covers the padded segments (AWS's recipe decodes the header with a
/// plain base64 decoder, which needs the padding). Signed with the assertion keys; the PEM of each key is served at
/// <c>Gateway:Alb:PublicKeysPath</c>/{kid}. Reused like the assertion, until half of its lifetime is left.
/// With <c>Gateway:Apps</c>, <c>iss</c>, <c>client</c> and the email/username rules are those of the request's app's provider.
/// </summary>
internal sealed class AlbDataTokenIssuer(AssertionKeyRing keys, IOptions<GatewayOptions> options, TimeProvider time)
{
    /// <summary>The userInfo attributes Cognito returns (plus every <c>custom:*</c>); groups are not among them.</summary>
    private static readonly string[] UserInfoClaims =
    [
        "sub", "email_verified", "email", "username", "name", "given_name", "family_name", "middle_name", "nickname",
        "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale",
        "phone_number", "phone_number_verified", "address", "updated_at", "identities",
    ];

    private readonly SignedTokenCache _cache = new();

    /// <summary>The data token of this user, from the provider of the request's app (its pool and client).</summary>
    public async ValueTask<string> IssueAsync(ClaimsPrincipal user, IdentityProviderSettings provider, string publicOrigin)
    {
        var signer = string.IsNullOrWhiteSpace(options.Value.Alb.Signer) ? publicOrigin : options.Value.Alb.Signer.Trim();
        var claims = ClaimsOf(user, provider);
        var issuer = provider.Authority.AbsoluteUri.TrimEnd('/');

        // The same user of two apps gets two tokens: iss and client are part of what is signed.
        var cacheKey = string.Join('\0', signer, issuer, provider.ClientId) + "\0" + string.Join('\0', claims.Select(c => c.Key + "\0" + c.Value));
        var now = time.GetUtcNow();
        if (_cache.TryGet(cacheKey, now, out var cached))
        {
            return cached;
        }

        var key = await keys.SigningKeyAsync();
        var lifetime = options.Value.Assertion.Lifetime;
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var expires = (issuedAt + lifetime).ToUnixTimeSeconds();

        var header = Json(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("kid", key.KeyId);
            w.WriteString("alg", "ES256");
            w.WriteString("iss", issuer);
            w.WriteString("client", provider.ClientId);
            w.WriteString("signer", signer);
            w.WriteNumber("exp", expires);
        });
        var payload = Json(w =>
        {
            foreach (var (name, value) in claims)
            {
                w.WriteString(name, value);
            }

            w.WriteNumber("exp", expires);
            w.WriteString("iss", issuer);
        });

        var signingInput = PaddedBase64Url(header) + "." + PaddedBase64Url(payload);
        var signature = key.Ecdsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var token = signingInput + "." + PaddedBase64Url(signature);

        _cache.Add(cacheKey, token, issuedAt, lifetime);
        return token;
    }

    /// <summary>userInfo-style claims: the email only under the gateway's email rule; the username from the provider's username claim.</summary>
    private static List<KeyValuePair<string, string>> ClaimsOf(ClaimsPrincipal user, IdentityProviderSettings provider)
    {
        var claims = new List<KeyValuePair<string, string>>();
        var emailTrusted = provider.EmailTrusted(user);
        foreach (var name in UserInfoClaims)
        {
            var value = name switch
            {
                "username" => user.FindFirst(provider.UsernameClaim)?.Value ?? user.FindFirst("username")?.Value,
                "email" or "email_verified" when !emailTrusted => null,
                "preferred_username" when provider.UsernameClaim == "preferred_username" => null,
                _ => user.FindFirst(name)?.Value,
            };
            if (value is not null)
            {
                claims.Add(new(name, value));
            }
        }

        foreach (var custom in user.Claims.Where(c => c.Type.StartsWith("custom:", StringComparison.Ordinal)).GroupBy(c => c.Type, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            claims.Add(new(custom.Key, custom.First().Value));
        }

        return claims;
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>base64url keeping the '=' padding, as ALB writes it.</summary>
    private static string PaddedBase64Url(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
}
