namespace Gateway.Paths;

/// <summary>
/// Return URLs (<c>rd</c>): local paths (no scheme, no host, no protocol-relative or backslash tricks), and absolute URLs
/// only to a host listed in <c>Gateway:AllowedRedirectHosts</c> (<see cref="TryGetAllowed"/>).
/// </summary>
internal static class ReturnUrl
{
    /// <summary>
    /// A local return URL (<see cref="TryGetLocal"/>), or an absolute <c>https://HOST[:PORT]/…</c> URL whose host and port
    /// <paramref name="hosts"/> lists (plain <c>http://</c> only for <c>localhost</c>, <c>*.localhost</c> and loopback
    /// addresses, as Cognito allows for callbacks). The authority must be a plain host name: no user info, no
    /// percent-encoding, no backslash, no IP-literal brackets, no trailing dot, so what is checked is what a browser follows.
    /// </summary>
    public static bool TryGetAllowed(string? value, RedirectHosts hosts, out string url)
    {
        if (TryGetLocal(value, out url))
        {
            return true;
        }

        url = "/";
        if (hosts.IsEmpty || value is null || !TryParseAbsolute(value, out var host, out var port, out var https) ||
            !hosts.Allows(host, port, https ? 443 : 80) || (!https && !IsLoopbackName(host)))
        {
            return false;
        }

        url = value;
        return true;
    }

    /// <summary>True for an absolute URL that <see cref="TryGetAllowed"/> would accept with some host list (it has a plain host name).</summary>
    public static bool IsAbsolute(string value) => TryParseAbsolute(value, out _, out _, out _);

    private static bool TryParseAbsolute(string value, out string host, out int port, out bool https)
    {
        host = string.Empty;
        port = 0;
        https = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (value.Length > 2048 || (!https && !value.StartsWith("http://", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c) || c > '\u007e')
            {
                return false;
            }
        }

        var rest = value[(https ? 8 : 7)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var colon = authority.IndexOf(':');
        var name = (colon < 0 ? authority : authority[..colon]).ToLowerInvariant();
        port = https ? 443 : 80;
        if (colon >= 0 && (!int.TryParse(authority.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) ||
                           port is < 1 or > 65535))
        {
            return false;
        }

        if (!RedirectHosts.IsHostName(name) || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 ||
            !string.Equals(uri.Host, name, StringComparison.Ordinal) || uri.Port != port)
        {
            return false;
        }

        host = name;
        return true;
    }

    private static bool IsLoopbackName(string host) =>
        host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal) ||
        (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>
    /// The current request as a local return URL, or "/" when its path is not one (e.g. <c>//evil.com/x</c>, which
    /// Kestrel keeps as a path but a browser would follow to another site).
    /// </summary>
    public static string FromRequest(HttpRequest request) =>
        TryGetLocal(request.PathBase + request.Path + request.QueryString, out var url) ? url : "/";

    public static bool TryGetLocal(string? value, out string url)
    {
        url = "/";
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (value.Length > 2048 || !IsLocalPath(value))
        {
            return false;
        }

        // Encoded variants (%2F%2Fevil, /%5Cevil) must not turn into something non-local once a browser or backend decodes them.
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return false;
        }

        if (!IsLocalPath(decoded))
        {
            return false;
        }

        url = value;
        return true;
    }

    private static bool IsLocalPath(string value)
    {
        if (value.Length == 0 || value[0] != '/')
        {
            return false;
        }

        if (value.Length > 1 && (value[1] == '/' || value[1] == '\\'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return Uri.TryCreate(value, UriKind.Relative, out _);
    }
}
