using Gateway.Authentication;
using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Proxy;

/// <summary>
/// Adds the gateway's request transform to every route, anonymous ones included: reserved identity
/// headers and the gateway's own cookies and the Authorization header are removed, then the signed-in
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

    /// <summary>The Cookie header without the gateway's cookies, or null when nothing is left.</summary>
    public string? Filter(StringValues cookieHeaders, out bool changed)
    {
        changed = false;
        var kept = new List<string>();
        foreach (var header in cookieHeaders)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var part in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                var name = (equals < 0 ? part : part[..equals]).Trim();
                if (IsGatewayCookie(name))
                {
                    changed = true;
                }
                else
                {
                    kept.Add(part);
                }
            }
        }

        return kept.Count == 0 ? null : string.Join("; ", kept);
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
                logger.SpoofedHeaderStripped(header.Key, routeId);
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
            foreach (var header in map.Headers)
            {
                if (map.ValueFor(user, header) is { } value)
                {
                    proxyHeaders.TryAddWithoutValidation(header.Name, value);
                }
            }
        }

        return ValueTask.CompletedTask;
    }
}
