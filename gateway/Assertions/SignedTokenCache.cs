using System.Collections.Concurrent;

namespace Gateway.Assertions;

/// <summary>
/// Signed tokens reused for the same statement until half their lifetime is left, so signing is not per request.
/// Bounded: past <see cref="MaxEntries"/> the cache starts over (each entry lives seconds anyway).
/// </summary>
internal sealed class SignedTokenCache
{
    private const int MaxEntries = 20_000;

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ReuseUntil)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string key, DateTimeOffset now, out string token)
    {
        if (_entries.TryGetValue(key, out var entry) && now < entry.ReuseUntil)
        {
            token = entry.Token;
            return true;
        }

        token = string.Empty;
        return false;
    }

    public void Add(string key, string token, DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[key] = (token, issuedAt + lifetime / 2);
    }
}
