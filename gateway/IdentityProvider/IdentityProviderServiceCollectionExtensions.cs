using Gateway.Configuration;

namespace Gateway.IdentityProvider;

internal static class IdentityProviderServiceCollectionExtensions
{
    /// <summary>The provider's settings, its cached metadata and JWKS, and the token client (code, refresh, revoke).</summary>
    public static IServiceCollection AddGatewayIdentityProvider(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton(IdentityProviderSettings.From(options));
        services.AddHttpClient(ProviderMetadata.HttpClientName, client => client.Timeout = options.BackchannelTimeout);
        services.AddSingleton<ProviderMetadata>();
        services.AddSingleton<TokenClient>();
        services.AddSingleton<RefreshedIdTokenValidator>();
        services.AddSingleton<AppProviders>();
        return services;
    }
}
