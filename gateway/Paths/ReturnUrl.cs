namespace Gateway.Paths;

/// <summary>Return URLs (<c>rd</c>) are local paths only: no scheme, no host, no protocol-relative or backslash tricks.</summary>
internal static class ReturnUrl
{
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
