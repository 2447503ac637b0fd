using Gateway.Paths;

namespace Gateway.Configuration;

/// <summary>
/// What lets one session and its way back span several host names: the session cookie's <c>Domain</c>
/// (<c>Gateway:Session:CookieDomain</c>) and the hosts an absolute <c>rd</c> may name (<c>Gateway:AllowedRedirectHosts</c>).
/// </summary>
/// <param name="CookieDomain">Lower case, without the leading dot; null for host-only cookies.</param>
internal sealed record CrossHostRules(string? CookieDomain, RedirectHosts RedirectHosts);

/// <summary>
/// The <see cref="CrossHostRules"/> that apply to a request. Read through here, never from the options directly, so that a
/// choice per request (an app selected by host name) has one place to go.
/// </summary>
internal sealed class CrossHostSettings(GatewayOptions options)
{
    private readonly CrossHostRules rules = new(NormalizeDomain(options.Session.CookieDomain), RedirectHosts.From(options.AllowedRedirectHosts));

    /// <summary>The rules for the gateway as a whole (cookie options are built once, not per request).</summary>
    public CrossHostRules Default => rules;

    public CrossHostRules For(HttpContext context) => rules;

    /// <summary><c>.corp.example.com</c> or <c>corp.example.com</c> → <c>corp.example.com</c>; empty → null.</summary>
    public static string? NormalizeDomain(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().TrimStart('.').ToLowerInvariant();
}
