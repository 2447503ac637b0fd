using System.Globalization;
using System.Security.Cryptography;
using StackExchange.Redis;

namespace Gateway.Sessions;

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
