using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Demo.Emulator;

/// <summary>
/// The emulator's RS256 signing keys (RSA 2048, in memory), one for ID tokens and one for access tokens,
/// each with its own <c>kid</c> as Cognito does. Resolve it from the emulator's <c>app.Services</c> to rotate keys in tests.
/// After a rotation the previous key stays published in the JWKS (tokens it signed still verify)
/// until the next rotation of the same kind, or until <see cref="RetirePreviousKeys"/>.
/// </summary>
public sealed class EmulatorKeys : IDisposable
{
    private readonly Lock _gate = new();
    private SigningKey _idKey = SigningKey.Create("id");
    private SigningKey _accessKey = SigningKey.Create("access");
    private SigningKey? _previousIdKey;
    private SigningKey? _previousAccessKey;
    private readonly List<SigningKey> _retired = [];

    /// <summary>The <c>kid</c> that signs new ID tokens.</summary>
    public string IdTokenKeyId
    {
        get { lock (_gate) { return _idKey.KeyId; } }
    }

    /// <summary>The <c>kid</c> that signs new access tokens.</summary>
    public string AccessTokenKeyId
    {
        get { lock (_gate) { return _accessKey.KeyId; } }
    }

    /// <summary>Every <c>kid</c> currently published in the JWKS.</summary>
    public IReadOnlyList<string> PublishedKeyIds
    {
        get
        {
            lock (_gate)
            {
                return PublishedKeysLocked().Select(k => k.KeyId).ToArray();
            }
        }
    }

    /// <summary>Credentials for signing new ID tokens (tests may mint their own, e.g. forged or expired tokens).</summary>
    public SigningCredentials IdTokenSigningCredentials
    {
        get { lock (_gate) { return _idKey.Credentials; } }
    }

    /// <summary>Credentials for signing new access tokens.</summary>
    public SigningCredentials AccessTokenSigningCredentials
    {
        get { lock (_gate) { return _accessKey.Credentials; } }
    }

    /// <summary>
    /// Replaces the ID-token signing key with a new one and returns its <c>kid</c>. The replaced key stays published
    /// unless <paramref name="keepPreviousPublished"/> is false; the key before it is dropped from the JWKS.
    /// </summary>
    public string RotateIdTokenKey(bool keepPreviousPublished = true)
    {
        lock (_gate)
        {
            Retire(_previousIdKey);
            _previousIdKey = keepPreviousPublished ? _idKey : null;
            if (!keepPreviousPublished)
            {
                Retire(_idKey);
            }

            _idKey = SigningKey.Create("id");
            return _idKey.KeyId;
        }
    }

    /// <summary>Same as <see cref="RotateIdTokenKey"/> for the access-token key.</summary>
    public string RotateAccessTokenKey(bool keepPreviousPublished = true)
    {
        lock (_gate)
        {
            Retire(_previousAccessKey);
            _previousAccessKey = keepPreviousPublished ? _accessKey : null;
            if (!keepPreviousPublished)
            {
                Retire(_accessKey);
            }

            _accessKey = SigningKey.Create("access");
            return _accessKey.KeyId;
        }
    }

    /// <summary>Stops publishing the keys replaced by earlier rotations: tokens they signed no longer verify.</summary>
    public void RetirePreviousKeys()
    {
        lock (_gate)
        {
            Retire(_previousIdKey);
            Retire(_previousAccessKey);
            _previousIdKey = null;
            _previousAccessKey = null;
        }
    }

    /// <summary>The JWKS document (<c>{"keys":[...]}</c>) as served at <c>{issuer}/.well-known/jwks.json</c>.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> GetPublicJwks()
    {
        lock (_gate)
        {
            return PublishedKeysLocked().Select(k => k.PublicJwk).ToArray();
        }
    }

    /// <summary>Published keys able to verify access tokens.</summary>
    internal IReadOnlyList<SecurityKey> AccessTokenValidationKeys
    {
        get
        {
            lock (_gate)
            {
                return new[] { _accessKey, _previousAccessKey }.OfType<SigningKey>().Select(k => (SecurityKey)k.Key).ToArray();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var key in new[] { _idKey, _accessKey, _previousIdKey, _previousAccessKey }.Concat(_retired))
            {
                key?.Rsa.Dispose();
            }

            _retired.Clear();
        }
    }

    private IEnumerable<SigningKey> PublishedKeysLocked() =>
        new[] { _idKey, _accessKey, _previousIdKey, _previousAccessKey }.OfType<SigningKey>();

    // Retired RSA objects are kept (not disposed) until the emulator stops: a token being signed concurrently may still use one.
    private void Retire(SigningKey? key)
    {
        if (key is not null)
        {
            _retired.Add(key);
        }
    }

    private sealed record SigningKey(string KeyId, RSA Rsa, RsaSecurityKey Key, SigningCredentials Credentials, IReadOnlyDictionary<string, string> PublicJwk)
    {
        public static SigningKey Create(string purpose)
        {
            var rsa = RSA.Create(2048);
            var keyId = $"{purpose}-{Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12))}";
            var key = new RsaSecurityKey(rsa) { KeyId = keyId };
            var parameters = rsa.ExportParameters(includePrivateParameters: false);
            var jwk = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["alg"] = SecurityAlgorithms.RsaSha256,
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                ["kid"] = keyId,
                ["kty"] = "RSA",
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["use"] = "sig",
            };
            return new SigningKey(keyId, rsa, key, new SigningCredentials(key, SecurityAlgorithms.RsaSha256), jwk);
        }
    }
}
