using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Infrastructure;

/// <summary>A per-run RSA signing key with its JWK representation. No key material is checked in.</summary>
public sealed class TestSigningKey : IDisposable
{
    private TestSigningKey(string kid, RSA rsa)
    {
        Kid = kid;
        Rsa = rsa;
    }

    public string Kid { get; }

    public RSA Rsa { get; }

    public static TestSigningKey Create(string kid) => new(kid, RSA.Create(2048));

    public Dictionary<string, object> ToJwk()
    {
        var p = Rsa.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, object>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = Kid,
            ["n"] = TestTokens.Base64Url(p.Modulus!),
            ["e"] = TestTokens.Base64Url(p.Exponent!),
        };
    }

    public void Dispose() => Rsa.Dispose();
}

/// <summary>What the fake token endpoint is about to sign; tests mutate it to produce bad tokens.</summary>
public sealed class TokenMintRequest
{
    public required Dictionary<string, object?> Claims { get; init; }

    /// <summary>Key that signs the token (null with Algorithm "none").</summary>
    public TestSigningKey? SigningKey { get; set; }

    /// <summary>kid written in the header; defaults to the signing key's kid.</summary>
    public string? Kid { get; set; }

    public string Algorithm { get; set; } = "RS256";
}

/// <summary>Hand-rolled JWT minting so a test controls every byte (alg none, foreign kid, ...).</summary>
public static class TestTokens
{
    public static string Mint(TokenMintRequest request)
    {
        var header = new Dictionary<string, object?> { ["alg"] = request.Algorithm, ["typ"] = "JWT" };
        var kid = request.Kid ?? request.SigningKey?.Kid;
        if (kid is not null && request.Algorithm != "none")
        {
            header["kid"] = kid;
        }

        var claims = request.Claims.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." +
                           Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        if (request.Algorithm == "none")
        {
            return signingInput + ".";
        }

        if (request.SigningKey is null)
        {
            throw new InvalidOperationException("A signing key is required for " + request.Algorithm);
        }

        var signature = request.SigningKey.Rsa.SignData(
            Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    public static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string S256(string codeVerifier) =>
        Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier)));

    public static long UnixTime(DateTimeOffset time) => time.ToUnixTimeSeconds();
}
