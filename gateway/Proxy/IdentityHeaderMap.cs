using Gateway.Configuration;

namespace Gateway.Proxy;

/// <summary>
/// The compiled identity-header contract: which header carries which claim, and which inbound
/// headers are reserved (removed from every request, in '-' and '_' spellings, before forwarding:
/// <see cref="ReservedHeaderNames.Defaults"/>, every identity header and <c>Gateway:StripHeaders</c>).
/// Built once at start-up.
/// </summary>
internal sealed class IdentityHeaderMap
{
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
        // Every header the gateway can set (a header removed from the mapping included), the built-in list and the operator's.
        _reserved = new ReservedHeaderNames(
            ReservedHeaderNames.Defaults.Concat(map.Keys).Concat(options.IdentityHeaders.Keys).Concat(options.StripHeaders));
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

    private readonly ReservedHeaderNames _reserved;

    /// <summary>Every reserved name and prefix (<c>NAME*</c>).</summary>
    public IReadOnlyList<string> Reserved => _reserved.Patterns;

    /// <summary>True when an inbound header must not reach the backend: compares '_' and '-' as equal, case-insensitively.</summary>
    public bool IsReserved(string name) => _reserved.Contains(name);
}

internal sealed record IdentityHeader(string Name, string Claim);
