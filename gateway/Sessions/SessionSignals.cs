using Gateway.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Tells the other instances that a session changed (signed out or refreshed) so they drop their cached
/// copy at once (Redis pub/sub). Without Redis there is nothing to tell.
/// </summary>
internal sealed class SessionSignals : IHostedService
{
    private readonly SessionCache _cache;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisChannel _channel;
    private readonly ILogger<SessionSignals> _logger;

    public SessionSignals(SessionCache cache, IOptions<GatewayOptions> options, ILogger<SessionSignals> logger, IConnectionMultiplexer? redis = null)
    {
        _cache = cache;
        _redis = redis;
        _logger = logger;
        _channel = RedisChannel.Literal(options.Value.Redis.KeyPrefix + "session-changed");
    }

    /// <summary>Drops the local copy and asks the other instances to drop theirs.</summary>
    public void Changed(string cacheKey)
    {
        _cache.Remove(cacheKey);
        if (_redis is null)
        {
            return;
        }

        try
        {
            _redis.GetSubscriber().Publish(_channel, cacheKey, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            _logger.SignalFailed(ex.GetType().Name);
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
            await redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
            {
                if (message.HasValue)
                {
                    _cache.Remove(message.ToString());
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
