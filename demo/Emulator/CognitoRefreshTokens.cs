using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Demo.Emulator;

/// <summary>
/// Refresh tokens shaped like Cognito's: an encrypted JWE in compact form (five dot-separated base64url parts,
/// header <c>{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}</c>, a 2048-bit wrapped key), about 1.8 KB long, so
/// cookie sizes measured against the stand-ins are the real ones. The content is random: the stand-ins keep the
/// token's meaning in memory, as Cognito keeps the key that would decrypt it.
/// </summary>
public static class CognitoRefreshTokens
{
    /// <summary>Length of every minted refresh token (real ones are about 1,700–1,900 characters).</summary>
    public const int Length = 1780;

    private static readonly string Header = Base64UrlEncoder.Encode("""{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}""");

    /// <summary>A new, random refresh token of <see cref="Length"/> characters.</summary>
    public static string Create()
    {
        var encryptedKey = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(256));
        var iv = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        var tag = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        var fixedPart = Header.Length + encryptedKey.Length + iv.Length + tag.Length + 4;
        var ciphertext = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(((Length - fixedPart) * 3 / 4) + 3))[..(Length - fixedPart)];
        return string.Join('.', Header, encryptedKey, iv, ciphertext, tag);
    }

    /// <summary>
    /// True for a signed JWT (three parts, a JSON header with <c>alg</c> and no <c>enc</c>): an access or ID token,
    /// which <c>/oauth2/revoke</c> refuses with <c>unsupported_token_type</c>.
    /// </summary>
    public static bool IsSignedJwt(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0)
        {
            return false;
        }

        try
        {
            var header = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[0]));
            return header.Contains("\"alg\"", StringComparison.Ordinal) && !header.Contains("\"enc\"", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return false;
        }
    }
}
