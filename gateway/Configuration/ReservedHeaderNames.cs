namespace Gateway.Configuration;

/// <summary>
/// Inbound header names that never reach a backend from a client: exact names and prefixes (written <c>X-Amzn-Oidc-*</c>),
/// compared case-insensitively with '_' equal to '-' (Kestrel accepts both; many frameworks map them to the same
/// variable). Compiled once at start-up; <see cref="Contains"/> runs for every header of every proxied request, so it
/// allocates nothing and rejects most names on their first character.
/// </summary>
internal sealed class ReservedHeaderNames
{
    /// <summary>
    /// Stripped on every route whatever the configuration says: headers the gateway sets itself, and headers that
    /// backends are known to trust because some other proxy in front of them used to set them.
    /// </summary>
    public static readonly IReadOnlyList<string> Defaults =
    [
        // The gateway's identity headers (defaults), the token it may forward, and the headers planned next to them.
        "X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Preferred-Username", "X-Forwarded-Groups",
        "X-Forwarded-Access-Token", "X-Forwarded-Identity-Provider", "X-Gateway-Assertion",

        // What /oauth2/auth answers to nginx/Traefik, as oauth2-proxy does (User, Email, Groups, Access-Token, ...).
        "X-Auth-Request-*",

        // AWS ALB authentication (x-amzn-oidc-identity, -accesstoken, -data): apps moved from an ALB trust them.
        "X-Amzn-Oidc-*",

        // Apache/mod_auth, Authelia and other SSO proxies.
        "Remote-User", "X-Remote-User",

        // IIS (URL Rewrite, ARR), Symfony and Zend route by these: a client could reach a path the rules never saw.
        "X-Original-URL", "X-Rewrite-URL",
    ];

    private readonly HashSet<string> _exact = new(HeaderNameComparer.Instance);
    private readonly string[] _prefixes;

    /// <summary>Normalised first characters of every name and prefix (ASCII only; a non-ASCII name is never reserved).</summary>
    private readonly bool[] _firstChars = new bool[128];

    public ReservedHeaderNames(IEnumerable<string> patterns)
    {
        var prefixes = new List<string>();
        foreach (var pattern in patterns)
        {
            if (!TryParse(pattern, out var name, out var isPrefix))
            {
                throw new ArgumentException($"'{pattern}' is not a header name or a prefix ending in '*'.", nameof(patterns));
            }

            if (isPrefix)
            {
                prefixes.Add(name);
            }
            else
            {
                _exact.Add(name);
            }

            _firstChars[Normalize(name[0])] = true;
        }

        _prefixes = prefixes.Distinct(HeaderNameComparer.Instance).ToArray();
        Patterns = _exact.Concat(_prefixes.Select(p => p + "*")).ToArray();
    }

    /// <summary>Every exact name and prefix (<c>NAME*</c>), for documentation and diagnostics.</summary>
    public IReadOnlyList<string> Patterns { get; }

    /// <summary>
    /// Splits a configured pattern: <c>Name</c> (exact) or <c>Prefix*</c> (a trailing '*'). A valid name is an RFC 9110
    /// token; a prefix needs at least one character before the '*'.
    /// </summary>
    public static bool TryParse(string? pattern, out string name, out bool isPrefix)
    {
        name = string.Empty;
        isPrefix = false;
        var text = pattern?.Trim() ?? string.Empty;
        if (text.EndsWith('*'))
        {
            isPrefix = true;
            text = text[..^1];
        }

        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        name = text;
        return true;
    }

    /// <summary>True when the name or a prefix of it matches this pattern (for start-up checks, not the hot path).</summary>
    public static bool Matches(string pattern, string headerName)
    {
        if (!TryParse(pattern, out var name, out var isPrefix))
        {
            return false;
        }

        return isPrefix
            ? headerName.Length >= name.Length && HeaderNameComparer.SameName(name, headerName.AsSpan(0, name.Length))
            : HeaderNameComparer.SameName(name, headerName);
    }

    public bool Contains(string headerName)
    {
        if (headerName.Length == 0)
        {
            return false;
        }

        var first = headerName[0];
        if (first >= 128 || !_firstChars[Normalize(first)])
        {
            return false;
        }

        if (_exact.Contains(headerName))
        {
            return true;
        }

        foreach (var prefix in _prefixes)
        {
            if (headerName.Length >= prefix.Length && HeaderNameComparer.SameName(prefix, headerName.AsSpan(0, prefix.Length)))
            {
                return true;
            }
        }

        return false;
    }

    private static char Normalize(char c) => c == '_' ? '-' : char.ToUpperInvariant(c);

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    /// <summary>Header names equal case-insensitively (ASCII) with '_' and '-' the same character.</summary>
    private sealed class HeaderNameComparer : IEqualityComparer<string>
    {
        public static readonly HeaderNameComparer Instance = new();

        public bool Equals(string? x, string? y) =>
            x is not null && y is not null && SameName(x, y);

        public int GetHashCode(string name)
        {
            var hash = new HashCode();
            foreach (var c in name)
            {
                hash.Add(Normalize(c));
            }

            return hash.ToHashCode();
        }

        public static bool SameName(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (var i = 0; i < a.Length; i++)
            {
                if (Normalize(a[i]) != Normalize(b[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
