using Gateway.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Proxy;

/// <summary>
/// Adds the gateway's request transform to every route, anonymous ones included: reserved identity
/// headers and the gateway's own cookies and the Authorization header are removed, then the signed-in
/// user's identity headers are added.
/// </summary>
internal sealed class IdentityTransformProvider(IdentityHeaderMap map, IOptions<GatewayOptions> options, Observability.GatewayMetrics metrics, ILogger<IdentityTransformProvider> logger) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
        var value = context.Route.Metadata?.GetValueOrDefault(RouteMetadataKeys.Unauthenticated);
        if (!GatewayConfigurationValidator.TryParseBehavior(value, out _))
        {
            context.Errors.Add(new ArgumentException(
                $"ReverseProxy:Routes:{context.Route.RouteId}:Metadata:{RouteMetadataKeys.Unauthenticated} has an unknown value (got '{value}'); use 'Redirect', 'Deny' or 'Allow'."));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        var transform = new IdentityRequestTransform(map, new GatewayCookieFilter(options.Value.Session.CookieName), context.Route.RouteId, metrics, logger);
        context.RequestTransforms.Add(transform);
    }
}

/// <summary>Recognises the gateway's own cookies: the session cookie and its chunks, correlation and nonce cookies.</summary>
internal sealed class GatewayCookieFilter(string cookieName)
{
    public bool IsGatewayCookie(ReadOnlySpan<char> name)
    {
        if (!name.StartsWith(cookieName, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name[cookieName.Length..];
        if (rest.IsEmpty || rest.StartsWith("_corr.", StringComparison.Ordinal) || rest.StartsWith("_nonce.", StringComparison.Ordinal))
        {
            return true;
        }

        // Chunks of a large session cookie: NAMEC1, NAMEC2, …
        if (rest[0] == 'C' && rest.Length > 1)
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
                var value = JoinClaims(user, header.Claim);
                if (value is not null)
                {
                    proxyHeaders.TryAddWithoutValidation(header.Name, HeaderValueEncoder.Encode(value));
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private static string? JoinClaims(System.Security.Claims.ClaimsPrincipal user, string claimType)
    {
        string? single = null;
        List<string>? many = null;
        foreach (var claim in user.FindAll(claimType))
        {
            if (single is null)
            {
                single = claim.Value;
            }
            else
            {
                many ??= [single];
                many.Add(claim.Value);
            }
        }

        return many is null ? single : string.Join(',', many);
    }
}
