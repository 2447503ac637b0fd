using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Authorization;

/// <summary>
/// "Gateway:Policies": the named policies. Filled by <see cref="PolicyConfiguration"/>, not the binder (claim types
/// contain ':'); re-read on every configuration reload by <see cref="GatewayPolicyStore"/>.
/// </summary>
public sealed class GatewayPolicyOptions
{
    public Dictionary<string, PolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers the policies' options and validator; the key check sees the section as a map of policies.</summary>
    internal static void Register(IServiceCollection services)
    {
        services.AddOptions<GatewayPolicyOptions>()
            .Configure<IConfiguration>((options, configuration) =>
                options.Policies = PolicyConfiguration.Read(configuration.GetSection(GatewayOptions.SectionName + ":Policies"), []));
        services.AddValidatedSection<GatewayPolicyOptions, GatewayPolicyOptionsValidator>(
            GatewayOptions.SectionName + ":Policies", typeof(Dictionary<string, PolicyOptions>));
    }
}

/// <summary>Checks the named policies, at start-up and on each configuration reload.</summary>
internal sealed partial class GatewayPolicyOptionsValidator : IValidateOptions<GatewayPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayPolicyOptions options)
    {
        var problems = new List<string>();
        ValidatePolicies(options.Policies, problems);
        return problems.ToResult();
    }

    public static void ValidatePolicies(IReadOnlyDictionary<string, PolicyOptions> policies, List<string> problems, string section = "Gateway:Policies")
    {
        foreach (var (name, policy) in policies)
        {
            var key = $"{section}:{name}";
            if (string.Equals(name, GatewayPolicies.Default, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(name, GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{key} uses a reserved name; 'default' and 'anonymous' are built in, pick another name.");
            }

            if (!policy.HasRequirements)
            {
                problems.Add($"{key} has no requirement; set at least one of Groups, AllGroups, Claims, EmailDomains, RequireVerifiedEmail or Scopes (e.g. {key}:Groups:0 = 'admins'), or use 'default' for any signed-in user.");
            }

            CheckList($"{key}:Groups", policy.Groups, "a group name, e.g. 'admins'", problems);
            CheckList($"{key}:AllGroups", policy.AllGroups, "a group name, e.g. 'admins'", problems);
            CheckList($"{key}:Scopes", policy.Scopes, "an OAuth scope, e.g. 'orders/read'", problems);
            for (var i = 0; i < policy.Scopes.Count; i++)
            {
                if (policy.Scopes[i].Any(c => c is ' ' or '"' or '\\' || char.IsControl(c)))
                {
                    problems.Add($"{key}:Scopes:{i} contains a space, quote or backslash (got '{policy.Scopes[i]}'); list each scope as its own entry, e.g. 'orders/read'.");
                }
            }

            for (var i = 0; i < policy.EmailDomains.Count; i++)
            {
                var domain = policy.EmailDomains[i];
                if (!EmailDomainPattern().IsMatch(domain.Trim()))
                {
                    problems.Add($"{key}:EmailDomains:{i} is not a domain name (got '{domain}'); use the part after '@', e.g. 'example.com' (exact match, no wildcards).");
                }
            }

            foreach (var (claimType, values) in policy.Claims)
            {
                if (string.IsNullOrWhiteSpace(claimType) || claimType.Any(char.IsControl))
                {
                    problems.Add($"{key}:Claims has an empty or invalid claim type; use a claim type such as 'custom:department'.");
                }

                if (values.Count == 0 || values.Any(string.IsNullOrWhiteSpace))
                {
                    problems.Add($"{key}:Claims:{claimType} must list at least one accepted value and no empty ones, e.g. {key}:Claims:{claimType}:0 = 'Engineering'.");
                }
            }
        }
    }

    private static void CheckList(string key, List<string> values, string example, List<string> problems)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                problems.Add($"{key}:{i} is empty; give {example} or remove the entry.");
            }
        }
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex EmailDomainPattern();
}
