using System.Runtime.CompilerServices;
using Gateway.Configuration;
using Microsoft.AspNetCore.Routing.Template;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.ForwardAuth;

/// <summary>
/// Finds the YARP route an original request (from a trusted proxy's <c>X-Forwarded-Uri</c>) would have matched:
/// path template, methods and hosts, ordered like endpoint routing (route <c>Order</c>, then the most specific
/// template first). Header and query-parameter matches are not evaluated (documented limitation).
/// </summary>
internal sealed class ForwardAuthRouteMatcher(IProxyStateLookup proxyState)
{
    private static readonly ConditionalWeakTable<RouteConfig, CompiledRoute> Compiled = new();

    public RouteConfig? Match(PathString path, string method, HostString host)
    {
        var candidates = new List<CompiledRoute>();
        foreach (var route in proxyState.GetRoutes())
        {
            var compiled = Compiled.GetValue(route.Config, Compile);
            if (compiled.Matcher is not null)
            {
                candidates.Add(compiled);
            }
        }

        foreach (var candidate in candidates.OrderBy(c => c.Route.Order ?? 0).ThenBy(c => c.Precedence))
        {
            var match = candidate.Route.Match;
            if (match.Methods is { Count: > 0 } methods && !methods.Contains(method, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (match.Hosts is { Count: > 0 } hosts && !hosts.Any(h => HostMatches(h, host)))
            {
                continue;
            }

            if (candidate.Matcher!.TryMatch(path, new RouteValueDictionary()))
            {
                return candidate.Route;
            }
        }

        return null;
    }

    /// <summary>
    /// The matched route's <c>Gateway.*</c> settings, parsed once per route configuration (YARP replaces the object when
    /// the route changes). Requests through the proxy read the same settings from their endpoint's metadata instead.
    /// </summary>
    public static RouteSettings SettingsOf(RouteConfig route) => Compiled.GetValue(route, Compile).Settings;

    private static CompiledRoute Compile(RouteConfig route)
    {
        var settings = RouteSettings.Parse(route.Metadata);
        var path = route.Match.Path;
        if (string.IsNullOrEmpty(path))
        {
            // A route without a path matches every path (YARP adds a catch-all).
            path = "/{**yarp-catch-all}";
        }

        try
        {
            var template = TemplateParser.Parse(path);
            return new CompiledRoute(route, new TemplateMatcher(template, new RouteValueDictionary()), RoutePrecedence.ComputeInbound(template), settings);
        }
        catch (ArgumentException)
        {
            return new CompiledRoute(route, null, decimal.MaxValue, settings);
        }
    }

    private static bool HostMatches(string pattern, HostString host)
    {
        var requested = host.Host;
        var colon = pattern.LastIndexOf(':');
        if (colon > 0 && int.TryParse(pattern[(colon + 1)..], out var port))
        {
            if (host.Port != port)
            {
                return false;
            }

            pattern = pattern[..colon];
        }

        return pattern.StartsWith("*.", StringComparison.Ordinal)
            ? requested.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, requested, StringComparison.OrdinalIgnoreCase);
    }

    private sealed record CompiledRoute(RouteConfig Route, TemplateMatcher? Matcher, decimal Precedence, RouteSettings Settings);
}
