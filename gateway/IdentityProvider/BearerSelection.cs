using Gateway.Configuration;

namespace Gateway.IdentityProvider;

/// <summary>
/// Chooses the scheme that authenticates a request: the bearer handler when the matched YARP route has
/// <c>Gateway.Bearer: true</c> and the request carries <c>Authorization: Bearer …</c>, otherwise the session cookie.
/// Browser sessions are never affected by a route's bearer setting.
/// </summary>
internal static class BearerSelection
{
    public static string SelectScheme(HttpContext context) =>
        RouteAcceptsBearer(context) && HasBearerHeader(context.Request) ? GatewaySchemes.Bearer : GatewaySchemes.Session;

    public static bool RouteAcceptsBearer(HttpContext context) => RouteSettings.Of(context).Bearer;

    public static bool HasBearerHeader(HttpRequest request) => TryGetToken(request, out _);

    /// <summary>The token of an <c>Authorization: Bearer TOKEN</c> header (scheme case-insensitive, RFC 6750 §2.1).</summary>
    public static bool TryGetToken(HttpRequest request, out string token)
    {
        token = string.Empty;
        var values = request.Headers.Authorization;
        if (values.Count != 1)
        {
            return false;
        }

        var header = values[0].AsSpan().Trim();
        if (header.Length <= 7 || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        token = header[7..].Trim().ToString();
        return token.Length > 0;
    }
}
