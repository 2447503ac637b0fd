using Gateway.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Tells the other instances that a session changed (signed out or refreshed) so they drop their cached
/// copy at once, and that a cookie-store session was revoked so they refuse it at once (Redis pub/sub; one
/// channel, a revocation message starts with <see cref="RevokedPrefix"/>, which no cache key does). Without Redis
/// there is nothing to tell: instances sharing a keys directory read revocations from there (<see cref="SessionRevocations"/>).
/// </summary>
internal sealed class SessionSignals : IHostedService
{
    private const string RevokedPrefix = "revoked ";

    private readonly SessionCache _cache;
    private readonly SessionRevocations _revocations;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisChannel _channel;
    private readonly ILogger<SessionSignals> _logger;

    public SessionSignals(SessionCache cache, SessionRevocations revocations, IOptions<GatewayOptions> options, ILogger<SessionSignals> logger, IConnectionMultiplexer? redis = null)
    {
        _cache = cache;
        _revocations = revocations;
        _redis = redis;
        _logger = logger;
        _channel = RedisChannel.Literal(options.Value.Redis.KeyPrefix + "session-changed");
    }

    /// <summary>Drops the local copy and asks the other instances to drop theirs.</summary>
    public void Changed(string cacheKey)
    {
        _cache.Remove(cacheKey);
        Publish(cacheKey);
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

        Publish(RevokedPrefix + RevocationText.Format(sessionId, until, generation));
        return _revocations.RevokeAsync(sessionId, until, generation, cancellationToken);
    }

    private void Publish(string message)
    {
        if (_redis is null)
        {
            return;
        }

        try
        {
            _redis.GetSubscriber().Publish(_channel, message, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            _logger.SignalFailed(ex.GetType().Name);
        }
    }

    private void Received(string message)
    {
        if (!message.StartsWith(RevokedPrefix, StringComparison.Ordinal))
        {
            _cache.Remove(message);
        }
        else if (RevocationText.Parse(message.AsSpan(RevokedPrefix.Length)) is { } revoked)
        {
            _revocations.Remember(revoked.SessionId, revoked.Until, revoked.Generation);
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
            await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
            {
                if (message.HasValue)
                {
                    Received(message.ToString());
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
