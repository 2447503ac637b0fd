using StackExchange.Redis;

namespace Gateway.Authentication;

/// <summary>
/// Where preserved form posts wait for their sign-in: encrypted blobs under a key derived from the browser's secret,
/// read at most once (<see cref="TakeAsync"/> removes atomically). Anyone can fill it (no session is needed to post a
/// form), so both stores are bounded per instance.
/// </summary>
internal interface IPreservedPostStore
{
    /// <summary>False when the bound is reached (the caller shows the "form not kept" page instead).</summary>
    Task<bool> SetAsync(string key, byte[] value, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>The value, removed in the same step, or null when there is none (never stored, used, expired).</summary>
    Task<byte[]?> TakeAsync(string key, CancellationToken cancellationToken);
}

/// <summary>
/// One instance without Redis: entries live in this process, at most <see cref="MaxEntries"/> and
/// <see cref="MaxBytes"/> together; when full the oldest entry makes room (its browser later sees "this form has expired",
/// never a silent loss). With several instances and no Redis the callback must reach the instance that kept the post.
/// </summary>
internal sealed class MemoryPreservedPostStore(TimeProvider time) : IPreservedPostStore
{
    public const int MaxEntries = 1024;
    public const long MaxBytes = 32L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Value, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private long _bytes;

    public Task<bool> SetAsync(string key, byte[] value, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            RemoveExpired(now);
            while (_order.Count > 0 && (_order.Count >= MaxEntries || _bytes + value.Length > MaxBytes))
            {
                Remove(_order.First!.Value);
            }

            Remove(key);
            _entries[key] = (value, now + lifetime);
            _order.AddLast(key);
            _bytes += value.Length;
        }

        return Task.FromResult(true);
    }

    public Task<byte[]?> TakeAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            RemoveExpired(now);
            if (!_entries.TryGetValue(key, out var entry))
            {
                return Task.FromResult<byte[]?>(null);
            }

            Remove(key);
            return Task.FromResult<byte[]?>(entry.Value);
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        // Insertion order is expiry order (one lifetime for all), so expired entries are at the front.
        while (_order.First is { } first && _entries.TryGetValue(first.Value, out var entry) && entry.Expires <= now)
        {
            Remove(first.Value);
        }
    }

    private void Remove(string key)
    {
        if (_entries.Remove(key, out var entry))
        {
            _bytes -= entry.Value.Length;
            _order.Remove(key);
        }
    }
}

/// <summary>
/// With Redis configured: every instance can answer the resume request. GETDEL (Redis 6.2+) reads and removes in one
/// step, so a post is replayed once even when two requests race. Each instance writes at most <see cref="MaxBytes"/>
/// of entries per lifetime, so anonymous posts cannot fill Redis.
/// </summary>
internal sealed class RedisPreservedPostStore(IConnectionMultiplexer redis, string keyPrefix, TimeProvider time) : IPreservedPostStore
{
    public const long MaxBytes = 64L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset Expires, int Bytes)> _written = new();
    private long _bytes;

    public async Task<bool> SetAsync(string key, byte[] value, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            while (_written.TryPeek(out var oldest) && oldest.Expires <= now)
            {
                _bytes -= _written.Dequeue().Bytes;
            }

            if (_bytes + value.Length > MaxBytes)
            {
                return false;
            }

            _written.Enqueue((now + lifetime, value.Length));
            _bytes += value.Length;
        }

        return await redis.GetDatabase().StringSetAsync(keyPrefix + "post:" + key, value, lifetime);
    }

    public async Task<byte[]?> TakeAsync(string key, CancellationToken cancellationToken) =>
        await redis.GetDatabase().StringGetDeleteAsync(keyPrefix + "post:" + key);
}
