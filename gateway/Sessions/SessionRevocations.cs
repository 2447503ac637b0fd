using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Cookie store: the sessions that ended before their absolute expiry (sign-out, a refresh token the provider refused), so
/// a copy of their cookie taken earlier is refused. The cookie carries everything, so without this list a copy would work
/// until it expires. Each cookie-store session gets a random id at sign-in (<see cref="SessionIdItem"/>); an entry lives
/// until the session's absolute expiry, the count is capped (<c>Gateway:Session:MaxRevokedSessions</c>).
/// The check is one dictionary lookup. Shared and kept across restarts by a store: Redis when
/// <c>Gateway:Redis:Configuration</c> is set (a sorted set, plus the pub/sub signal of <see cref="SessionSignals"/> for
/// the running instances), otherwise a file in <c>Gateway:DataProtection:KeysPath</c> read by every instance each second;
/// with neither, the list is this instance's own and is forgotten at a restart.
/// </summary>
internal sealed class SessionRevocations : IHostedService, IDisposable
{
    /// <summary>The session's random id, set at sign-in (cookie store) and kept through refreshes and renewals.</summary>
    public const string SessionIdItem = ".gateway.session_id";

    /// <summary>How many times the session's refresh token was rotated: a refused old token ends only that generation and older ones.</summary>
    public const string GenerationItem = ".gateway.generation";

    /// <summary>The generation a sign-out revokes: every one.</summary>
    public const int AllGenerations = int.MaxValue;

    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TidyInterval = TimeSpan.FromMinutes(1);

    /// <summary>How long a request waits for the list at start-up (Redis) before it is served without it.</summary>
    private static readonly TimeSpan LoadWait = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Revocation> _revoked = new(StringComparer.Ordinal);
    private readonly IRevocationStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionRevocations> _logger;
    private readonly int _max;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _evictLock = new();
    private int _count;
    private Task _loaded = Task.CompletedTask;
    private Task? _loop;

    /// <summary>Revocations the store could not take (it was down): recorded again by the loop until it does.</summary>
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, int Generation)> _unshared = new();
    private bool _loadFailureLogged;

    public SessionRevocations(IOptions<GatewayOptions> options, TimeProvider time, ILogger<SessionRevocations> logger, IConnectionMultiplexer? redis = null)
    {
        var gateway = options.Value;
        _time = time;
        _logger = logger;
        _max = gateway.Session.MaxRevokedSessions;
        Enabled = gateway.Session.Store == SessionStoreKind.Cookie;
        if (!Enabled)
        {
            return;
        }

        if (redis is not null)
        {
            _store = new RedisRevocationStore(redis, gateway.Redis.KeyPrefix + "revoked-sessions", _max, gateway.Session.Lifetime);
        }
        else if (!string.IsNullOrWhiteSpace(gateway.DataProtection.KeysPath))
        {
            _store = new RevocationFile(Path.Combine(gateway.DataProtection.KeysPath, RevocationFile.FileName), _max);
        }
    }

    /// <summary>Only the cookie store needs the list: the Redis store deletes a signed-out session itself.</summary>
    public bool Enabled { get; }

    /// <summary>A new session id: 128 random bits, URL-safe.</summary>
    public static string NewId() => Base64Url(RandomNumberGenerator.GetBytes(16));

    /// <summary>The session id and refresh generation recorded in a cookie-store ticket, or null for a session without an id.</summary>
    public static (string Id, int Generation)? Of(AuthenticationProperties properties)
    {
        if (!properties.Items.TryGetValue(SessionIdItem, out var id) || string.IsNullOrEmpty(id))
        {
            return null;
        }

        var generation = properties.Items.TryGetValue(GenerationItem, out var text) &&
                         int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
        return (id, generation);
    }

    /// <summary>Whether this session (at this refresh generation) has been revoked. The hot path: one dictionary lookup.</summary>
    public bool IsRevoked(string sessionId, int generation) =>
        _revoked.TryGetValue(sessionId, out var revocation) && generation <= revocation.Generation;

    /// <summary>Completes once the list was read from its store at start-up (or after a short wait, if the store does not answer).</summary>
    public Task WhenLoadedAsync()
    {
        var loaded = _loaded;
        return loaded.IsCompleted ? Task.CompletedTask : WaitAsync(loaded);

        async Task WaitAsync(Task task)
        {
            try
            {
                await task.WaitAsync(LoadWait, _time);
            }
            catch (TimeoutException)
            {
                // Serve without the stored list rather than stall every request; the load goes on in the background.
            }
        }
    }

    /// <summary>Adds an entry on this instance only (from a store read or another instance's signal).</summary>
    public void Remember(string sessionId, DateTimeOffset until, int generation)
    {
        if (until <= _time.GetUtcNow() || !RevocationText.IsSessionId(sessionId))
        {
            return;
        }

        var added = false;
        _revoked.AddOrUpdate(
            sessionId,
            _ =>
            {
                added = true;
                return new Revocation(until.UtcTicks, generation);
            },
            (_, existing) => new Revocation(Math.Max(existing.UntilTicks, until.UtcTicks), Math.Max(existing.Generation, generation)));
        if (added && Interlocked.Increment(ref _count) > _max)
        {
            Evict();
        }
    }

    /// <summary>
    /// Revokes a session here and records it in the store, where the other instances and a restart find it. Throws
    /// <see cref="SessionStoreUnavailableException"/> when the store cannot take it (the entry still holds on this instance).
    /// </summary>
    public async Task RevokeAsync(string sessionId, DateTimeOffset until, int generation, CancellationToken cancellationToken = default)
    {
        Remember(sessionId, until, generation);
        if (_store is null || until <= _time.GetUtcNow())
        {
            return;
        }

        try
        {
            await _store.AddAsync(sessionId, until, generation, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _logger.RevocationNotShared(_store.Name, Observability.FailureCause.Describe(ex));
            _unshared[sessionId] = (until, generation);
            throw new SessionStoreUnavailableException($"The signed-out session could not be recorded in {_store.Name}.", ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return Task.CompletedTask;
        }

        // Start-up does not wait for the store; requests do, briefly (WhenLoadedAsync), until the first read is done.
        _loaded = Task.Run(() => ReadAsync(_stopping.Token), CancellationToken.None);
        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is { } loop)
        {
            try
            {
                await loop.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        var nextTidy = _time.GetUtcNow() + TidyInterval;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PollInterval, _time, stopping);
                await _loaded;
                await ShareUnsharedAsync(stopping);
                await ReadAsync(stopping);
                var now = _time.GetUtcNow();
                if (now >= nextTidy)
                {
                    nextTidy = now + TidyInterval;
                    Purge(now);
                    await _store!.TidyAsync(now, Volatile.Read(ref _count), stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                // Tidying is best effort; reading is retried on the next turn.
            }
        }
    }

    /// <summary>A revocation the store could not take at first was recorded now (instances that are running learn of it through this).</summary>
    public event Action<string, DateTimeOffset, int>? SharedLate;

    /// <summary>
    /// Records the revocations the store could not take when they happened (a sign-out while Redis was down answered 503
    /// but already refuses the cookie here): once the store is back, the other instances and a restart learn of them too.
    /// </summary>
    private async Task ShareUnsharedAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, (until, generation)) in _unshared)
        {
            if (until > _time.GetUtcNow())
            {
                await _store!.AddAsync(id, until, generation, cancellationToken);
                SharedLate?.Invoke(id, until, generation);
            }

            _unshared.TryRemove(id, out _);
        }
    }

    /// <summary>Reads what the store holds that this instance has not seen yet; a failure is logged once and retried.</summary>
    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<RevocationEntry>? entries;
        try
        {
            entries = await _store!.ReadAsync(_time.GetUtcNow(), cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            if (!_loadFailureLogged)
            {
                _loadFailureLogged = true;
                _logger.RevocationsUnreadable(_store!.Name, Observability.FailureCause.Describe(ex));
            }

            return;
        }

        if (entries is null)
        {
            return;
        }

        foreach (var entry in entries)
        {
            Remember(entry.SessionId, entry.Until, entry.Generation);
        }

        if (_loadFailureLogged || entries.Count > 0)
        {
            _loadFailureLogged = false;
            _logger.RevocationsRead(entries.Count, _store!.Name);
        }
    }

    /// <summary>Drops entries whose session has expired anyway.</summary>
    private void Purge(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        foreach (var (id, revocation) in _revoked)
        {
            if (revocation.UntilTicks <= ticks && _revoked.TryRemove(new KeyValuePair<string, Revocation>(id, revocation)))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    /// <summary>
    /// Over the cap: first the expired entries go, then the tenth of the cap nearest its expiry (the sessions with the
    /// least time left to misuse). Logged: those cookies work again until they expire.
    /// </summary>
    private void Evict()
    {
        lock (_evictLock)
        {
            if (Volatile.Read(ref _count) <= _max)
            {
                return;
            }

            Purge(_time.GetUtcNow());
            var excess = Volatile.Read(ref _count) - (_max - (_max / 10));
            if (excess <= 0)
            {
                return;
            }

            var evicted = 0;
            foreach (var (id, revocation) in _revoked.ToArray().OrderBy(kv => kv.Value.UntilTicks).Take(excess))
            {
                if (_revoked.TryRemove(new KeyValuePair<string, Revocation>(id, revocation)))
                {
                    Interlocked.Decrement(ref _count);
                    evicted++;
                }
            }

            _logger.RevocationListFull(_max, evicted);
        }
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => _stopping.Dispose();

    private readonly record struct Revocation(long UntilTicks, int Generation);
}
