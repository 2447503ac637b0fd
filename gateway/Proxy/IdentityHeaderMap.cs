using Gateway.Configuration;

namespace Gateway.Proxy;

/// <summary>
/// The compiled identity-header contract: which header carries which claim, and which inbound
/// headers are reserved (removed from every request, in '-' and '_' spellings, before forwarding).
/// Built once at start-up.
/// </summary>
internal sealed class IdentityHeaderMap
{
    /// <summary>Headers the gateway may set itself (forward-auth names included): never trusted from clients.</summary>
    private static readonly string[] AlwaysReserved =
    [
        "X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username", "X-Forwarded-Groups",
        "X-Forwarded-Access-Token", "X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Groups",
        "X-Auth-Request-Preferred-Username", "X-Auth-Request-Access-Token",
    ];

    public IdentityHeaderMap(GatewayOptions options, IdentityProviderSettings provider)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-Forwarded-User"] = "sub",
            ["X-Forwarded-Email"] = "email",
            ["X-Forwarded-Preferred-Username"] = provider.UsernameClaim,
            ["X-Forwarded-Groups"] = provider.GroupsClaim,
        };
        foreach (var (header, claim) in options.IdentityHeaders)
        {
            if (string.IsNullOrWhiteSpace(claim))
            {
                map.Remove(header);
            }
            else
            {
                map[header] = claim.Trim();
            }
        }

        _allowUnverifiedEmail = provider.AllowUnverifiedEmail;
        Headers = map.Select(kv => new IdentityHeader(kv.Key, kv.Value)).ToArray();
        Reserved = AlwaysReserved.Concat(options.IdentityHeaders.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private readonly bool _allowUnverifiedEmail;

    /// <summary>
    /// Header values per principal. A session's principal is one object shared by all its requests (it comes from
    /// the session cache), so the claims are read and encoded once per session, not once per request.
    /// </summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Security.Claims.ClaimsPrincipal, string?[]> _values = new();

    /// <summary>The value of each of <see cref="Headers"/> for this user (same order; null when absent).</summary>
    public string?[] ValuesFor(System.Security.Claims.ClaimsPrincipal user) =>
        _values.GetValue(user, u => Headers.Select(h => ValueFor(u, h)).ToArray());

    public IReadOnlyList<IdentityHeader> Headers { get; }

    /// <summary>
    /// The header's value for this user, encoded for a header (multi-valued claims joined with ','), or null when the
    /// user has no such claim. An email that the provider does not mark verified is left out unless allowed.
    /// </summary>
    public string? ValueFor(System.Security.Claims.ClaimsPrincipal user, IdentityHeader header)
    {
        if (!_allowUnverifiedEmail && header.Claim == "email" && !IdentityProviderSettings.EmailVerified(user))
        {
            return null;
        }

        string? single = null;
        List<string>? many = null;
        foreach (var claim in user.FindAll(header.Claim))
        {
            if (single is null)
            {
                single = claim.Value;
            }
            else
            {
                many ??= [single];
                many.Add(claim.Value);
            }
        }

        var joined = many is null ? single : string.Join(',', many);
        return joined is null ? null : HeaderValueEncoder.Encode(joined);
    }

    public IReadOnlyList<string> Reserved { get; }

    /// <summary>True when an inbound header name is reserved, comparing '_' and '-' as equal, case-insensitively.</summary>
    public bool IsReserved(string name)
    {
        foreach (var reserved in Reserved)
        {
            if (SameHeaderName(reserved, name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameHeaderName(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i] == '_' ? '-' : char.ToUpperInvariant(a[i]);
            var y = b[i] == '_' ? '-' : char.ToUpperInvariant(b[i]);
            if (x != y)
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed record IdentityHeader(string Name, string Claim);
