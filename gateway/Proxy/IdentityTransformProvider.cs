using Gateway.Authentication;
using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Proxy;

/// <summary>
/// Adds the gateway's request transform to every route, anonymous ones included: reserved headers (identity headers,
/// headers backends trust, <c>Gateway:StripHeaders</c>), the gateway's own cookies and the Authorization header are removed, then the signed-in
/// user's identity headers are added. Routes with <c>Gateway.ForwardToken: Access</c> then get the caller's access token.
/// Also validates every route's <c>Gateway.*</c> metadata, at start-up and on each reload (YARP keeps the old
/// routes when a reload fails validation).
/// </summary>
internal sealed class IdentityTransformProvider(
    IdentityHeaderMap map,
    GatewayCookieFilter cookieFilter,
    IdentityProviderSettings provider,
    Observability.GatewayMetrics metrics,
    ILogger<IdentityTransformProvider> logger) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
        var metadata = context.Route.Metadata?.ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var problem in RouteSettings.Validate(context.Route.RouteId, metadata, provider.Dialect, context.Route.AuthorizationPolicy))
        {
            context.Errors.Add(new ArgumentException(problem));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        var transform = new IdentityRequestTransform(map, cookieFilter, context.Route.RouteId, metrics, logger);
        context.RequestTransforms.Add(transform);
        if (RouteSettings.Parse(context.Route.Metadata).ForwardToken == ForwardTokenMode.Access)
        {
            context.RequestTransforms.Add(new ForwardAccessTokenTransform());
        }
    }
}

/// <summary>
/// <c>Gateway.ForwardToken: Access</c>: sends the caller's access token as <c>Authorization: Bearer</c> — the bearer
/// caller's own token, or the browser session's (refreshed ahead of its expiry by the session events).
/// </summary>
internal sealed class ForwardAccessTokenTransform : RequestTransform
{
    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var httpContext = context.HttpContext;
        if (httpContext.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        // The default authenticate scheme picks the bearer handler or the session cookie, as for the request itself.
        var token = await httpContext.GetTokenAsync(TokenNames.AccessToken);
        if (!string.IsNullOrEmpty(token))
        {
            context.ProxyRequest.Headers.Remove("Authorization");
            context.ProxyRequest.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
    }
}

/// <summary>Recognises the gateway's own cookies: the session cookie and its chunks, correlation and nonce cookies.</summary>
internal sealed class GatewayCookieFilter(string cookieName)
{
    public bool IsGatewayCookie(ReadOnlySpan<char> name)
    {
        // ASP.NET Core reads cookie names case-insensitively, so the filter must too.
        if (!name.StartsWith(cookieName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = name[cookieName.Length..];
        if (rest.IsEmpty || rest.StartsWith("_corr.", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("_nonce.", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Chunks of a large session cookie: NAMEC1, NAMEC2, …
        if ((rest[0] == 'C' || rest[0] == 'c') && rest.Length > 1)
        {
            foreach (var c in rest[1..])
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// The Cookie header without the gateway's cookies, or null when nothing is left. <paramref name="changed"/> says
    /// whether any gateway cookie was present (callers use the result only then). Allocates only to rebuild a header
    /// that mixes the gateway's cookies with the application's.
    /// </summary>
    public string? Filter(StringValues cookieHeaders, out bool changed)
    {
        changed = false;
        var kept = 0;
        foreach (var header in cookieHeaders)
        {
            foreach (var range in Segments(header))
            {
                if (IsGatewayCookie(Name(header.AsSpan(range))))
                {
                    changed = true;
                }
                else
                {
                    kept++;
                }
            }
        }

        if (!changed || kept == 0)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder();
        foreach (var header in cookieHeaders)
        {
            foreach (var range in Segments(header))
            {
                var part = header.AsSpan(range);
                if (!IsGatewayCookie(Name(part)))
                {
                    builder.Append(builder.Length == 0 ? "" : "; ").Append(part);
                }
            }
        }

        return builder.ToString();
    }

    private static ReadOnlySpan<char> Name(ReadOnlySpan<char> part)
    {
        var equals = part.IndexOf('=');
        return (equals < 0 ? part : part[..equals]).Trim();
    }

    /// <summary>The trimmed, non-empty ';'-separated parts of one Cookie header.</summary>
    private static IEnumerable<Range> Segments(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            yield break;
        }

        var start = 0;
        while (start <= header.Length)
        {
            var end = header.IndexOf(';', start);
            if (end < 0)
            {
                end = header.Length;
            }

            var from = start;
            var to = end;
            while (from < to && char.IsWhiteSpace(header[from]))
            {
                from++;
            }

            while (to > from && char.IsWhiteSpace(header[to - 1]))
            {
                to--;
            }

            if (to > from)
            {
                yield return new Range(from, to);
            }

            start = end + 1;
        }
    }
}

internal sealed class IdentityRequestTransform(IdentityHeaderMap map, GatewayCookieFilter cookies, string routeId, Observability.GatewayMetrics metrics, ILogger logger) : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var request = context.HttpContext.Request;
        var proxyHeaders = context.ProxyRequest.Headers;

        foreach (var header in request.Headers)
        {
            if (map.IsReserved(header.Key))
            {
                proxyHeaders.Remove(header.Key);
                logger.SpoofedHeaderStripped(Observability.LogValue.Sanitize(header.Key, 100), routeId);
                metrics.SpoofedHeaderStripped();
            }
        }

        proxyHeaders.Remove("Authorization");

        var cookieHeader = request.Headers.Cookie;
        if (cookieHeader.Count > 0)
        {
            var filtered = cookies.Filter(cookieHeader, out var changed);
            if (changed)
            {
                proxyHeaders.Remove("Cookie");
                if (filtered is not null)
                {
                    proxyHeaders.TryAddWithoutValidation("Cookie", filtered);
                }
            }
        }

        var user = context.HttpContext.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            var values = map.ValuesFor(user);
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] is { } value)
                {
                    proxyHeaders.TryAddWithoutValidation(map.Headers[i].Name, value);
                }
            }
        }

        return ValueTask.CompletedTask;
    }
}
