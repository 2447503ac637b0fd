using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>"Gateway:Redis".</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions redis)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(redis.Configuration))
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(redis.Configuration);
            }
            catch (ArgumentException)
            {
                // Never echo the value: it may hold the password.
                problems.Add("Gateway:Redis:Configuration is not a valid StackExchange.Redis configuration string; use e.g. 'redis:6379,password=…,ssl=true'.");
            }
        }

        if (redis.OperationTimeout < TimeSpan.FromMilliseconds(50) || redis.OperationTimeout > TimeSpan.FromSeconds(30))
        {
            problems.Add($"Gateway:Redis:OperationTimeout must be between 00:00:00.050 and 00:00:30 (got '{redis.OperationTimeout}'); it is what one Redis call may cost a request during an outage, e.g. '00:00:01'.");
        }

        if (redis.BreakDuration < TimeSpan.FromMilliseconds(100) || redis.BreakDuration > TimeSpan.FromMinutes(5))
        {
            problems.Add($"Gateway:Redis:BreakDuration must be between 00:00:00.100 and 00:05:00 (got '{redis.BreakDuration}'); while Redis is down, requests fail at once this long between tries, e.g. '00:00:05'.");
        }

        return problems.ToResult();
    }
}
