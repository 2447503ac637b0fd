using Gateway.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Tells the other instances that a session changed (signed out or refreshed) so they drop their cached
/// copy at once (Redis pub/sub), and that a session ended (signed out, expired, refused) so they close its live
/// connections. Without Redis there is nothing to tell. Subscribers on this instance (the live-connection registry)
/// hear both, whether the signal was raised here or on another instance.
/// </summary>
internal sealed class SessionSignals : IHostedService
{
    private readonly SessionCache _cache;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisChannel _changedChannel;
    private readonly RedisChannel _endedChannel;
    private readonly ILogger<SessionSignals> _logger;

    public SessionSignals(SessionCache cache, IOptions<GatewayOptions> options, ILogger<SessionSignals> logger, IConnectionMultiplexer? redis = null)
    {
        _cache = cache;
        _redis = redis;
        _logger = logger;
        _changedChannel = RedisChannel.Literal(options.Value.Redis.KeyPrefix + "session-changed");

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

    private void Publish(RedisChannel channel, string cacheKey)
    {
        if (_redis is null)
        {
            return;
        }

        try
        {
            _redis.GetSubscriber().Publish(channel, cacheKey, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            _logger.SignalFailed(ex.GetType().Name);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return;
        }

        try
        {
            var subscriber = _redis.GetSubscriber();
            await subscriber.SubscribeAsync(_changedChannel, (_, message) =>
            {
                if (message.HasValue)
                {
                    var key = message.ToString();
                    _cache.Remove(key);
                    SessionChanged?.Invoke(key);
                }
            });
            await subscriber.SubscribeAsync(_endedChannel, (_, message) =>
            {
                if (message.HasValue)
                {
                    var key = message.ToString();
                    _cache.Remove(key);
                    SessionEnded?.Invoke(key);
                }
            });
        }
        catch (RedisException ex)
        {
            // StackExchange.Redis re-subscribes when the connection comes back.
            _logger.SignalFailed(ex.GetType().Name);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
