using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.IdentityProvider;

/// <summary>One app's identity provider client: its settings, cached metadata and keys, token client and ID token checks.</summary>
internal sealed class AppProvider(AppDefinition app, IdentityProviderSettings settings, ProviderMetadata metadata, TokenClient tokens, RefreshedIdTokenValidator idTokens)
{
    public AppDefinition App { get; } = app;

    public IdentityProviderSettings Settings { get; } = settings;

    public ProviderMetadata Metadata { get; } = metadata;

    public TokenClient Tokens { get; } = tokens;

    public RefreshedIdTokenValidator IdTokens { get; } = idTokens;

    /// <summary>The OpenID Connect scheme that signs users in to this app (<c>Gateway.Oidc</c> for the default app).</summary>
    public string OidcScheme { get; } = GatewaySchemes.OpenIdConnect + app.Suffix;
}

/// <summary>
/// Every app's provider client, and the one of a request. The default app (top-level settings) uses the very
/// singletons registered for <see cref="IdentityProviderSettings"/>, <see cref="ProviderMetadata"/>, … so a
/// configuration without <c>Gateway:Apps</c> works exactly as before; each named app gets its own instances
/// (own metadata cache, own client credentials).
/// </summary>
internal sealed class AppProviders
{
    private readonly GatewayApps _apps;
    private readonly Dictionary<string, AppProvider> _byApp = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AppProvider> _byScheme = new(StringComparer.Ordinal);

    public AppProviders(GatewayApps apps, IOptions<GatewayOptions> options, IServiceProvider services)
    {
        _apps = apps;
        var primary = apps.Primary;
        foreach (var app in apps.All)
        {
            AppProvider provider;
            if (app == primary)
            {
                // The registered singletons were built from the primary app's settings (IdentityProviderSettings.From).
                provider = new AppProvider(app,
                    services.GetRequiredService<IdentityProviderSettings>(),
                    services.GetRequiredService<ProviderMetadata>(),
                    services.GetRequiredService<TokenClient>(),
                    services.GetRequiredService<RefreshedIdTokenValidator>());
            }
            else
            {
                var settings = IdentityProviderSettings.ForApp(options.Value, app.Options!);
                var metadata = ActivatorUtilities.CreateInstance<ProviderMetadata>(services, settings);
                var tokens = ActivatorUtilities.CreateInstance<TokenClient>(services, settings, metadata);
                var idTokens = ActivatorUtilities.CreateInstance<RefreshedIdTokenValidator>(services, settings, metadata);
                provider = new AppProvider(app, settings, metadata, tokens, idTokens);
            }

            _byApp[app.Name] = provider;
            _byScheme[provider.OidcScheme] = provider;
        }

        Primary = _byApp[primary.Name];
    }

    /// <summary>The provider standing for the gateway as a whole (bearer tokens, readiness): the default app's, else the first app's.</summary>
    public AppProvider Primary { get; }

    public IReadOnlyCollection<AppProvider> All => _byApp.Values;

    public AppProvider For(AppDefinition app) => _byApp[app.Name];

    /// <summary>The request's app's provider; null when no app serves the request's host.</summary>
    public AppProvider? Of(HttpContext context) => _apps.Many ? (_apps.Of(context) is { } app ? _byApp[app.Name] : null) : Primary;

    /// <summary>The app whose OpenID Connect scheme this is (null for any other scheme).</summary>
    public AppProvider? ByScheme(string? scheme) => scheme is not null ? _byScheme.GetValueOrDefault(scheme) : null;
}
