using Microsoft.Extensions.Options;

namespace Gateway.Paths;

/// <summary>"Gateway:AllowedRedirectHosts": other hosts an absolute <c>rd</c> may send the user to (single sign-on across subdomains).</summary>
public sealed class RedirectHostOptions
{
    /// <summary>
    /// Exact host names (<c>wiki.corp.example.com</c>) or wildcards (<c>*.corp.example.com</c>: any name below it, not the
    /// name itself), each optionally with <c>:PORT</c>; without a port only the scheme's default port is allowed.
    /// </summary>
    public List<string> AllowedRedirectHosts { get; set; } = [];
}

/// <summary>"Gateway:AllowedRedirectHosts": each entry a host name or <c>*.</c>-wildcard, with an optional port.</summary>
internal sealed class RedirectHostOptionsValidator : IValidateOptions<RedirectHostOptions>
{
    public ValidateOptionsResult Validate(string? name, RedirectHostOptions options)
    {
        var problems = new List<string>();
        for (var i = 0; i < options.AllowedRedirectHosts.Count; i++)
        {
            if (RedirectHosts.Pattern.TryParse(options.AllowedRedirectHosts[i], out _) is { } problem)
            {
                problems.Add($"Gateway:AllowedRedirectHosts:{i} {problem} (got '{options.AllowedRedirectHosts[i]}'); use a host name such as 'wiki.corp.example.com' or a wildcard such as '*.corp.example.com', optionally with ':PORT'.");
            }
        }

        // Not the Configuration helper: Configuration refers to Paths, so Paths must not refer back.
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>
/// The hosts an absolute return URL may name. Matching is on the URL's exact host name and port as the browser will
/// read them (see <see cref="ReturnUrl.TryGetAllowed"/>); a wildcard matches names below its suffix only, at a label
/// boundary, so <c>*.corp.example.com</c> matches neither <c>evil-corp.example.com</c> nor <c>corp.example.com.evil.com</c>.
/// </summary>
internal sealed class RedirectHosts
{
    public static readonly RedirectHosts None = new([]);

    private readonly IReadOnlyList<Pattern> patterns;

    private RedirectHosts(IReadOnlyList<Pattern> patterns) => this.patterns = patterns;

    /// <summary>From validated entries (invalid ones, which start-up validation has reported, are skipped).</summary>
    public static RedirectHosts From(IEnumerable<string> entries)
    {
        var list = new List<Pattern>();
        foreach (var entry in entries)
        {
            if (Pattern.TryParse(entry, out var pattern) is null)
            {
                list.Add(pattern!);
            }
        }

        return list.Count == 0 ? None : new RedirectHosts(list);
    }

    public bool IsEmpty => patterns.Count == 0;

    /// <summary>True when <paramref name="host"/> (lower case, no trailing dot) at <paramref name="port"/> is listed; <paramref name="defaultPort"/> is the scheme's.</summary>
    public bool Allows(string host, int port, int defaultPort)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.Port is { } p ? p != port : port != defaultPort)
            {
                continue;
            }

            if (pattern.Wildcard
                    ? host.Length > pattern.Host.Length + 1 && host.EndsWith("." + pattern.Host, StringComparison.Ordinal)
                    : string.Equals(host, pattern.Host, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Host name characters only: letters, digits, '-' and '.' between non-empty labels (no IP literals with ':', no '%', no '_').</summary>
    public static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253 || host[0] == '.' || host[^1] == '.' || host.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    internal sealed record Pattern(string Host, bool Wildcard, int? Port)
    {
        /// <summary>Null when <paramref name="value"/> is a valid entry; otherwise what is wrong with it.</summary>
        public static string? TryParse(string? value, out Pattern? pattern)
        {
            pattern = null;
            var text = value?.Trim() ?? string.Empty;
            if (text.Length == 0)
            {
                return "is empty";
            }

            if (text.Contains("://", StringComparison.Ordinal) || text.Contains('/'))
            {
                return "must be a host name, not a URL";
            }

            int? port = null;
            var colon = text.LastIndexOf(':');
            if (colon >= 0)
            {
                if (!int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) ||
                    p is < 1 or > 65535)
                {
                    return "has a port that is not a number from 1 to 65535";
                }

                port = p;
                text = text[..colon];
            }

            var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
            var host = (wildcard ? text[2..] : text).ToLowerInvariant();
            if (!IsHostName(host))
            {
                return "is not a host name ('*' only as the whole first label)";
            }

            if (wildcard && !host.Contains('.'))
            {
                return "is a wildcard over a top-level name, which would allow any site under it";
            }

            pattern = new Pattern(host, wildcard, port);
            return null;
        }
    }
}
