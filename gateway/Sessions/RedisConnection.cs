using System.Xml.Linq;
using Gateway.Configuration;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// The one connection to Redis, made on first use. Its connect, sync and async timeouts are at most
/// <c>Gateway:Redis:OperationTimeout</c>, so a Redis that does not answer at start-up costs that long once (not a
/// connect timeout plus a timeout per key-ring read); it keeps reconnecting in the background, and the
/// <see cref="RedisCircuitBreaker"/> learns whether the first attempt failed and when the connection comes back.
/// </summary>
internal sealed class RedisConnection
{
    private readonly Lazy<IConnectionMultiplexer> _multiplexer;

    public RedisConnection(IOptions<GatewayOptions> options, RedisCircuitBreaker breaker)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Redis.Configuration!);
        var bound = (int)Math.Ceiling(breaker.OperationTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false;
        // One attempt before start-up goes on (the default is three in a row); reconnecting goes on in the background.
        configuration.ConnectRetry = 1;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, bound);
        configuration.SyncTimeout = Math.Min(configuration.SyncTimeout, bound);
        configuration.AsyncTimeout = Math.Min(configuration.AsyncTimeout, bound);
        _multiplexer = new Lazy<IConnectionMultiplexer>(() =>
        {
            var multiplexer = ConnectionMultiplexer.Connect(configuration);
            multiplexer.ConnectionRestored += (_, _) => breaker.ConnectionRestored();
            if (!multiplexer.IsConnected)
            {
                breaker.ConnectFailed($"no connection within {configuration.ConnectTimeout} ms");
            }

            return multiplexer;
        });
    }

    public IConnectionMultiplexer Multiplexer => _multiplexer.Value;
}

/// <summary>
/// The Data Protection key ring's repository in Redis, behind the <see cref="RedisCircuitBreaker"/>. The connection is
/// made (or found failed) before the breaker is asked, so a first read at start-up with Redis down fails at once
/// instead of waiting once more for the synchronous timeout.
/// </summary>
internal sealed class GuardedXmlRepository(IXmlRepository inner, RedisConnection connection, RedisCircuitBreaker breaker) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        _ = connection.Multiplexer;
        return breaker.Run(inner.GetAllElements, "keyring.read");
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        _ = connection.Multiplexer;
        breaker.Run(() =>
        {
            inner.StoreElement(element, friendlyName);
            return true;
        }, "keyring.store");
    }
}
