using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>The "Gateway" keys about headers sent to backends.</summary>
public sealed class ProxyHeaderOptions
{
    /// <summary>See <see cref="GatewayOptions.IdentityHeaders"/>.</summary>
    public Dictionary<string, string> IdentityHeaders { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>See <see cref="GatewayOptions.StripHeaders"/>.</summary>
    public List<string> StripHeaders { get; set; } = [];

    /// <summary>See <see cref="GatewayOptions.KeepOriginalHost"/>.</summary>
    public bool KeepOriginalHost { get; set; }
}

/// <summary>"Gateway:IdentityHeaders" and "Gateway:StripHeaders".</summary>
internal sealed partial class ProxyHeaderOptionsValidator : IValidateOptions<ProxyHeaderOptions>
{
    private static readonly string[] ForbiddenIdentityHeaders =
    [
        "Host", "Cookie", "Authorization", "Content-Length", "Content-Type", "Connection", "Transfer-Encoding",
        "Upgrade", "Keep-Alive", "Te", "Trailer", "Proxy-Authorization", "X-Forwarded-For", "X-Forwarded-Proto",
        "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded",
    ];

    /// <summary>
    /// Request headers that Gateway:StripHeaders may not remove: the proxy needs them, YARP sets them itself, or .NET keeps
    /// them on the request content (removing those from the request headers would fail every matching request).
    /// </summary>
    private static readonly string[] ProtectedRequestHeaders =
    [
        "Host", "Cookie", "Authorization", "Connection", "Transfer-Encoding", "Upgrade", "Keep-Alive", "Te", "Trailer",
        "Expect", "Content-Length", "Content-Type", "Content-Encoding", "Content-Language", "Content-Location",
        "Content-MD5", "Content-Range", "Content-Disposition", "Allow", "Expires", "Last-Modified",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded",
    ];

    public ValidateOptionsResult Validate(string? name, ProxyHeaderOptions options)
    {
        var problems = new List<string>();
        foreach (var (header, claim) in options.IdentityHeaders)
        {
            var key = $"Gateway:IdentityHeaders:{header}";
            if (string.Equals(header, GatewayOptions.GroupsFormatKey, StringComparison.OrdinalIgnoreCase))
            {
                if (!(Enum.TryParse<GroupsFormat>(claim?.Trim(), ignoreCase: true, out var format) && Enum.IsDefined(format) && !int.TryParse(claim, out _)))
                {
                    problems.Add($"{key} has an unknown value (got '{claim}'); use 'Comma' (names joined with ',', a ',' or '%' inside a name percent-encoded) or 'Json' (a JSON array).");
                }

                continue;
            }

            if (!HeaderNamePattern().IsMatch(header))
            {
                problems.Add($"{key} is not a valid HTTP header name; use letters, digits and '-', e.g. 'X-Forwarded-Email'.");
            }
            else if (ForbiddenIdentityHeaders.Contains(header, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{key} names a header the gateway must not overwrite; choose another name, e.g. 'X-Forwarded-{header}'.");
            }

            if (claim is not null && claim.Any(char.IsControl))
            {
                problems.Add($"{key} has control characters in its claim name; use a claim type such as 'email' or 'custom:department'.");
            }
        }

        for (var i = 0; i < options.StripHeaders.Count; i++)
        {
            var key = $"Gateway:StripHeaders:{i}";
            var entry = options.StripHeaders[i];
            if (!ReservedHeaderNames.TryParse(entry, out _, out _))
            {
                problems.Add($"{key} is not a header name or a prefix ending in '*' (got '{entry}'); use e.g. 'X-Legacy-User' or 'X-Corp-*'.");
            }
            else if (ProtectedRequestHeaders.FirstOrDefault(h => ReservedHeaderNames.Matches(entry, h)) is { } needed)
            {
                problems.Add($"{key} would remove '{needed}', which the proxy needs or sets itself (got '{entry}'); list only headers that clients must not send to the backend, e.g. 'X-Legacy-User' or 'X-Corp-*'.");
            }
        }

        return problems.ToResult();
    }

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderNamePattern();
}
