using Gateway.Configuration;

namespace Gateway.CognitoCheck;

/// <summary>What <c>--check-cognito</c> compares with the live pool: the gateway's validated configuration, reduced to what Cognito must agree with.</summary>
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
    /// <summary>
    /// From the validated options; <paramref name="routeIdentityProviders"/> are the <c>Gateway.IdentityProvider</c> values
    /// of the routes (route id → name), read by the caller from <c>ReverseProxy:Routes</c>.
    /// </summary>
    public static CognitoCheckSettings From(GatewayOptions options, IEnumerable<(string RouteId, string Name)> routeIdentityProviders)
    {
        var provider = IdentityProviderSettings.From(options);
        var cognito = options.Cognito!;
        var names = new List<(string Name, string Key)>();
        if (!string.IsNullOrWhiteSpace(cognito.IdentityProvider))
        {
            names.Add((cognito.IdentityProvider.Trim(), "Gateway:Cognito:IdentityProvider"));
        }

        for (var i = 0; i < cognito.AllowedIdentityProviders.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(cognito.AllowedIdentityProviders[i]))
            {
                names.Add((cognito.AllowedIdentityProviders[i].Trim(), $"Gateway:Cognito:AllowedIdentityProviders:{i}"));
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
            names);
    }
}
