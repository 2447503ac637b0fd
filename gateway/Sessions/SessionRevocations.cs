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
            _logger.RevocationNotShared(_store.Name, ex.GetType().Name);
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
                _logger.RevocationsUnreadable(_store!.Name, ex.GetType().Name);
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

/// <summary>One revoked session as a store keeps it.</summary>
internal sealed record RevocationEntry(string SessionId, DateTimeOffset Until, int Generation);

/// <summary>Where the revocation list is shared and kept across restarts.</summary>
internal interface IRevocationStore
{
    /// <summary>For log lines: "Redis" or the file's path.</summary>
    string Name { get; }

    Task AddAsync(string sessionId, DateTimeOffset until, int generation, CancellationToken cancellationToken);

    /// <summary>The entries this instance has not read yet (all of them on the first call), or null when there is nothing new.</summary>
    Task<IReadOnlyList<RevocationEntry>?> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Drops expired entries (and any beyond the cap) from the store.</summary>
    Task TidyAsync(DateTimeOffset now, int liveEntries, CancellationToken cancellationToken);
}

/// <summary>The text forms shared by the stores and the pub/sub signal: "ID UNTIL-UNIX-SECONDS GENERATION".</summary>
internal static class RevocationText
{
    public static string Format(string sessionId, DateTimeOffset until, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{sessionId} {until.ToUnixTimeSeconds()} {generation}");

    public static RevocationEntry? Parse(ReadOnlySpan<char> text)
    {
        var first = text.IndexOf(' ');
        if (first <= 0)
        {
            return null;
        }

        var id = text[..first];
        var rest = text[(first + 1)..];
        var second = rest.IndexOf(' ');
        if (second <= 0 || !IsSessionId(id) ||
            !long.TryParse(rest[..second], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            !int.TryParse(rest[(second + 1)..].TrimEnd('\r'), NumberStyles.None, CultureInfo.InvariantCulture, out var generation) ||
            seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return null;
        }

        return new RevocationEntry(id.ToString(), DateTimeOffset.FromUnixTimeSeconds(seconds), generation);
    }

    /// <summary>Ids are URL-safe base64 (22 characters when made here); anything else in a store or a message is ignored.</summary>
    public static bool IsSessionId(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// The list in Redis: a sorted set whose members are "ID GENERATION", scored by the session's expiry (Unix seconds), so
/// expired entries are removed by score and the cap keeps the latest-expiring ones. It is read whole at start-up and
/// after every reconnection (the pub/sub signal may have been missed meanwhile); between those the signal brings new entries.
/// </summary>
internal sealed class RedisRevocationStore : IRevocationStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _key;
    private readonly int _max;
    private readonly TimeSpan _lifetime;
    private int _readAll = 1;

    public RedisRevocationStore(IConnectionMultiplexer redis, string key, int max, TimeSpan lifetime)
    {
        _redis = redis;
        _key = key;
        _max = max;
        _lifetime = lifetime;
        redis.ConnectionRestored += (_, _) => Volatile.Write(ref _readAll, 1);
    }

    public string Name => "Redis";

    public async Task AddAsync(string sessionId, DateTimeOffset until, int generation, CancellationToken cancellationToken)
    {
        var database = _redis.GetDatabase();
        await database.SortedSetAddAsync(_key, sessionId + " " + generation.ToString(CultureInfo.InvariantCulture), until.ToUnixTimeSeconds());

        // Every entry expires within a session lifetime from now: so does the set when nobody signs out any more.
        _ = database.KeyExpireAsync(_key, _lifetime + TimeSpan.FromMinutes(5), flags: CommandFlags.FireAndForget);
    }

    public async Task<IReadOnlyList<RevocationEntry>?> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _readAll) == 0)
        {
            return null;
        }

        var members = await _redis.GetDatabase().SortedSetRangeByScoreWithScoresAsync(_key, now.ToUnixTimeSeconds(), double.PositiveInfinity);
        Volatile.Write(ref _readAll, 0);
        var entries = new List<RevocationEntry>(members.Length);
        foreach (var member in members)
        {
            var text = member.Element.ToString();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && RevocationText.IsSessionId(text.AsSpan(0, space)) &&
                int.TryParse(text.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var generation) &&
                member.Score < DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                entries.Add(new RevocationEntry(text[..space], DateTimeOffset.FromUnixTimeSeconds((long)member.Score), generation));
            }
        }

        return entries;
    }

    public async Task TidyAsync(DateTimeOffset now, int liveEntries, CancellationToken cancellationToken)
    {
        var database = _redis.GetDatabase();
        await database.SortedSetRemoveRangeByScoreAsync(_key, double.NegativeInfinity, now.ToUnixTimeSeconds());
        await database.SortedSetRemoveRangeByRankAsync(_key, 0, -(_max + 1));
    }
}

/// <summary>
/// The list in a file beside the Data Protection keys, for instances that share that directory but no Redis (the key
/// ring reads only <c>*.xml</c> there). A first line names the file's generation; then one line per entry, appended
/// under an exclusive lock (an advisory flock: <see cref="FileShare.None"/>; readers take a shared one). Every instance
/// reads from where it left off; expired lines are dropped by rewriting the file in place under the lock with a new
/// generation, which tells the readers to read it again from the start.
/// </summary>
/// <param name="minLinesToTidy">Lines that may be dead before the file is rewritten at all.</param>
internal sealed class RevocationFile(string path, int max, int minLinesToTidy = 1024) : IRevocationStore
{
    public const string FileName = "gateway-revoked-sessions.txt";
    private const string HeaderPrefix = "gateway-revoked-sessions v1 ";

    /// <summary>How long a writer waits for readers (each holds its lock for a moment) before giving up.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private string? _generation;
    private long _offset;
    private int _lines;

    public string Name => path;

    public Task AddAsync(string sessionId, DateTimeOffset until, int generation, CancellationToken cancellationToken) =>
        WithExclusiveAsync(stream =>
        {
            var line = RevocationText.Format(sessionId, until, generation) + "\n";
            if (stream.Length == 0)
            {
                line = HeaderPrefix + NewGeneration() + "\n" + line;
            }
            else
            {
                // A writer that died mid-line leaves no newline: start on a fresh line, the torn one is skipped by readers.
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != '\n')
                {
                    line = "\n" + line;
                }
            }

            stream.Seek(0, SeekOrigin.End);
            var bytes = System.Text.Encoding.ASCII.GetBytes(line);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }, cancellationToken);

    public async Task<IReadOnlyList<RevocationEntry>?> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                // Nobody signed out yet (checked first: this runs every second).
                return null;
            }

            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.None);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
            catch (IOException)
            {
                // A writer holds the lock: read on the next turn.
                return null;
            }

            using (stream)
            {
                var length = stream.Length;
                var header = ReadHeader(stream);
                if (header is null)
                {
                    return null;
                }

                if (header != _generation || length < _offset)
                {
                    _generation = header;
                    _offset = header.Length + 1;
                    _lines = 0;
                }

                // Only what was appended since the last read.
                stream.Seek(_offset, SeekOrigin.Begin);
                var content = new byte[length - _offset];
                stream.ReadExactly(content);
                var text = System.Text.Encoding.ASCII.GetString(content);
                var entries = new List<RevocationEntry>();
                var start = 0;
                while (start < text.Length)
                {
                    var end = text.IndexOf('\n', start);
                    if (end < 0)
                    {
                        // Whole lines only: writers hold the lock while writing, so this is the torn line of one that died.
                        break;
                    }

                    _lines++;
                    if (RevocationText.Parse(text.AsSpan(start, end - start)) is { } entry && entry.Until > now)
                    {
                        entries.Add(entry);
                    }

                    start = end + 1;
                }

                _offset += start;
                return entries;
            }
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>Rewrites the file without expired entries once at least half its lines are dead (keeping at most the cap).</summary>
    public Task TidyAsync(DateTimeOffset now, int liveEntries, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _lines) <= (2 * liveEntries) + minLinesToTidy)
        {
            return Task.CompletedTask;
        }

        return WithExclusiveAsync(stream =>
        {
            var content = new byte[stream.Length];
            stream.ReadExactly(content);
            var kept = System.Text.Encoding.ASCII.GetString(content)
                .Split('\n')
                .Skip(1)
                .Select(line => RevocationText.Parse(line))
                .OfType<RevocationEntry>()
                .Where(e => e.Until > now)
                .OrderByDescending(e => e.Until)
                .Take(max)
                .Select(e => RevocationText.Format(e.SessionId, e.Until, e.Generation) + "\n");
            var rewritten = System.Text.Encoding.ASCII.GetBytes(HeaderPrefix + NewGeneration() + "\n" + string.Concat(kept));
            stream.SetLength(0);
            stream.Write(rewritten);
            stream.Flush(flushToDisk: true);
        }, cancellationToken);
    }

    /// <summary>The first line (the generation), or null for a file that is not a revocation list (yet).</summary>
    private static string? ReadHeader(FileStream stream)
    {
        Span<byte> buffer = stackalloc byte[64];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var end = buffer[..read].IndexOf((byte)'\n');
        if (end < 0)
        {
            return null;
        }

        var header = System.Text.Encoding.ASCII.GetString(buffer[..end]);
        return header.StartsWith(HeaderPrefix, StringComparison.Ordinal) ? header : null;
    }

    private static string NewGeneration() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    private async Task WithExclusiveAsync(Action<FileStream> write, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
            }
            catch (IOException) when (TimeProvider.System.GetElapsedTime(started) < LockWait && File.Exists(path))
            {
                // Another instance holds the file for a moment (reading or writing).
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
                continue;
            }

            using (stream)
            {
                write(stream);
                return;
            }
        }
    }
}
