using Gateway.Configuration;
using Gateway.IdentityProvider;

namespace Gateway.Proxy;

/// <summary>
/// The identity header map of each app (<c>Gateway:Apps</c>): the default claim names (groups, username) and the email
/// trust rules (TrustedEmailProviders, KeepProviderGroups) are the app's provider's. A header that any app writes is
/// removed from every inbound request, whichever app it is for.
/// </summary>
internal sealed class AppHeaderMaps
{
    private readonly Dictionary<string, IdentityHeaderMap> _byApp = new(StringComparer.OrdinalIgnoreCase);
    private readonly AppProviders _providers;

    public AppHeaderMaps(IdentityHeaderMap primary, AppProviders providers, GatewayOptions options)
    {
        _providers = providers;
        Primary = primary;
        foreach (var provider in providers.All)
        {
            _byApp[provider.App.Name] = provider == providers.Primary ? primary : new IdentityHeaderMap(options, provider.Settings);
        }
    }

    /// <summary>The map of the primary app (the only one without <c>Gateway:Apps</c>).</summary>
    public IdentityHeaderMap Primary { get; }

    /// <summary>The request's app's map.</summary>
    public IdentityHeaderMap For(HttpContext context) =>
        _byApp.Count > 1 && _providers.Of(context) is { } app ? _byApp[app.App.Name] : Primary;

    /// <summary>True when some app writes or reserves this inbound header (so it never reaches a backend from the client).</summary>
    public bool IsReserved(string name)
    {
        if (Primary.IsReserved(name))
        {
            return true;
        }

        foreach (var map in _byApp.Values)
        {
            if (map != Primary && map.IsReserved(name))
            {
                return true;
            }
        }

        return false;
    }
}
