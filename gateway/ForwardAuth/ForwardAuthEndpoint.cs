using System.Security.Claims;
using Gateway.Authentication;
using Gateway.Authorization;
using Gateway.Configuration;
using Gateway.Errors;
using Gateway.IdentityProvider;
using Gateway.Ingress;
using Gateway.Observability;
using Gateway.Paths;
using Gateway.Proxy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.ForwardAuth;

/// <summary>
/// <c>GET /oauth2/auth</c> for nginx <c>auth_request</c>, Traefik ForwardAuth and Caddy <c>forward_auth</c>:
/// 202 with identity headers (oauth2-proxy's <c>X-Auth-Request-*</c> names plus the configured ones), 401 without a
/// session (or with a refused bearer token), 403 when a policy fails, 503 when the session cannot be read (Redis down).
/// <list type="bullet">
/// <item>Which rules apply: from a <c>Gateway:TrustedProxies</c> address, the original request
/// (<c>X-Forwarded-Uri</c> or <c>X-Original-URI</c>, and <c>X-Forwarded-Method</c>) is made canonical with the same
/// rules as proxied requests (<see cref="PathCanonicalizer"/>; 400 when it has no canonical form) and matched against the
/// YARP routes; that route's <c>AuthorizationPolicy</c> and metadata apply. No matching route (or no original URI) means
/// "signed in". From anyone else those headers get 403 and one configuration error in the log: answering with a weaker
/// rule would silently drop every route policy, and honouring them would let a forged header borrow an anonymous route.</item>
/// <item><c>?policy=NAME</c> and <c>?allowed_groups=a,b</c> (any of) add requirements on top.</item>
/// <item>Bearer tokens are accepted when the matched route has <c>Gateway.Bearer</c> or <c>Gateway:Bearer:ForwardAuth</c> is true.</item>
/// <item>Token hand-off, only with <c>Gateway:ForwardAuth:HandOffTokens</c> and to a <c>Gateway:TrustedProxies</c> caller: when the matched route has
/// <c>Gateway.ForwardToken: Access</c>, or the check asks with <c>?pass_access_token=true</c> and/or
/// <c>?set_authorization_header=true</c>, the 202 carries the caller's access token as <c>X-Auth-Request-Access-Token</c>
/// and/or <c>Authorization: Bearer …</c> (the session's, refreshed ahead of its expiry; a bearer caller's own).
/// Anyone else could read a session's token through its own cookie (a script on the app's origin), so never to them; and
/// as a script's own request through a trusted load balancer looks like a proxy's check, only where the deployment keeps
/// clients away from this endpoint (the setting).</item>
/// </list>
/// </summary>
internal static class ForwardAuthEndpoint
{
    private static readonly string[] UriHeaders = ["X-Forwarded-Uri", "X-Original-URI"];
    private const string MethodHeader = "X-Forwarded-Method";

    public static async Task HandleAsync(
        HttpContext context,
        Proxy.AppHeaderMaps maps,
        IdentityProviderSettings provider,
        IOptions<GatewayOptions> options,
        GatewayPaths paths,
        TrustedProxies trustedProxies,
        ForwardAuthRouteMatcher routes,
        CrossHostSettings crossHost,
        UntrustedForwardAuthCallers untrustedCallers,
        IAuthorizationPolicyProvider policies,
        IAuthorizationService authorization,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ForwardAuthEndpoint));
        context.Response.Headers.CacheControl = "no-store";

        RouteConfig? route = null;
        if (!trustedProxies.IsTrusted(context))
        {
            if (NamesOriginalRequest(context.Request))
            {
                if (TrustedProxies.PeerOf(context) is { } peer && untrustedCallers.FirstTime(peer))
                {
                    logger.ForwardAuthUntrustedCaller(peer.ToString());
                }

                AuditTrail.Of(context).Forbidden(context, null, "forward-auth request names an original request but its sender is not a trusted proxy");
                await ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "untrusted_proxy", "Forbidden",
                    "This forward-auth request names an original request, but its sender is not in Gateway:TrustedProxies.", forceJson: true);
                return;
            }
        }
        else if (OriginalUri(context) is { } originalUri)
        {
            // A relative path or another scheme has no canonical form either.
            var problem = PathProblem.NotAbsolute;
            string? canonical = null;
            if (PathCanonicalizer.RawPathOf(originalUri) is not { } rawPath ||
                !PathCanonicalizer.TryCanonicalize(rawPath, options.Value.Paths, out canonical, out problem))
            {
                loggers.CreateLogger<CanonicalPathMiddleware>().PathRefused(problem);
                await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_path", "This address is not accepted",
                    "The original request's path contains a character or spelling the gateway does not accept (see Gateway:Paths).", forceJson: true);
                return;
            }

            route = routes.Match(new PathString(canonical), OriginalMethod(context), context.Request.Host);
        }

        var originalMethod = route is null ? null : OriginalMethod(context);
        var settings = route is null ? RouteSettings.Default : ForwardAuthRouteMatcher.SettingsOf(route);
        var anonymousRoute = route is not null && string.Equals(route.AuthorizationPolicy, GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase);

        // Requirements: the matched route's policy, then ?policy= and ?allowed_groups=.
        var required = new List<(string Name, AuthorizationPolicy Policy)>();
        if (route is not null && !anonymousRoute &&
            !string.IsNullOrEmpty(route.AuthorizationPolicy) &&
            !string.Equals(route.AuthorizationPolicy, GatewayPolicies.Default, StringComparison.OrdinalIgnoreCase) &&
            await policies.GetPolicyAsync(route.AuthorizationPolicy) is { } routePolicy)
        {
            required.Add((route.AuthorizationPolicy, routePolicy));
        }

        var policyName = context.Request.Query["policy"].ToString();
        if (policyName.Length > 0)
        {
            if (string.Equals(policyName, GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(policyName, GatewayPolicies.Default, StringComparison.OrdinalIgnoreCase) ||
                await policies.GetPolicyAsync(policyName) is not { } namedPolicy)
            {
                logger.ForwardAuthUnknownPolicy(Observability.LogValue.Sanitize(policyName, 64));
                await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "unknown_policy", "Unknown policy",
                    "The forward-auth request names a policy that is not defined under Gateway:Policies.", forceJson: true);
                return;
            }

            required.Add((policyName, namedPolicy));
        }

        var allowedGroups = context.Request.Query["allowed_groups"].ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (allowedGroups.Length > 0)
        {
            required.Add(("allowed_groups", new AuthorizationPolicyBuilder()
                .RequireAuthenticatedUser()
                .AddRequirements(new ClaimValueRequirement(provider.GroupsClaim, allowedGroups))
                .Build()));
        }

        var openToAnyone = required.Count == 0 && (anonymousRoute || settings.Unauthenticated == UnauthenticatedBehavior.Allow ||
                                                   (settings.AllowCorsPreflight && IsPreflight(context, originalMethod)));

        var bearerAllowed = options.Value.Bearer.ForwardAuth || settings.Bearer;
        var useBearer = bearerAllowed && BearerSelection.HasBearerHeader(context.Request);
        if (anonymousRoute && required.Count == 0 && !useBearer)
        {
            // As for proxied requests, an anonymous route never reads the session: no identity, no Redis, so 202 at once
            // even while Redis is down. (A session store that cannot be read otherwise answers 503, never 401: a
            // forward-auth proxy would send a signed-in user to sign in, round and round.)
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        var result = await context.AuthenticateAsync(useBearer ? GatewaySchemes.Bearer : GatewaySchemes.Session);
        if (!result.Succeeded || result.Principal is null)
        {
            if (useBearer)
            {
                await context.ChallengeAsync(GatewaySchemes.Bearer);
                return;
            }

            if (openToAnyone)
            {
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }

            AuditTrail.Of(context).Unauthenticated(context, route?.RouteId, "forward-auth: no session");
            await GatewayAuthorizationResultHandler.WriteUnauthenticatedAsync(context, paths, bearerAllowed, SignInReturnUrl(context, trustedProxies, crossHost));
            return;
        }

        var user = result.Principal;
        foreach (var (name, policy) in required)
        {
            var decision = await authorization.AuthorizeAsync(user, resource: null, policy);
            if (!decision.Succeeded)
            {
                logger.ForwardAuthDenied(user.FindFirst("sub")?.Value, name);
                var failed = decision.Failure?.FailedRequirements.Select(PolicyRequirementText.Describe).Distinct(StringComparer.Ordinal).ToArray() ?? [];
                AuditTrail.Of(context).Forbidden(context, route?.RouteId,
                    $"forward-auth: policy '{name}' not met" + (failed.Length > 0 ? ": failed " + string.Join("; ", failed) : string.Empty),
                    user.FindFirst("sub")?.Value);
                await ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden", "Forbidden",
                    "You are signed in, but your account does not meet the access rules of this page.", forceJson: true);
                return;
            }
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        WriteIdentityHeaders(context.Response, maps.For(context), user);
        if (trustedProxies.IsTrusted(context) && HandOffTokens(context))
        {
            var (passToken, setAuthorization) = HandOff(context, settings);
            if ((passToken || setAuthorization) && result.Properties?.GetTokenValue(TokenNames.AccessToken) is { Length: > 0 } accessToken)
            {
                if (passToken)
                {
                    context.Response.Headers[AccessTokenHeader] = accessToken;
                }

                if (setAuthorization)
                {
                    context.Response.Headers.Authorization = "Bearer " + accessToken;
                }
            }
        }
    }

    /// <summary>The hand-off answer header (oauth2-proxy's name).</summary>
    public const string AccessTokenHeader = "X-Auth-Request-Access-Token";

    /// <summary>Which token headers a trusted proxy's check gets: the matched route's <c>ForwardToken: Access</c> gives both, the query each one.</summary>
    private static (bool PassToken, bool SetAuthorization) HandOff(HttpContext context, RouteSettings settings)
    {
        var routeForwards = settings.ForwardToken == ForwardTokenMode.Access;
        return (routeForwards || QueryFlag(context, "pass_access_token"), routeForwards || QueryFlag(context, "set_authorization_header"));
    }

    /// <summary><c>Gateway:ForwardAuth:HandOffTokens</c>: the deployment says clients cannot reach this endpoint themselves.</summary>
    private static bool HandOffTokens(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<ForwardAuthOptions>>().Value.HandOffTokens;

    private static bool QueryFlag(HttpContext context, string name) =>
        bool.TryParse(context.Request.Query[name].ToString(), out var value) && value;

    /// <summary>
    /// Whether this check will hand the access token out (see the class summary), decided before the session is read so the
    /// session events fetch a token the session does not carry and refresh one about to expire (<c>TokenDemand</c>).
    /// </summary>
    public static bool WantsAccessToken(HttpContext context)
    {
        var services = context.RequestServices;
        if (!HandOffTokens(context) || !services.GetRequiredService<TrustedProxies>().IsTrusted(context))
        {
            return false;
        }

        if (QueryFlag(context, "pass_access_token") || QueryFlag(context, "set_authorization_header"))
        {
            return true;
        }

        if (OriginalUri(context) is not { } originalUri || PathCanonicalizer.RawPathOf(originalUri) is not { } rawPath ||
            !PathCanonicalizer.TryCanonicalize(rawPath, services.GetRequiredService<IOptions<GatewayOptions>>().Value.Paths, out var canonical, out _))
        {
            return false;
        }

        var route = services.GetRequiredService<ForwardAuthRouteMatcher>().Match(new PathString(canonical), OriginalMethod(context), context.Request.Host);
        return route is not null && ForwardAuthRouteMatcher.SettingsOf(route).ForwardToken == ForwardTokenMode.Access;
    }

    /// <summary>
    /// Where the 401's sign-in link returns to: the original request a trusted proxy names, as an absolute URL when its host
    /// (the forwarded host) is in Gateway:AllowedRedirectHosts (a central auth host), else as a local path; null (this
    /// request) when there is none.
    /// </summary>
    private static string? SignInReturnUrl(HttpContext context, TrustedProxies trustedProxies, CrossHostSettings crossHost)
    {
        if (!trustedProxies.IsTrusted(context) || OriginalUri(context) is not { } original || !original.StartsWith('/'))
        {
            return null;
        }

        var request = context.Request;
        if (ReturnUrl.TryGetAllowed(request.Scheme + "://" + request.Host.Value + original, crossHost.For(context).RedirectHosts, out var absolute) &&
            !absolute.StartsWith('/'))
        {
            return absolute;
        }

        return ReturnUrl.TryGetLocal(original, out var local) ? local : null;
    }

    private static string? OriginalUri(HttpContext context)
    {
        foreach (var header in UriHeaders)
        {
            var value = context.Request.Headers[header].ToString();
            if (value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }

    private static bool NamesOriginalRequest(HttpRequest request) =>
        request.Headers.ContainsKey(MethodHeader) || UriHeaders.Any(request.Headers.ContainsKey);

    private static string OriginalMethod(HttpContext context)
    {
        var method = context.Request.Headers[MethodHeader].ToString();
        return method.Length is > 0 and <= 16 && method.All(char.IsAsciiLetter) ? method.ToUpperInvariant() : HttpMethods.Get;
    }

    private static bool IsPreflight(HttpContext context, string? originalMethod) =>
        string.Equals(originalMethod, HttpMethods.Options, StringComparison.Ordinal) &&
        context.Request.Headers.ContainsKey("Origin") &&
        context.Request.Headers.ContainsKey("Access-Control-Request-Method");

    private static void WriteIdentityHeaders(HttpResponse response, IdentityHeaderMap map, ClaimsPrincipal user)
    {
        foreach (var header in map.Headers)
        {
            if (map.ValueFor(user, header) is not { } value)
            {
                continue;
            }

            response.Headers[header.Name] = value;
            if (AuthRequestHeaderName(header.Name) is { } authRequestName)
            {
                response.Headers[authRequestName] = value;
            }
        }
    }

    private static string? AuthRequestHeaderName(string header) => header switch
    {
        _ when header.Equals("X-Forwarded-User", StringComparison.OrdinalIgnoreCase) => "X-Auth-Request-User",
        _ when header.Equals("X-Forwarded-Email", StringComparison.OrdinalIgnoreCase) => "X-Auth-Request-Email",
        _ when header.Equals("X-Forwarded-Groups", StringComparison.OrdinalIgnoreCase) => "X-Auth-Request-Groups",
        _ when header.Equals("X-Forwarded-Preferred-Username", StringComparison.OrdinalIgnoreCase) => "X-Auth-Request-Preferred-Username",
        _ => null,
    };
}
