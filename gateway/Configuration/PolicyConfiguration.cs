using System.Globalization;

namespace Gateway.Configuration;

/// <summary>
/// Reads "Gateway:Policies". The configuration binder cannot read <see cref="PolicyOptions.Claims"/>: claim types such
/// as <c>custom:department</c> contain ':', the configuration key separator, so
/// <c>"Claims": { "custom:department": [ "Engineering" ] }</c> arrives as the keys
/// <c>Claims:custom:department:0</c>. This rebuilds the claim type from the key path (a trailing number is a list index).
/// </summary>
internal static class PolicyConfiguration
{
    public static Dictionary<string, PolicyOptions> Read(IConfiguration policiesSection, List<string> problems)
    {
        var policies = new Dictionary<string, PolicyOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in policiesSection.GetChildren())
        {
            var policy = new PolicyOptions
            {
                Groups = ReadList(section.GetSection(nameof(PolicyOptions.Groups))),
                AllGroups = ReadList(section.GetSection(nameof(PolicyOptions.AllGroups))),
                EmailDomains = ReadList(section.GetSection(nameof(PolicyOptions.EmailDomains))),
                Scopes = ReadList(section.GetSection(nameof(PolicyOptions.Scopes))),
                Claims = ReadClaims(section.GetSection(nameof(PolicyOptions.Claims))),
            };
            var verified = section[nameof(PolicyOptions.RequireVerifiedEmail)];
            if (!string.IsNullOrWhiteSpace(verified))
            {
                if (bool.TryParse(verified.Trim(), out var flag))
                {
                    policy.RequireVerifiedEmail = flag;
                }
                else
                {
                    problems.Add($"Gateway:Policies:{section.Key}:RequireVerifiedEmail must be true or false (got '{verified}'); use true to admit only users whose email_verified is true.");
                }
            }

            policies[section.Key] = policy;
        }

        return policies;
    }

    /// <summary>A list given either as an array (<c>:0</c>, <c>:1</c>, …) or as one comma-separated string.</summary>
    private static List<string> ReadList(IConfigurationSection section)
    {
        if (section.Value is { } single)
        {
            return single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }

        return section.GetChildren()
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .Select(c => c.Value ?? string.Empty)
            .ToList();
    }

    private static Dictionary<string, List<string>> ReadClaims(IConfigurationSection section)
    {
        var claims = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (path, value) in section.AsEnumerable(makePathsRelative: true))
        {
            if (value is null)
            {
                continue;
            }

            // "custom:department:0" → type "custom:department"; "custom:department" (a single string) → the same type.
            var type = path;
            var lastColon = path.LastIndexOf(':');
            if (lastColon > 0 && int.TryParse(path[(lastColon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                type = path[..lastColon];
            }

            if (!claims.TryGetValue(type, out var values))
            {
                values = [];
                claims[type] = values;
            }

            values.Add(value);
        }

        return claims;
    }
}
