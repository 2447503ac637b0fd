using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;
using SessionOptions = Gateway.Configuration.SessionOptions;

namespace Gateway.Sessions;

/// <summary>"Gateway:Session" (and that the Redis store has a Redis to use).</summary>
internal sealed partial class SessionOptionsValidator(IConfiguration configuration) : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions session)
    {
        var problems = new List<string>();
        if (!CookieNamePattern().IsMatch(session.CookieName ?? string.Empty))
        {
            problems.Add($"Gateway:Session:CookieName is not a valid cookie name (got '{session.CookieName}'); use letters, digits, '_' or '-', e.g. '_gateway'.");
        }

        if (session.Lifetime < TimeSpan.FromMinutes(1) || session.Lifetime > TimeSpan.FromDays(3650))
        {
            problems.Add($"Gateway:Session:Lifetime must be between 00:01:00 and 3650.00:00:00 (got '{session.Lifetime}'); e.g. '08:00:00' for a working day.");
        }

        if (!Enum.IsDefined(session.Store))
        {
            problems.Add($"Gateway:Session:Store has an unknown value (got '{session.Store}'); must be one of {string.Join(", ", Enum.GetNames<SessionStoreKind>())}.");
        }

        if (session.IdleTimeout < TimeSpan.Zero || (session.IdleTimeout > TimeSpan.Zero && session.IdleTimeout < TimeSpan.FromMinutes(1)))
        {
            problems.Add($"Gateway:Session:IdleTimeout must be at least 00:01:00, or 00:00:00 to switch it off (got '{session.IdleTimeout}').");
        }

        if (session.RefreshMargin < TimeSpan.Zero || session.RefreshMargin > TimeSpan.FromMinutes(30))
        {
            problems.Add($"Gateway:Session:RefreshMargin must be between 00:00:00 and 00:30:00 (got '{session.RefreshMargin}'); Cognito access tokens can live as little as 5 minutes, e.g. '00:05:00'.");
        }

        if (session.CacheDuration < TimeSpan.Zero || session.CacheDuration > TimeSpan.FromMinutes(5))
        {
            problems.Add($"Gateway:Session:CacheDuration must be between 00:00:00 (no cache) and 00:05:00 (got '{session.CacheDuration}'); it bounds how long a sign-out elsewhere can go unnoticed, e.g. '00:00:05'.");
        }

        if (session.MaxCookieBytes < 4096 || session.MaxCookieBytes > 65536)
        {
            problems.Add($"Gateway:Session:MaxCookieBytes must be between 4096 and 65536 (got {session.MaxCookieBytes}); keep it under the header limits of every proxy in front (nginx: 8 KB per header line by default).");
        }

        if (session.MaxRevokedSessions < 1000 || session.MaxRevokedSessions > 10_000_000)
        {
            problems.Add($"Gateway:Session:MaxRevokedSessions must be between 1000 and 10000000 (got {session.MaxRevokedSessions}); it caps how many signed-out sessions are remembered until they expire (about 100 bytes each), e.g. 100000.");
        }

        if (!string.IsNullOrWhiteSpace(session.CookieDomain) && CookieDomainProblem(session.CookieDomain, configuration["Gateway:PublicOrigin"]) is { } domainProblem)
        {
            problems.Add($"Gateway:Session:CookieDomain {domainProblem} (got '{session.CookieDomain}'); use the parent domain shared by the gateway's hosts, e.g. '.corp.example.com', or leave it empty for host-only cookies.");
        }

        if (session.Store == SessionStoreKind.Redis && string.IsNullOrWhiteSpace(configuration["Gateway:Redis:Configuration"]))
        {
            problems.Add("Gateway:Redis:Configuration is missing but Gateway:Session:Store is 'Redis'; set it to the Redis address, e.g. 'redis:6379' (add ',password=…' if needed).");
        }

        return problems.ToResult();
    }

    /// <summary>What is wrong with a cookie domain (leading dot optional), or null.</summary>
    private static string? CookieDomainProblem(string value, string? publicOrigin)
    {
        var domain = CrossHostSettings.NormalizeDomain(value)!;
        if (System.Net.IPAddress.TryParse(domain.Trim('[', ']'), out _))
        {
            return "is an IP address, which browsers never share with other hosts";
        }

        if (!Paths.RedirectHosts.IsHostName(domain) || value.Trim().StartsWith("..", StringComparison.Ordinal))
        {
            return "is not a domain name (letters, digits, '-' and '.', no port, no '*')";
        }

        if (!domain.Contains('.'))
        {
            return "is a single label such as '.com' or 'localhost', which browsers refuse as a cookie domain";
        }

        if (!string.IsNullOrWhiteSpace(publicOrigin) && Uri.TryCreate(publicOrigin.Trim(), UriKind.Absolute, out var origin) &&
            !string.Equals(origin.Host, domain, StringComparison.OrdinalIgnoreCase) &&
            !origin.Host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
        {
            return $"is not a parent of Gateway:PublicOrigin's host '{origin.Host}', so browsers would refuse the cookie";
        }

        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex CookieNamePattern();
}
