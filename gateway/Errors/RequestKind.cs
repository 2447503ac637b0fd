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

    /// <summary>A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method (browsers send no cookies on it).</summary>
    public static bool IsCorsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) &&
        request.Headers.ContainsKey("Origin") &&
        request.Headers.ContainsKey("Access-Control-Request-Method");

    /// <summary>A WebSocket (or other protocol) upgrade: HTTP/1.1 <c>Connection: Upgrade</c> or an HTTP/2 extended CONNECT.</summary>
    public static bool IsUpgradeRequest(HttpContext context)
    {
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpExtendedConnectFeature>()?.IsExtendedConnect == true)
        {
            return true;
        }

        var headers = context.Request.Headers;
        return headers.Upgrade.Count > 0 &&
               headers.Connection.Any(v => v is not null && v.Contains("upgrade", StringComparison.OrdinalIgnoreCase));
    }
}
