using Gateway.Configuration;
using Gateway.IdentityProvider;

namespace Gateway.Proxy;

/// <summary>
/// The compiled identity-header contract: which header carries which claim, and which inbound
/// headers are reserved (removed from every request, in '-' and '_' spellings, before forwarding:
/// <see cref="ReservedHeaderNames.Defaults"/>, every identity header and <c>Gateway:StripHeaders</c>).
/// Built once at start-up.
/// </summary>
internal sealed class IdentityHeaderMap
{
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
            map[IdentityProviderHeader] = FederatedIdentity.ProviderClaim;
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
        // Every header the gateway can set (a header removed from the mapping included), the built-in list and the operator's.
        _reserved = new ReservedHeaderNames(
            ReservedHeaderNames.Defaults.Concat(map.Keys).Concat(options.IdentityHeaderMappings.Select(kv => kv.Key)).Concat(options.StripHeaders)
                .Append(options.Assertion.HeaderName));
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

    private readonly ReservedHeaderNames _reserved;

    /// <summary>Every reserved name and prefix (<c>NAME*</c>).</summary>
    public IReadOnlyList<string> Reserved => _reserved.Patterns;

    /// <summary>True when an inbound header must not reach the backend: compares '_' and '-' as equal, case-insensitively.</summary>
    public bool IsReserved(string name) => _reserved.Contains(name);
}

/// <summary>One identity header; <paramref name="IsGroups"/> when it carries the provider's groups claim (a list, encoded per name).</summary>
internal sealed record IdentityHeader(string Name, string Claim, bool IsGroups = false);
