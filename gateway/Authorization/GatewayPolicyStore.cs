using Gateway.Configuration;
using Gateway.Observability;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Gateway.Authorization;

/// <summary>
/// The validated named policies. On a configuration reload (the <c>--config</c> file changed) the policies are
/// re-read and validated together with the routes' policy names and <c>Gateway.*</c> metadata; a valid set replaces the
/// current one, an invalid one is logged problem by problem and the previous set stays in force.
/// </summary>
/// <remarks>
/// YARP reloads routes from the same change and asks <see cref="GatewayAuthorizationPolicyProvider"/> whether each
/// route's policy exists. Which change callback runs first is not defined, so <see cref="Current"/> also refreshes
/// itself whenever the configuration's reload token has fired: whoever asks first sees the new set.
/// </remarks>
internal sealed class GatewayPolicyStore : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly IdentityProviderSettings _provider;
    private readonly string _basePath;
    private readonly ILogger<GatewayPolicyStore> _logger;
    private readonly AuditTrail _audit;
    private readonly Lock _lock = new();
    private readonly IDisposable _subscription;
    private IChangeToken _token;
    private volatile IReadOnlyDictionary<string, AuthorizationPolicy> _current;

    private readonly GatewayApps? _apps;

    public GatewayPolicyStore(IConfiguration configuration, IdentityProviderSettings provider, IOptions<GatewayOptions> options, ILogger<GatewayPolicyStore> logger, AuditTrail audit, GatewayApps? apps = null, IdentityProvider.AppProviders? providers = null)
    {
        _audit = audit;
        _configuration = configuration;
        _apps = apps;
        if (apps is { Many: true } && providers is not null)
        {
            // Read at start-up (Gateway:Apps is not reloaded); each app's policies use its own provider's claim names.
            AppPolicies = apps.All.Where(a => a.Options is { Policies.Count: > 0 }).ToDictionary(
                a => a.Name,
                a => Build(a.Options!.Policies, providers.For(a).Settings),
                StringComparer.OrdinalIgnoreCase);
        }

        _provider = provider;
        _basePath = options.Value.BasePath;
        _logger = logger;
        _token = configuration.GetReloadToken();
        _current = Build(options.Value.Policies, provider);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => _ = Current);
    }

    /// <summary>The policies of <c>Gateway:Apps:NAME:Policies</c>, by app name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, AuthorizationPolicy>> AppPolicies { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, AuthorizationPolicy>>();

    /// <summary>The named policy as the request's app sees it: the app's own policy of that name, else the top-level one.</summary>
    public AuthorizationPolicy? Find(string name, HttpContext? context)
    {
        if (context is not null && _apps is { Many: true } apps && apps.Of(context) is { } app &&
            AppPolicies.TryGetValue(app.Name, out var own) && own.TryGetValue(name, out var appPolicy))
        {
            return appPolicy;
        }

        if (Current.TryGetValue(name, out var policy))
        {
            return policy;
        }

        // Another app's policy, on a request of an app without it: nobody passes (403), rather than "no such policy" (500).
        return AppPolicies.Values.Any(p => p.ContainsKey(name)) ? OtherAppsPolicy : null;
    }

    private static readonly AuthorizationPolicy OtherAppsPolicy =
        new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireAssertion(_ => false).Build();

    /// <summary>The policies in force (refreshed first if the configuration has been reloaded).</summary>
    public IReadOnlyDictionary<string, AuthorizationPolicy> Current
    {
        get
        {
            if (_token.HasChanged)
            {
                Refresh();
            }

            return _current;
        }
    }

    private void Refresh()
    {
        lock (_lock)
        {
            if (!_token.HasChanged)
            {
                return;
            }

            _token = _configuration.GetReloadToken();
            var problems = new List<string>();
            var policies = PolicyConfiguration.Read(_configuration.GetSection(GatewayOptions.SectionName + ":Policies"), problems);
            GatewayPolicyOptionsValidator.ValidatePolicies(policies, problems);
            ProxyRouteRules.Validate(ProxyRouteRules.Read(_configuration), policies, _basePath, _provider.Dialect, problems, _apps);
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    _logger.ConfigurationReloadRejected(problem);
                }

                _audit.ConfigurationReloadRejected($"{problems.Count} problem(s), the previous policies stay in force: {problems[0]}");

                return;
            }

            _current = Build(policies, _provider);
            _logger.PoliciesReloaded(policies.Count);
            _audit.ConfigurationReloaded($"{policies.Count} named policies in force");
        }
    }

    public static IReadOnlyDictionary<string, AuthorizationPolicy> Build(IReadOnlyDictionary<string, PolicyOptions> policies, IdentityProviderSettings provider)
    {
        var built = new Dictionary<string, AuthorizationPolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, options) in policies)
        {
            built[name] = BuildPolicy(options, provider);
        }

        return built;
    }

    /// <summary>Every listed requirement must hold; a signed-in user is always required.</summary>
    public static AuthorizationPolicy BuildPolicy(PolicyOptions options, IdentityProviderSettings provider)
    {
        var builder = new AuthorizationPolicyBuilder().RequireAuthenticatedUser();
        if (options.Groups.Count > 0)
        {
            builder.AddRequirements(new ClaimValueRequirement(provider.GroupsClaim, Trimmed(options.Groups)));
        }

        if (options.AllGroups.Count > 0)
        {
            builder.AddRequirements(new AllGroupsRequirement(provider.GroupsClaim, Trimmed(options.AllGroups)));
        }

        foreach (var (claimType, values) in options.Claims)
        {
            builder.AddRequirements(new ClaimValueRequirement(claimType, values.ToArray()));
        }

        if (options.EmailDomains.Count > 0)
        {
            builder.AddRequirements(new EmailDomainRequirement(Trimmed(options.EmailDomains)));
            if (!provider.AllowUnverifiedEmail && !options.RequireVerifiedEmail)
            {
                // A domain rule on an address the user merely typed would be no rule at all: the address must be verified,
                // or come from a provider listed in Gateway:Cognito:TrustedEmailProviders.
                builder.AddRequirements(new TrustedEmailRequirement(provider));
            }
        }

        if (options.RequireVerifiedEmail)
        {
            builder.AddRequirements(new VerifiedEmailRequirement());
        }

        if (options.Scopes.Count > 0)
        {
            builder.AddRequirements(new ScopeRequirement(Trimmed(options.Scopes)));
        }

        return builder.Build();
    }

    private static string[] Trimmed(List<string> values) => values.Select(v => v.Trim()).ToArray();

    public void Dispose() => _subscription.Dispose();
}

/// <summary>
/// Serves the named policies from <see cref="GatewayPolicyStore"/>, so a reload takes effect without a restart. With
/// <c>Gateway:Apps</c>, the request's app's own policy of a name comes first.
/// </summary>
internal sealed class GatewayAuthorizationPolicyProvider(IOptions<AuthorizationOptions> options, GatewayPolicyStore store, IHttpContextAccessor accessor)
    : DefaultAuthorizationPolicyProvider(options)
{
    /// <summary>Policies change on reload and, with apps, by request: the authorization middleware must not cache them per endpoint.</summary>
    public override bool AllowsCachingPolicies => false;

    public override Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) =>
        store.Find(policyName, accessor.HttpContext) is { } policy ? Task.FromResult<AuthorizationPolicy?>(policy) : base.GetPolicyAsync(policyName);
}
