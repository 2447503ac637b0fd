using System.Text.Json;
using Gateway.Sessions;
using StackExchange.Redis;

namespace Gateway.Assertions;

/// <summary>
/// One signing key as stored: the private key encrypted with Data Protection (so the store alone never reveals it), and
/// the window in which it signs. Every instance sharing the store publishes every stored key in its JWKS.
/// </summary>
internal sealed record StoredAssertionKey(string KeyId, DateTimeOffset ActiveFrom, DateTimeOffset RetireAt, string ProtectedPrivateKey)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>Where the signing keys live; the same place as the Data Protection keys, so instances that share sessions share these too.</summary>
internal interface IAssertionKeyStore
{
    /// <summary>A name for logs.</summary>
    string Name { get; }

    Task<IReadOnlyList<StoredAssertionKey>> ReadAllAsync();

    Task AddAsync(StoredAssertionKey key);

    Task RemoveAsync(string keyId);
}

/// <summary>No shared place configured: the keys live as long as this process (one instance; a restart publishes a new key).</summary>
internal sealed class MemoryAssertionKeyStore : IAssertionKeyStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StoredAssertionKey> _keys = new(StringComparer.Ordinal);

    public string Name => "memory";

    public Task<IReadOnlyList<StoredAssertionKey>> ReadAllAsync() => Task.FromResult<IReadOnlyList<StoredAssertionKey>>(_keys.Values.ToList());

    public Task AddAsync(StoredAssertionKey key)
    {
        _keys[key.KeyId] = key;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string keyId)
    {
        _keys.TryRemove(keyId, out _);
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>Gateway:DataProtection:KeysPath</c>: one JSON file per key beside the Data Protection key files (which are
/// <c>*.xml</c>; these are <c>assertion-key-*.json</c>, so neither reads the other's). Written to a temporary name and
/// moved into place, so a reader never sees half a key.
/// </summary>
internal sealed class FileAssertionKeyStore(string directory) : IAssertionKeyStore
{
    private const string Prefix = "assertion-key-";

    public string Name => "keys directory";

    public async Task<IReadOnlyList<StoredAssertionKey>> ReadAllAsync()
    {
        var keys = new List<StoredAssertionKey>();
        if (!Directory.Exists(directory))
        {
            return keys;
        }

        foreach (var file in Directory.EnumerateFiles(directory, Prefix + "*.json"))
        {
            try
            {
                await using var stream = File.OpenRead(file);
                if (await JsonSerializer.DeserializeAsync<StoredAssertionKey>(stream, StoredAssertionKey.Json) is { KeyId: not null } key)
                {
                    keys.Add(key);
                }
            }
            catch (Exception ex) when (ex is JsonException or FileNotFoundException)
            {
                // Removed by another instance meanwhile, or not ours to read: the others still count.
            }
        }

        return keys;
    }

    public async Task AddAsync(StoredAssertionKey key)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Prefix + key.KeyId + ".json");
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(key, StoredAssertionKey.Json));
        File.Move(temporary, path, overwrite: true);
    }

    public Task RemoveAsync(string keyId)
    {
        File.Delete(Path.Combine(directory, Prefix + keyId + ".json"));
        return Task.CompletedTask;
    }
}

/// <summary>Redis (no keys directory): one hash, a field per key, behind the same circuit breaker as every Redis call.</summary>
internal sealed class RedisAssertionKeyStore(RedisConnection connection, RedisCircuitBreaker breaker, string hashKey) : IAssertionKeyStore
{
    public string Name => "Redis";

    public Task<IReadOnlyList<StoredAssertionKey>> ReadAllAsync() => breaker.RunAsync<IReadOnlyList<StoredAssertionKey>>(async () =>
    {
        var entries = await connection.Multiplexer.GetDatabase().HashGetAllAsync(hashKey);
        var keys = new List<StoredAssertionKey>(entries.Length);
        foreach (var entry in entries)
        {
            try
            {
                if (JsonSerializer.Deserialize<StoredAssertionKey>(entry.Value.ToString(), StoredAssertionKey.Json) is { KeyId: not null } key)
                {
                    keys.Add(key);
                }
            }
            catch (JsonException)
            {
                // Not ours to read; the others still count.
            }
        }

        return keys;
    });

    public Task AddAsync(StoredAssertionKey key) =>
        breaker.RunAsync(() => connection.Multiplexer.GetDatabase().HashSetAsync(hashKey, key.KeyId, JsonSerializer.Serialize(key, StoredAssertionKey.Json)));

    public Task RemoveAsync(string keyId) =>
        breaker.RunAsync(() => connection.Multiplexer.GetDatabase().HashDeleteAsync(hashKey, keyId));
}
