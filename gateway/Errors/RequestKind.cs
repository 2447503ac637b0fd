namespace Gateway.Errors;

/// <summary>Tells browser navigations apart from API/XHR calls (which must never get a redirect to HTML).</summary>
internal static class RequestKind
{
    public static bool IsApiRequest(HttpRequest request)
    {
        var headers = request.Headers;
        if (headers.ContainsKey("X-Requested-With"))
        {
            return true;
        }

        var mode = headers["Sec-Fetch-Mode"].ToString();
        if (mode.Length > 0)
        {
            return !string.Equals(mode, "navigate", StringComparison.OrdinalIgnoreCase);
        }

        return !headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
