using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>Readiness: Redis answers a PING within the operation timeout (at once "no" while it is known to be down).</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis, RedisCircuitBreaker breaker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var latency = await breaker.RunAsync(() => redis.GetDatabase().PingAsync(), "ping");
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0} ms.");
        }
        catch (SessionStoreUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer (" + (ex.InnerException?.GetType().Name ?? "known to be down") + ").");
        }
    }
}
