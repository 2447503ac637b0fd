using Gateway.Authentication;
using Gateway.Configuration;
using Gateway.IdentityProvider;
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
    AppHeaderMaps map,
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

internal sealed class IdentityRequestTransform(AppHeaderMaps maps, GatewayCookieFilter cookies, string routeId, Observability.GatewayMetrics metrics, ILogger logger) : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var request = context.HttpContext.Request;
        var proxyHeaders = context.ProxyRequest.Headers;

        foreach (var header in request.Headers)
        {
            if (maps.IsReserved(header.Key))
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
            var map = maps.For(context.HttpContext);
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
