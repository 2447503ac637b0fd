namespace Gateway.Configuration;

/// <summary>
/// "Gateway:Apps:NAME": one app behind the gateway with its own host names, its own identity provider client and its own
/// session cookie. A request's host picks its app (a route may name one with <c>Gateway.App</c>).
/// </summary>
public sealed class AppOptions
{
    /// <summary>Host names served as this app: exact (<c>wiki.example.com</c>) or one wildcard label (<c>*.example.com</c>); no port.</summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>This app's Amazon Cognito app client (same keys as <c>Gateway:Cognito</c>).</summary>
    public CognitoOptions? Cognito { get; set; }

    /// <summary>This app's OpenID Connect client (same keys as <c>Gateway:Oidc</c>).</summary>
    public OidcOptions? Oidc { get; set; }

    /// <summary>The session cookie of this app; default <c>{Gateway:Session:CookieName}_{NAME}</c>.</summary>
    public string? CookieName { get; set; }

    /// <summary>Where the provider returns after sign-out (registered for this app's client); overrides the provider section's own.</summary>
    public string? SignOutUri { get; set; }

    /// <summary>Named policies seen only on this app's requests (a name here hides a top-level policy of the same name).</summary>
    public Dictionary<string, PolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>"Gateway:Apps", read by <see cref="AppsConfiguration"/> (policies inside need <see cref="PolicyConfiguration"/>).</summary>
public sealed class GatewayAppsOptions
{
    public Dictionary<string, AppOptions> Apps { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Reads "Gateway:Apps" section by section (the binder cannot read claim types with ':' in policies).</summary>
internal static class AppsConfiguration
{
    public const string SectionPath = GatewayOptions.SectionName + ":Apps";

    public static Dictionary<string, AppOptions> Read(IConfiguration apps)
    {
        var result = new Dictionary<string, AppOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in apps.GetChildren())
        {
            var cognito = section.GetSection(nameof(AppOptions.Cognito));
            var oidc = section.GetSection(nameof(AppOptions.Oidc));
            result[section.Key] = new AppOptions
            {
                Hosts = section.GetSection(nameof(AppOptions.Hosts)).Get<List<string>>() ?? [],
                Cognito = cognito.Exists() ? cognito.Get<CognitoOptions>() ?? new CognitoOptions() : null,
                Oidc = oidc.Exists() ? oidc.Get<OidcOptions>() ?? new OidcOptions() : null,
                CookieName = section[nameof(AppOptions.CookieName)],
                SignOutUri = section[nameof(AppOptions.SignOutUri)],
                Policies = PolicyConfiguration.Read(section.GetSection(nameof(AppOptions.Policies)), []),
            };
        }

        return result;
    }
}

/// <summary>
/// One app as the services see it. The app of today's top-level configuration (<c>Gateway:Cognito</c>/<c>Gateway:Oidc</c>)
/// is the default app: named <see cref="DefaultName"/>, no host list, chosen for every host no named app claims.
/// </summary>
internal sealed record AppDefinition(string Name, IReadOnlyList<string> Hosts, string CookieName, AppOptions? Options)
{
    /// <summary>The name of the app made of the top-level settings (not a valid <c>Gateway:Apps</c> name: it has a space).</summary>
    public const string DefaultName = "(top level)";

    public bool IsDefault => Options is null;

    /// <summary>Appended to scheme names and Data Protection purposes: empty for the default app, so it keeps today's names.</summary>
    public string Suffix => IsDefault ? "" : "." + Name;

    public override string ToString() => Name;
}

/// <summary>
/// The apps and which one a request belongs to: a route's <c>Gateway.App</c>, else the request's host (exact names
/// first, then the longest matching <c>*.</c> wildcard; ports are ignored), else the default app. Without
/// <c>Gateway:Apps</c> every request belongs to the default app, as before.
/// </summary>
internal sealed class GatewayApps
{
    private readonly Dictionary<string, AppDefinition> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AppDefinition> _exact = new(StringComparer.OrdinalIgnoreCase);

    // Suffixes with the leading dot (".example.com"), longest first.
    private readonly List<(string Suffix, AppDefinition App)> _wildcards = [];

    public GatewayApps(GatewayOptions options)
    {
        if (options.Cognito is not null || options.Oidc is not null)
        {
            Default = new AppDefinition(AppDefinition.DefaultName, [], options.Session.CookieName, null);
            _byName[Default.Name] = Default;
        }

        foreach (var (name, app) in options.Apps.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase))
        {
            var hosts = app.Hosts.Where(h => !string.IsNullOrWhiteSpace(h)).Select(h => h.Trim().ToLowerInvariant()).ToList();
            var entry = new AppDefinition(name, hosts, CookieNameOf(options, name, app), app);
            _byName[name] = entry;
            foreach (var host in hosts)
            {
                if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    _wildcards.Add((host[1..], entry));
                }
                else
                {
                    _exact.TryAdd(host, entry);
                }
            }
        }

        _wildcards.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
        All = _byName.Values.ToList();
        Many = options.Apps.Count > 0;
    }

    /// <summary>The apps as configured, for checks that run before the options snapshot exists (start-up validation, reloads).</summary>
    public static GatewayApps FromConfiguration(IConfiguration configuration)
    {
        var options = new GatewayOptions
        {
            Cognito = configuration.GetSection("Gateway:Cognito").Exists() ? new CognitoOptions() : null,
            Oidc = configuration.GetSection("Gateway:Oidc").Exists() ? new OidcOptions() : null,
            Apps = AppsConfiguration.Read(configuration.GetSection(AppsConfiguration.SectionPath)),
        };
        if (configuration["Gateway:Session:CookieName"] is { Length: > 0 } cookie)
        {
            options.Session.CookieName = cookie.Trim();
        }

        return new GatewayApps(options);
    }

    /// <summary>The app of the top-level provider section; null when only <c>Gateway:Apps</c> are configured.</summary>
    public AppDefinition? Default { get; }

    /// <summary>Every app, the default one included.</summary>
    public IReadOnlyList<AppDefinition> All { get; }

    /// <summary>True when <c>Gateway:Apps</c> is configured (else every request is the default app's).</summary>
    public bool Many { get; }

    /// <summary>The app whose settings stand for the gateway as a whole (bearer tokens, health): the default app, else the first by name.</summary>
    public AppDefinition Primary => Default ?? All[0];

    public static string CookieNameOf(GatewayOptions options, string name, AppOptions app) =>
        string.IsNullOrWhiteSpace(app.CookieName) ? options.Session.CookieName + "_" + name.ToLowerInvariant() : app.CookieName.Trim();

    public AppDefinition? Get(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The app serving this host name (no port), or the default app (null without one).</summary>
    public AppDefinition? ForHost(string host)
    {
        if (!Many)
        {
            return Default;
        }

        host = host.TrimEnd('.');
        if (_exact.TryGetValue(host, out var app))
        {
            return app;
        }

        foreach (var (suffix, wildcard) in _wildcards)
        {
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return wildcard;
            }
        }

        return Default;
    }

    /// <summary>The request's app: pinned by <see cref="Pin"/>, else its route's <c>Gateway.App</c>, else its host's. Null when no app serves the host.</summary>
    public AppDefinition? Of(HttpContext context)
    {
        if (!Many)
        {
            return Default;
        }

        if (context.Items.TryGetValue(PinnedKey, out var pinned) && pinned is AppDefinition app0)
        {
            return app0;
        }

        return RouteSettings.Of(context).App is { } named && Get(named) is { } app ? app : ForHost(context.Request.Host.Host);
    }

    private static readonly object PinnedKey = new();

    /// <summary>
    /// Makes <paramref name="app"/> the request's app: a sign-in callback that arrives on a host of another app (a route
    /// with <c>Gateway.App</c> started it there) belongs to the app whose sign-in state it carries.
    /// </summary>
    public static void Pin(HttpContext context, AppDefinition app) => context.Items[PinnedKey] = app;

    /// <summary>True when a host pattern (exact or <c>*.</c>) is matched by some app (the default app matches everything).</summary>
    public bool Serves(string hostPattern)
    {
        if (Default is not null)
        {
            return true;
        }

        var host = hostPattern.Split(':')[0].Trim();
        return host.StartsWith("*.", StringComparison.Ordinal)
            ? _wildcards.Any(w => host[1..].EndsWith(w.Suffix, StringComparison.OrdinalIgnoreCase))
            : ForHost(host) is not null;
    }
}
