using Gateway.Configuration;

namespace Gateway.CognitoCheck;

/// <summary>
/// What <c>--check-cognito</c> compares with one live pool and app client: the gateway's validated configuration of one
/// Cognito section (the top-level <c>Gateway:Cognito</c>, or an app's <c>Gateway:Apps:NAME:Cognito</c>), reduced to what
/// Cognito must agree with.
/// </summary>
internal sealed record CognitoCheckSettings(
    string? UserPoolId,
    string? Region,
    string ClientId,
    string? ClientSecret,
    string? Domain,
    IReadOnlyList<string> Scopes,
    string? PublicOrigin,
    string CallbackPath,
    string? SignOutUri,
    TimeSpan RefreshMargin,
    TimeSpan SessionLifetime,
    bool RedisConfigured,
    IReadOnlyList<(string Name, string Key)> IdentityProviders)
{
    /// <summary>The key path of the checked section, named in findings: <c>Gateway:Cognito</c> or <c>Gateway:Apps:NAME:Cognito</c>.</summary>
    public string Section { get; init; } = "Gateway:Cognito";

    /// <summary>The key that sets <see cref="SignOutUri"/> (an app's own <c>SignOutUri</c> wins over its section's).</summary>
    public string SignOutUriKey { get; init; } = "Gateway:Cognito:SignOutUri";

    /// <summary>Printed before each line when the configuration has <c>Gateway:Apps</c> (<c>app wiki</c>, <c>top level</c>); null without.</summary>
    public string? Label { get; init; }

    /// <summary>An app's host names (with their key), whose callback URLs its client must allow; empty for the top-level section.</summary>
    public IReadOnlyList<(string Host, string Key)> AppHosts { get; init; } = [];

    /// <summary>
    /// From the validated options; <paramref name="routeIdentityProviders"/> are the <c>Gateway.IdentityProvider</c> values
    /// of the routes (route id → name), read by the caller from <c>ReverseProxy:Routes</c>.
    /// </summary>
    public static CognitoCheckSettings From(GatewayOptions options, IEnumerable<(string RouteId, string Name)> routeIdentityProviders) =>
        Build(options, IdentityProviderSettings.From(options), options.Cognito!, "Gateway:Cognito", routeIdentityProviders) with
        {
            Label = options.Apps.Count > 0 ? "top level" : null,
        };

    /// <summary>One app's Cognito section (<c>Gateway:Apps:NAME:Cognito</c>, which the app must have).</summary>
    public static CognitoCheckSettings ForApp(GatewayOptions options, string name, AppOptions app, IEnumerable<(string RouteId, string Name)> routeIdentityProviders)
    {
        var key = $"{AppsConfiguration.SectionPath}:{name}";
        var hosts = app.Hosts.Select((host, i) => (Host: host?.Trim().ToLowerInvariant() ?? "", Key: $"{key}:Hosts:{i}"))
            .Where(h => h.Host.Length > 0)
            .ToList();
        return Build(options, IdentityProviderSettings.ForApp(options, app), app.Cognito!, key + ":Cognito", routeIdentityProviders) with
        {
            Label = "app " + name,
            SignOutUriKey = string.IsNullOrWhiteSpace(app.SignOutUri) ? key + ":Cognito:SignOutUri" : key + ":SignOutUri",
            AppHosts = hosts,
            PublicOrigin = null,
        };
    }

    private static CognitoCheckSettings Build(GatewayOptions options, IdentityProviderSettings provider, CognitoOptions cognito, string section, IEnumerable<(string RouteId, string Name)> routeIdentityProviders)
    {
        var names = new List<(string Name, string Key)>();
        if (!string.IsNullOrWhiteSpace(cognito.IdentityProvider))
        {
            names.Add((cognito.IdentityProvider.Trim(), $"{section}:IdentityProvider"));
        }

        for (var i = 0; i < cognito.AllowedIdentityProviders.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(cognito.AllowedIdentityProviders[i]))
            {
                names.Add((cognito.AllowedIdentityProviders[i].Trim(), $"{section}:AllowedIdentityProviders:{i}"));
            }
        }

        names.AddRange(routeIdentityProviders.Select(r => (r.Name.Trim(), $"ReverseProxy:Routes:{r.RouteId}:Metadata:{RouteMetadataKeys.IdentityProvider}")));

        var region = string.IsNullOrWhiteSpace(cognito.Region) ? IdentityProviderSettings.RegionFromPoolId(provider.UserPoolId) : cognito.Region.Trim();
        return new CognitoCheckSettings(
            provider.UserPoolId,
            region,
            provider.ClientId,
            provider.ClientSecret,
            string.IsNullOrWhiteSpace(cognito.Domain) ? null : cognito.Domain.Trim(),
            provider.Scopes,
            string.IsNullOrWhiteSpace(options.PublicOrigin) ? null : options.PublicOrigin.Trim().TrimEnd('/'),
            new Gateway.Paths.GatewayPaths(options.BasePath, options.Session.CookieName).Callback,
            provider.SignOutUri,
            options.Session.RefreshMargin,
            options.Session.Lifetime,
            !string.IsNullOrWhiteSpace(options.Redis.Configuration),
            names)
        {
            Section = section,
            SignOutUriKey = section + ":SignOutUri",
        };
    }
}
