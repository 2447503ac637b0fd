using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Hosting;

/// <summary>The "Gateway" keys about how clients reach the gateway: its public origin, its own path prefix, the proxies in front.</summary>
public sealed class PublicEndpointOptions
{
    /// <summary>See <see cref="GatewayOptions.PublicOrigin"/>.</summary>
    public string? PublicOrigin { get; set; }

    /// <summary>See <see cref="GatewayOptions.BasePath"/>.</summary>
    public string BasePath { get; set; } = "/oauth2";

    /// <summary>See <see cref="GatewayOptions.TrustedProxies"/>.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>"Gateway:PublicOrigin", "Gateway:BasePath", "Gateway:TrustedProxies".</summary>
internal sealed partial class PublicEndpointOptionsValidator : IValidateOptions<PublicEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, PublicEndpointOptions options)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.PublicOrigin))
        {
            if (!Uri.TryCreate(options.PublicOrigin.Trim(), UriKind.Absolute, out var origin) ||
                (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp) ||
                origin.AbsolutePath != "/" || !string.IsNullOrEmpty(origin.Query))
            {
                problems.Add($"Gateway:PublicOrigin must be an origin such as 'https://app.example.com' with no path (got '{options.PublicOrigin}').");
            }
            else if (!UriRules.IsSecureOrLoopback(origin))
            {
                problems.Add($"Gateway:PublicOrigin must use https (got '{options.PublicOrigin}'); Cognito only accepts http callback URLs for localhost.");
            }
        }

        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!UriRules.TryParseNetwork(options.TrustedProxies[i], out _))
            {
                problems.Add($"Gateway:TrustedProxies:{i} is not an IP address or CIDR range (got '{options.TrustedProxies[i]}'); use e.g. '10.0.0.0/8' or '192.168.1.10'.");
            }
        }

        if (!BasePathPattern().IsMatch(options.BasePath ?? string.Empty))
        {
            problems.Add($"Gateway:BasePath must start with '/', have no trailing '/' and use only URL path characters (got '{options.BasePath}'); the default is '/oauth2'.");
        }

        return problems.ToResult();
    }

    [GeneratedRegex(@"^(/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$")]
    private static partial Regex BasePathPattern();
}
