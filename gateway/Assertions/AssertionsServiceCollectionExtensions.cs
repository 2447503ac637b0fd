using Gateway.Configuration;
using Gateway.Sessions;

namespace Gateway.Assertions;

internal static class AssertionsServiceCollectionExtensions
{
    /// <summary>
    /// The signing keys, kept where the Data Protection keys are (the keys directory, else Redis, else this process's
    /// memory), and the assertion issuer. Registered always: the JWKS is served even while no route sends assertions.
    /// </summary>
    public static IServiceCollection AddGatewayAssertions(this IServiceCollection services, GatewayOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.DataProtection.KeysPath))
        {
            services.AddSingleton<IAssertionKeyStore>(new FileAssertionKeyStore(options.DataProtection.KeysPath));
        }
        else if (!string.IsNullOrWhiteSpace(options.Redis.Configuration))
        {
            var hashKey = options.Redis.KeyPrefix + "assertion-keys";
            services.AddSingleton<IAssertionKeyStore>(sp => new RedisAssertionKeyStore(
                sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<RedisCircuitBreaker>(), hashKey));
        }
        else
        {
            services.AddSingleton<IAssertionKeyStore, MemoryAssertionKeyStore>();
        }

        services.AddSingleton<AssertionKeyRing>();
        services.AddSingleton<AssertionIssuer>();
        services.AddSingleton<AlbDataTokenIssuer>();
        return services;
    }
}
