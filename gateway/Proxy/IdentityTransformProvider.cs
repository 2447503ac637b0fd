using Gateway.Assertions;
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
/// user's identity headers are added (or, with <c>Gateway.HeaderProfile: Alb</c>, ALB's three <c>x-amzn-oidc-*</c>
/// headers instead). Routes with <c>Gateway.ForwardToken: Access</c> (or <c>Id</c>) then get the caller's access (or ID)
/// token, and routes with the assertion on (<c>Gateway.Assertion</c>, <c>Gateway:Assertion:Enabled</c>) the signed assertion.
/// Also validates every route's <c>Gateway.*</c> metadata, at start-up and on each reload (YARP keeps the old
/// routes when a reload fails validation).
/// </summary>
internal sealed class IdentityTransformProvider(
    AppHeaderMaps map,
    GatewayCookieFilter cookieFilter,
    IdentityProviderSettings provider,
    AppProviders providers,
    AssertionIssuer assertions,
    AlbDataTokenIssuer albTokens,
    IOptions<GatewayOptions> options,
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
        var metadata = context.Cluster.Metadata?.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value));
        foreach (var problem in ClusterSettings.Validate(context.Cluster.ClusterId, metadata))
        {
            context.Errors.Add(new ArgumentException(problem));
        }
    }

    public void Apply(TransformBuilderContext context)
    {
        var settings = RouteSettings.Parse(context.Route.Metadata);
        var alb = settings.HeaderProfile == HeaderProfile.Alb;
        context.RequestTransforms.Add(new IdentityRequestTransform(map, cookieFilter, context.Route.RouteId, metrics, logger, identityHeaders: !alb));
        if (alb)
        {
            context.RequestTransforms.Add(new AlbProfileTransform(albTokens, providers));
        }

        if (settings.ForwardToken == ForwardTokenMode.Access)
        {
            context.RequestTransforms.Add(new ForwardAccessTokenTransform(TokenNames.AccessToken));
        }
        else if (settings.ForwardToken == ForwardTokenMode.Id)
        {
            context.RequestTransforms.Add(new ForwardAccessTokenTransform(TokenNames.IdToken));
        }

        var assertion = options.Value.Assertion;
        if (settings.Assertion ?? assertion.Enabled)
        {
            var audience = settings.AssertionAudience ?? (string.IsNullOrWhiteSpace(assertion.Audience) ? null : assertion.Audience.Trim());
            context.RequestTransforms.Add(new AssertionTransform(assertions, providers, assertion.HeaderName, audience));
        }

        // A route's own RequestHeaderOriginalHost transform (YARP's) wins; else the cluster's metadata, else the global key.
        var routeDecides = context.Route.Transforms?.Any(t => t.Keys.Any(k => string.Equals(k, "RequestHeaderOriginalHost", StringComparison.OrdinalIgnoreCase))) == true;
        if (!routeDecides && (ClusterSettings.KeepOriginalHost(context.Cluster?.Metadata) ?? options.Value.KeepOriginalHost))
        {
            context.AddOriginalHost(true);
        }
    }
}

/// <summary>
/// <c>Gateway.ForwardToken: Access</c>: sends the caller's access token as <c>Authorization: Bearer</c> — the bearer
/// caller's own token, or the browser session's (refreshed ahead of its expiry by the session events).
/// <c>Gateway.ForwardToken: Id</c>: the same with the session's ID token (refreshed with it; bearer callers have none).
/// </summary>
internal sealed class ForwardAccessTokenTransform(string tokenName) : RequestTransform
{
    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var httpContext = context.HttpContext;
        if (httpContext.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        // The default authenticate scheme picks the bearer handler or the session cookie, as for the request itself.
        var token = await httpContext.GetTokenAsync(tokenName);
        if (!string.IsNullOrEmpty(token))
        {
            context.ProxyRequest.Headers.Remove("Authorization");
            context.ProxyRequest.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
    }
}

/// <summary>
/// <c>Gateway.Assertion</c>: the signed identity assertion of a signed-in user (session or bearer token), for the
/// route's audience (default: the request's public origin, which is also the issuer).
/// </summary>
internal sealed class AssertionTransform(AssertionIssuer assertions, AppProviders providers, string headerName, string? audience) : RequestTransform
{
    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var httpContext = context.HttpContext;
        if (httpContext.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        // After Ingress, scheme and host are the public ones (Gateway:PublicOrigin or trusted forwarded headers).
        var origin = httpContext.Request.Scheme + "://" + httpContext.Request.Host.Value;
        var token = await assertions.IssueAsync(httpContext.User, ProviderOf(providers, httpContext), origin, audience ?? origin);
        context.ProxyRequest.Headers.Remove(headerName);
        context.ProxyRequest.Headers.TryAddWithoutValidation(headerName, token);
    }

    /// <summary>
    /// The provider that vouches for the request's user: a bearer token's is the primary app's (bearer tokens are shared
    /// by all apps), a session's is its app's, i.e. the request's app (a session of another app is never accepted).
    /// </summary>
    internal static IdentityProviderSettings ProviderOf(AppProviders providers, HttpContext context) =>
        context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == GatewaySchemes.Bearer)
            ? providers.Primary.Settings
            : (providers.Of(context) ?? providers.Primary).Settings;
}

/// <summary>
/// <c>Gateway.HeaderProfile: Alb</c>: what an AWS ALB with authenticate-cognito sends, in its format, instead of the
/// identity headers: <c>x-amzn-oidc-identity</c> (<c>sub</c>), <c>x-amzn-oidc-accesstoken</c> (the caller's access
/// token, refreshed ahead of expiry like <c>ForwardToken: Access</c>) and <c>x-amzn-oidc-data</c> (see <see cref="AlbDataTokenIssuer"/>; the request's app's pool and client).
/// Inbound <c>x-amzn-oidc-*</c> headers are already gone (reserved on every route).
/// </summary>
internal sealed class AlbProfileTransform(AlbDataTokenIssuer tokens, AppProviders providers) : RequestTransform
{
    public const string IdentityHeader = "x-amzn-oidc-identity";
    public const string AccessTokenHeader = "x-amzn-oidc-accesstoken";
    public const string DataHeader = "x-amzn-oidc-data";

    public override async ValueTask ApplyAsync(RequestTransformContext context)
    {
        var httpContext = context.HttpContext;
        var user = httpContext.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var headers = context.ProxyRequest.Headers;
        if (user.FindFirst("sub")?.Value is { } sub)
        {
            headers.TryAddWithoutValidation(IdentityHeader, HeaderValueEncoder.Encode(sub));
        }

        if (await httpContext.GetTokenAsync(TokenNames.AccessToken) is { Length: > 0 } accessToken)
        {
            headers.TryAddWithoutValidation(AccessTokenHeader, accessToken);
        }

        var origin = httpContext.Request.Scheme + "://" + httpContext.Request.Host.Value;
        headers.TryAddWithoutValidation(DataHeader, await tokens.IssueAsync(user, AssertionTransform.ProviderOf(providers, httpContext), origin));
    }
}

internal sealed class IdentityRequestTransform(AppHeaderMaps maps, GatewayCookieFilter cookies, string routeId, Observability.GatewayMetrics metrics, ILogger logger, bool identityHeaders = true) : RequestTransform
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
                Observability.AuditTrail.Of(context.HttpContext).SpoofedHeaderStripped(context.HttpContext, routeId, header.Key);
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
        if (identityHeaders && user.Identity?.IsAuthenticated == true)
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
