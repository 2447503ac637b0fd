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
        IdentityProviderHeader,
    ];

    /// <summary>The provider name of a federated Cognito user (claim <c>identity_provider</c>, derived at sign-in).</summary>
    public const string IdentityProviderHeader = "X-Forwarded-Identity-Provider";

    public IdentityHeaderMap(GatewayOptions options, IdentityProviderSettings provider)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-Forwarded-User"] = "sub",
            ["X-Forwarded-Email"] = "email",
            ["X-Forwarded-Preferred-Username"] = provider.UsernameClaim,
            ["X-Forwarded-Groups"] = provider.GroupsClaim,
        };
        if (provider.Dialect == ProviderDialect.Cognito)
        {
            map[IdentityProviderHeader] = Authentication.FederatedIdentity.ProviderClaim;
        }

        foreach (var (header, claim) in options.IdentityHeaderMappings)
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

        _provider = provider;
        _groupsFormat = options.GroupsFormat;
        Headers = map.Select(kv => new IdentityHeader(kv.Key, kv.Value, IsGroups: kv.Value == provider.GroupsClaim)).ToArray();
        Reserved = AlwaysReserved.Concat(options.IdentityHeaderMappings.Select(kv => kv.Key)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private readonly IdentityProviderSettings _provider;
    private readonly GroupsFormat _groupsFormat;

    /// <summary>A group list as JSON: only ASCII comes out (the default encoder escapes the rest as \uXXXX), so it is header-safe as is.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions GroupsJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default };

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
    /// user has no such claim. An email that the provider does not mark verified is left out unless allowed (or the user
    /// came through a trusted provider). The groups header encodes each name on its own: a ',' or '%' inside a name is
    /// percent-encoded before the names are joined, or the list is a JSON array (<c>GroupsFormat: Json</c>).
    /// </summary>
    public string? ValueFor(System.Security.Claims.ClaimsPrincipal user, IdentityHeader header)
    {
        if (header.Claim == "email" && !_provider.EmailTrusted(user))
        {
            return null;
        }

        if (header.IsGroups)
        {
            var groups = user.FindAll(header.Claim).Select(c => c.Value).ToList();
            if (groups.Count == 0)
            {
                return null;
            }

            return _groupsFormat == GroupsFormat.Json
                ? System.Text.Json.JsonSerializer.Serialize(groups, GroupsJson)
                : string.Join(',', groups.Select(HeaderValueEncoder.EncodeListElement));
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

/// <summary>One identity header; <paramref name="IsGroups"/> when it carries the provider's groups claim (a list, encoded per name).</summary>
internal sealed record IdentityHeader(string Name, string Claim, bool IsGroups = false);
