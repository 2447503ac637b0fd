using System.Security.Cryptography;
using System.Text;
using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>
/// A small, bounded in-process cache of validated sessions, keyed by a hash of the cookie value
/// (cookie store) or of the session handle (Redis store), so a request neither decrypts kilobytes
/// nor calls Redis each time. Entries live <c>Gateway:Session:CacheDuration</c> and are dropped on
/// sign-out and refresh. Callers always get a copy of the properties, never the cached instance.
/// </summary>
internal sealed class SessionCache : IDisposable
{
    private const int MaxEntries = 100_000;

    private readonly MemoryCache _cache;

    /// <summary>Validated principals, apart from the tickets so a lookup by the same key needs no second key string.</summary>
    private readonly MemoryCache _validated;
    private readonly TimeSpan _duration;
    private readonly SessionRevocations _revocations;

    public SessionCache(IOptions<GatewayOptions> options, TimeProvider time, SessionRevocations revocations)
    {
        _revocations = revocations;
        _duration = options.Value.Session.CacheDuration;
        _cache = new MemoryCache(Options(time));
        _validated = new MemoryCache(Options(time));
    }

    public bool Enabled => _duration > TimeSpan.Zero;

    /// <summary>
    /// Expired entries are swept every <c>CacheDuration</c> (at least a second) rather than every minute, so memory follows
    /// the sessions of the last few seconds, not of the last minute.
    /// </summary>
    private MemoryCacheOptions Options(TimeProvider time) => new()
    {
        SizeLimit = MaxEntries,
        Clock = new TimeProviderClock(time),
        ExpirationScanFrequency = _duration > TimeSpan.FromSeconds(1) ? _duration : TimeSpan.FromSeconds(1),
    };

    public TimeSpan Duration => _duration;

    /// <summary>
    /// <see cref="KeyFor(string)"/>, reusing the key already computed for the same value earlier in this request
    /// (the fast path hashes the cookie before the standard handlers see it).
    /// </summary>
    public static string KeyFor(HttpContext? context, string value)
    {
        if (context?.Features.Get<SessionKeyFeature>() is { } known && string.Equals(known.Value, value, StringComparison.Ordinal))
        {
            return known.Key;
        }

        // Another app's session is another cache entry, even for the same cookie value (AppSessions).
        var key = KeyFor(value, AppSessions.ScopeOf(context));
        if (context is not null)
        {
            context.Features.Set(new SessionKeyFeature(value, key));
        }

        return key;
    }

    /// <summary>The key of <paramref name="value"/> for an app (<see cref="AppSessions.ScopeOf"/>; empty: the default app, the plain key).</summary>
    public static string KeyFor(string value, string app) => app.Length == 0 ? KeyFor(value) : KeyFor(app + "\n" + value);

    public static string KeyFor(string value)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, Encoding.UTF8.GetBytes(value, buffer)), hash);
            return Convert.ToHexString(hash);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public AuthenticationTicket? Get(string key) =>
        Enabled && _cache.TryGetValue(key, out AuthenticationTicket? ticket) && ticket is not null ? Copy(ticket) : null;

    public void Set(string key, AuthenticationTicket ticket)
    {
        if (!Enabled)
        {
            return;
        }

        var expires = ticket.Properties.ExpiresUtc;
        var options = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _duration };
        if (expires is { } e)
        {
            options.AbsoluteExpiration = e;
        }

        _cache.Set(key, Copy(ticket), options);
    }

    /// <summary>Drops a session's cached ticket and its validated principal.</summary>
    public void Remove(string key)
    {
        _cache.Remove(key);
        _validated.Remove(key);
    }

    /// <summary>
    /// Remembers that this session was fully validated and that nothing is due before <paramref name="validUntil"/>
    /// (refresh, sliding renewal, absolute or cookie expiry, the cache duration): until then a request with the same
    /// cookie may skip the authentication handlers (<see cref="SessionFastPath"/>). A cookie-store session names its id and
    /// refresh generation (<see cref="SessionRevocations.Of"/>), so the entry is never served once that session is revoked.
    /// </summary>
    public void SetValidated(string key, System.Security.Claims.ClaimsPrincipal principal, DateTimeOffset validUntil, (string Id, int Generation)? session = null)
    {
        if (Enabled)
        {
            _validated.Set(key, new ValidatedSession(principal, validUntil, session?.Id, session?.Generation ?? 0),
                new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = validUntil });
        }
    }

    /// <summary>
    /// The validated principal, unless it expired or its session was revoked since (a sign-out on any instance that shares
    /// the revocation list: checked here on every hit, not only when a signal drops the entry).
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? GetValidated(string key, DateTimeOffset now) =>
        Enabled && _validated.TryGetValue(key, out ValidatedSession? session) && session is not null && now < session.ValidUntil &&
        (session.SessionId is null || !_revocations.IsRevoked(session.SessionId, session.Generation))
            ? session.Principal
            : null;

    private sealed record ValidatedSession(System.Security.Claims.ClaimsPrincipal Principal, DateTimeOffset ValidUntil, string? SessionId, int Generation);

    public void Dispose()
    {
        _cache.Dispose();
        _validated.Dispose();
    }

    private static AuthenticationTicket Copy(AuthenticationTicket ticket) =>
        new(ticket.Principal, ticket.Properties.Clone(), ticket.AuthenticationScheme);

#pragma warning disable CS0618 // ISystemClock is what MemoryCacheOptions still takes.
    internal sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
#pragma warning restore CS0618
}
