using Gateway.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Tells the other instances (Redis pub/sub) that a session changed (signed out or refreshed) so they drop their
/// cached copy at once; that a session ended (signed out, expired, refused) so they close its live connections; and
/// that a cookie-store session was revoked so they refuse it at once. The "changed" channel carries cache keys and
/// revocations (a revocation message starts with <see cref="RevokedPrefix"/>, which no cache key does); the "ended"
/// channel carries cache keys. Without Redis there is nothing to tell: instances sharing a keys directory read
/// revocations from there (<see cref="SessionRevocations"/>). Subscribers on this instance (the live-connection
/// registry) hear "changed" and "ended", whether the signal was raised here or on another instance.
/// </summary>
internal sealed class SessionSignals : IHostedService
{
    private const string RevokedPrefix = "revoked ";

    /// <summary>
    /// Each message starts with the sending instance's tag and '|': Redis delivers an instance's own messages to it too,
    /// and acting on them again would only evict what it has just cached. Untagged messages (older versions) are read as
    /// they are; a cache key or a revocation never contains '|'.
    /// </summary>
    private readonly string _tag = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) + "|";

    private readonly SessionCache _cache;
    private readonly SessionRevocations _revocations;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisChannel _changedChannel;
    private readonly RedisChannel _endedChannel;
    private readonly ILogger<SessionSignals> _logger;

    public SessionSignals(SessionCache cache, SessionRevocations revocations, IOptions<GatewayOptions> options, ILogger<SessionSignals> logger, IConnectionMultiplexer? redis = null)
    {
        _cache = cache;
        _revocations = revocations;
        _redis = redis;
        _logger = logger;
        _changedChannel = RedisChannel.Literal(options.Value.Redis.KeyPrefix + "session-changed");
        revocations.SharedLate += (sessionId, until, generation) =>
            Publish(_changedChannel, RevokedPrefix + RevocationText.Format(sessionId, until, generation));

        // A channel of its own, so an instance of an older version (subscribed to "changed" only) still drops its copy.
        _endedChannel = RedisChannel.Literal(options.Value.Redis.KeyPrefix + "session-ended");
    }

    /// <summary>A session's cache key changed: it may have been renewed, refreshed or removed; look again before trusting it.</summary>
    public event Action<string>? SessionChanged;

    /// <summary>A session's cache key ended: signed out, or refused at its absolute expiry or by the identity provider.</summary>
    public event Action<string>? SessionEnded;

    /// <summary>Drops the local copy and asks the other instances to drop theirs.</summary>
    public void Changed(string cacheKey)
    {
        _cache.Remove(cacheKey);
        SessionChanged?.Invoke(cacheKey);
        Publish(_changedChannel, cacheKey);
    }

    /// <summary>
    /// The session is over: drops the local copy, closes its live connections here and asks the other instances to do
    /// the same (the "changed" message too, for instances that do not know "ended").
    /// </summary>
    public void Ended(string cacheKey)
    {
        _cache.Remove(cacheKey);
        SessionEnded?.Invoke(cacheKey);
        Publish(_changedChannel, cacheKey);
        Publish(_endedChannel, cacheKey);
    }

    /// <summary>
    /// Revokes a cookie-store session (generations up to <paramref name="generation"/>) until <paramref name="until"/>:
    /// at once here, through pub/sub on the other instances, and in the store for instances that start later. Throws
    /// <see cref="SessionStoreUnavailableException"/> when the store cannot record it.
    /// </summary>
    public Task RevokeAsync(string sessionId, DateTimeOffset until, int generation, string? cacheKey, CancellationToken cancellationToken = default)
    {
        _revocations.Remember(sessionId, until, generation);
        if (cacheKey is not null)
        {
            _cache.Remove(cacheKey);
        }

        Publish(_changedChannel, RevokedPrefix + RevocationText.Format(sessionId, until, generation));
        return _revocations.RevokeAsync(sessionId, until, generation, cancellationToken);
    }

    private void Publish(RedisChannel channel, string message)
    {
        if (_redis is null)
        {
            return;
        }

        try
        {
            _redis.GetSubscriber().Publish(channel, _tag + message, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            _logger.SignalFailed(ex.GetType().Name);
        }
    }

    /// <summary>The message without its sender's tag, or null when this instance sent it.</summary>
    private string? FromOthers(string message)
    {
        if (message.StartsWith(_tag, StringComparison.Ordinal))
        {
            return null;
        }

        var bar = message.IndexOf('|', StringComparison.Ordinal);
        return bar == _tag.Length - 1 ? message[(bar + 1)..] : message;
    }

    private void ReceivedChanged(string message)
    {
        if (!message.StartsWith(RevokedPrefix, StringComparison.Ordinal))
        {
            _cache.Remove(message);
            SessionChanged?.Invoke(message);
        }
        else if (RevocationText.Parse(message.AsSpan(RevokedPrefix.Length)) is { } revoked)
        {
            _revocations.Remember(revoked.SessionId, revoked.Until, revoked.Generation);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is not null)
        {
            // Not awaited: with Redis down, start-up must not wait for the subscription's timeout.
            _ = SubscribeAsync(_redis);
        }

        return Task.CompletedTask;
    }

    private async Task SubscribeAsync(IConnectionMultiplexer redis)
    {
        try
        {
            var subscriber = redis.GetSubscriber();
            await subscriber.SubscribeAsync(_changedChannel, (_, message) =>
            {
                if (message.HasValue && FromOthers(message.ToString()) is { } payload)
                {
                    ReceivedChanged(payload);
                }
            });
            await subscriber.SubscribeAsync(_endedChannel, (_, message) =>
            {
                if (message.HasValue && FromOthers(message.ToString()) is { } key)
                {
                    _cache.Remove(key);
                    SessionEnded?.Invoke(key);
                }
            });
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // StackExchange.Redis re-subscribes when the connection comes back.
            _logger.SignalFailed(ex.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
