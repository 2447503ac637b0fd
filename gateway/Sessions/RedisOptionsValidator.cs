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

        return problems.ToResult();
    }
}
