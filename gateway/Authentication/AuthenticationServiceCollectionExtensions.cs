using Gateway.Configuration;
using Gateway.IdentityProvider;
using Gateway.Paths;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication;

internal static class AuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// The schemes: the session cookie (configured by Sessions), OpenID Connect sign-in, Cognito access tokens, and the
    /// default scheme that picks the bearer handler or the cookie per request (<see cref="BearerSelection"/>).
    /// </summary>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services, GatewayOptions options)
    {
        services.AddSingleton(sp => new GatewayCookieFilter(
            [sp.GetRequiredService<GatewayPaths>().SessionCookie, .. sp.GetRequiredService<GatewayApps>().All.Where(a => !a.IsDefault).Select(a => a.CookieName)]));
        services.AddSingleton<GatewayOpenIdConnectEvents>();
        services.AddSingleton<SignInHints>();

        // Form posts kept through sign-in: in Redis when it is configured (any instance can resume), else in this process.
        services.AddSingleton<IPreservedPostStore>(sp => string.IsNullOrWhiteSpace(options.Redis.Configuration)
            ? new MemoryPreservedPostStore(sp.GetRequiredService<TimeProvider>())
            : new RedisPreservedPostStore(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), options.Redis.KeyPrefix, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PreservedPosts>();
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, ConfigureOpenIdConnectOptions>();
        services.AddSingleton(sp => BearerSettings.From(options, sp.GetRequiredService<IdentityProviderSettings>()));
        var authentication = services.AddAuthentication(auth =>
            {
                auth.DefaultScheme = GatewaySchemes.Session;
                auth.DefaultAuthenticateScheme = GatewaySchemes.Auto;
                auth.DefaultChallengeScheme = GatewaySchemes.OpenIdConnect;
                auth.DefaultSignOutScheme = GatewaySchemes.Session;
            })
            .AddPolicyScheme(GatewaySchemes.Auto, displayName: null, auto => auto.ForwardDefaultSelector = BearerSelection.SelectScheme)
            .AddCookie(GatewaySchemes.Session)
            .AddScheme<AuthenticationSchemeOptions, CognitoAccessTokenHandler>(GatewaySchemes.Bearer, _ => { });

        // One OpenID Connect scheme per app: Gateway.Oidc for the top-level settings, Gateway.Oidc.NAME for each of
        // Gateway:Apps (its client, its callback on its hosts, its own state protection). The scheme provider
        // challenges with the request's app's scheme.
        foreach (var app in new GatewayApps(options).All)
        {
            authentication.AddOpenIdConnect(GatewaySchemes.OpenIdConnect + app.Suffix, _ => { });
        }

        // The hot path: proxied requests do not build the OpenID Connect handler just to learn the path is not its own.
        GatewayAuthenticationSchemeProvider.Register(services);
        return services;
    }
}
