using System.Security.Cryptography;
using System.Text;
using Gateway.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Assertions;

/// <summary>
/// The ES256 (P-256) keys that sign assertions, shared by every instance through <see cref="IAssertionKeyStore"/>.
/// <list type="bullet">
/// <item>The first key is made on first use and signs at once. Its successor is made <see cref="PublishAhead"/> before it
/// retires and is published from then on, so verifiers that cache the JWKS (<see cref="JwksMaxAge"/>) know it before
/// it signs anything.</item>
/// <item>A retired key stays published until every assertion it signed has expired (lifetime + <see cref="ClockSkew"/>),
/// then it is removed from the store.</item>
/// <item>Every instance re-reads the store every <see cref="RefreshInterval"/> (the JWKS waits for it, signing does not),
/// so a key another instance made is in this one's JWKS within seconds. When two instances make a key at the same
/// moment, both pick the same one to sign with once they have read each other's (latest start, then key id).</item>
/// </list>
/// </summary>
internal sealed class AssertionKeyRing(
    IAssertionKeyStore store,
    IDataProtectionProvider dataProtection,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<AssertionKeyRing> logger)
{
    /// <summary>How far a verifier's clock may be off: a retired key stays published this much longer than its last assertion.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Cache-Control max-age of the JWKS: shorter than the overlap a retired key gets, and than <see cref="PublishAhead"/>.</summary>
    public static readonly TimeSpan JwksMaxAge = TimeSpan.FromMinutes(5);

    /// <summary>A successor key is published this long before it signs: two JWKS cache periods and a store refresh.</summary>
    public static readonly TimeSpan PublishAhead = TimeSpan.FromMinutes(15);

    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Gateway.Assertions.SigningKey.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SigningKey> _loaded = new(StringComparer.Ordinal);

    /// <summary>Stored keys this instance cannot decrypt (another Data Protection key ring): logged once each, not at every read.</summary>
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);
    private volatile Snapshot? _snapshot;
    private int _refreshing;

    private sealed record Snapshot(IReadOnlyList<SigningKey> Keys, DateTimeOffset LoadedAt);

    /// <summary>The key to sign with now; reads (and, if needed, creates) keys only when this instance has none that may sign.</summary>
    public async ValueTask<SigningKey> SigningKeyAsync()
    {
        var now = time.GetUtcNow();
        if (_snapshot is { } snapshot && Choose(snapshot.Keys, now) is { } key)
        {
            if (snapshot.LoadedAt + RefreshInterval <= now || NeedsSuccessor(snapshot.Keys, key, now))
            {
                RefreshInBackground();
            }

            return key;
        }

        await MaintainAsync(force: true);
        return Choose(_snapshot!.Keys, time.GetUtcNow()) ?? throw new InvalidOperationException("No assertion signing key after maintenance.");
    }

    /// <summary>Every key a verifier may meet: the signing key, its announced successor and retired keys whose assertions may still be valid.</summary>
    public async ValueTask<IReadOnlyList<SigningKey>> PublishedKeysAsync()
    {
        var now = time.GetUtcNow();
        if (_snapshot is not { } snapshot || snapshot.LoadedAt + RefreshInterval <= now || Choose(snapshot.Keys, now) is null)
        {
            await MaintainAsync(force: false);
        }

        var lifetime = options.Value.Assertion.Lifetime;
        return _snapshot!.Keys.Where(k => now < k.RetireAt + lifetime + ClockSkew).OrderBy(k => k.ActiveFrom).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The published key with this id (null when unknown or no longer published).</summary>
    public async ValueTask<SigningKey?> FindPublishedAsync(string keyId) =>
        (await PublishedKeysAsync()).FirstOrDefault(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal));

    private static SigningKey? Choose(IReadOnlyList<SigningKey> keys, DateTimeOffset now)
    {
        SigningKey? best = null;
        foreach (var key in keys)
        {
            if (key.ActiveFrom <= now && now < key.RetireAt &&
                (best is null || key.ActiveFrom > best.ActiveFrom || (key.ActiveFrom == best.ActiveFrom && string.CompareOrdinal(key.KeyId, best.KeyId) < 0)))
            {
                best = key;
            }
        }

        return best;
    }

    private static bool NeedsSuccessor(IReadOnlyList<SigningKey> keys, SigningKey current, DateTimeOffset now) =>
        current.RetireAt - now <= PublishAhead && !keys.Any(k => k.ActiveFrom > now);

    private void RefreshInBackground()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await MaintainAsync(force: false);
            }
            catch (Exception)
            {
                // Logged inside; the keys already held stay in use.
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        });
    }

    /// <summary>
    /// Reads the store, makes the first key or the successor when due, and removes keys nobody can need any more. When the
    /// store cannot be read the keys already held stay in use; with none held (<paramref name="force"/> or not) the failure
    /// is the caller's (503 for a request).
    /// </summary>
    private async Task MaintainAsync(bool force)
    {
        await _gate.WaitAsync();
        try
        {
            var now = time.GetUtcNow();
            if (!force && _snapshot is { } fresh && fresh.LoadedAt + RefreshInterval > now && Choose(fresh.Keys, now) is { } held && !NeedsSuccessor(fresh.Keys, held, now))
            {
                return;
            }

            IReadOnlyList<SigningKey> keys;
            try
            {
                keys = Load(await store.ReadAllAsync());
                var assertion = options.Value.Assertion;
                var current = Choose(keys, now);
                if (current is null)
                {
                    await CreateAsync(now, now + assertion.KeyLifetime);
                    keys = Load(await store.ReadAllAsync());
                }
                else if (NeedsSuccessor(keys, current, now))
                {
                    await CreateAsync(current.RetireAt, current.RetireAt + assertion.KeyLifetime);
                    keys = Load(await store.ReadAllAsync());
                }

                foreach (var expired in keys.Where(k => k.RetireAt + assertion.Lifetime + ClockSkew <= now).ToList())
                {
                    await store.RemoveAsync(expired.KeyId);
                    _loaded.Remove(expired.KeyId);
                }
            }
            catch (Exception ex) when (_snapshot is not null && Choose(_snapshot.Keys, now) is not null)
            {
                logger.AssertionKeyStoreFailed(store.Name, "read or written", ex);
                _snapshot = _snapshot with { LoadedAt = now };
                return;
            }
            catch (Exception ex) when (ex is not Errors.DependencyUnavailableException)
            {
                // No key to sign with and none to be had (a keys directory that cannot be read or written): 503, not 500.
                logger.AssertionKeyStoreFailed(store.Name, "read or written", ex);
                throw new AssertionKeysUnavailableException(ex);
            }

            _snapshot = new Snapshot(keys, now);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CreateAsync(DateTimeOffset activeFrom, DateTimeOffset retireAt)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyId = Thumbprint(ecdsa.ExportParameters(includePrivateParameters: false));
        var privateKey = Convert.ToBase64String(_protector.Protect(ecdsa.ExportPkcs8PrivateKey()));
        await store.AddAsync(new StoredAssertionKey(keyId, activeFrom, retireAt, privateKey));
        logger.AssertionKeyCreated(keyId, activeFrom, retireAt);
    }

    private List<SigningKey> Load(IReadOnlyList<StoredAssertionKey> stored)
    {
        var keys = new List<SigningKey>(stored.Count);
        foreach (var entry in stored)
        {
            if (_loaded.TryGetValue(entry.KeyId, out var known))
            {
                keys.Add(known);
                continue;
            }

            try
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportPkcs8PrivateKey(_protector.Unprotect(Convert.FromBase64String(entry.ProtectedPrivateKey)), out _);
                var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
                if (parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value || Thumbprint(parameters) != entry.KeyId)
                {
                    Unreadable(entry.KeyId);
                    continue;
                }

                var key = new SigningKey(entry.KeyId, entry.ActiveFrom, entry.RetireAt, ecdsa, parameters);
                _loaded[entry.KeyId] = key;
                keys.Add(key);
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException)
            {
                Unreadable(entry.KeyId);
            }
        }

        return keys;
    }

    private void Unreadable(string keyId)
    {
        if (_unreadable.Count < 1000 && _unreadable.Add(keyId))
        {
            logger.AssertionKeyUnreadable(Observability.LogValue.Sanitize(keyId, 64));
        }
    }

    /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url): a key id any verifier can recompute, safe in a URL path.</summary>
    private static string Thumbprint(ECParameters parameters)
    {
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{Base64UrlEncoder.Encode(parameters.Q.X)}}","y":"{{Base64UrlEncoder.Encode(parameters.Q.Y)}}"}""";
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>A usable signing key: the private key for signing, its public half for the JWKS and the ALB-style PEM.</summary>
internal sealed class SigningKey
{
    public SigningKey(string keyId, DateTimeOffset activeFrom, DateTimeOffset retireAt, ECDsa ecdsa, ECParameters publicParameters)
    {
        KeyId = keyId;
        Ecdsa = ecdsa;
        ActiveFrom = activeFrom;
        RetireAt = retireAt;
        Credentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = keyId }, SecurityAlgorithms.EcdsaSha256);
        X = Base64UrlEncoder.Encode(publicParameters.Q.X);
        Y = Base64UrlEncoder.Encode(publicParameters.Q.Y);
        PublicKeyPem = ecdsa.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    public string KeyId { get; }

    /// <summary>The private key (for the ALB-format token, which is signed by hand: its segments keep their padding).</summary>
    public ECDsa Ecdsa { get; }

    public DateTimeOffset ActiveFrom { get; }

    public DateTimeOffset RetireAt { get; }

    public SigningCredentials Credentials { get; }

    public string X { get; }

    public string Y { get; }

    public string PublicKeyPem { get; }
}

/// <summary>No assertion signing key can be read or made (the key store fails and this instance holds none): 503.</summary>
internal sealed class AssertionKeysUnavailableException(Exception inner)
    : Errors.DependencyUnavailableException("The assertion signing keys can be neither read nor created.", inner, "assertion_keys_unavailable",
        "Temporarily unavailable", "The gateway cannot sign your identity for this application right now. Please try again in a moment.");
