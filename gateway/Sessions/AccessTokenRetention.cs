using Gateway.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace Gateway.Sessions;

/// <summary>
/// Whether a session keeps the access token. Only routes with <c>Gateway.ForwardToken: Access</c> or <c>Gateway.HeaderProfile: Alb</c> use it (refresh
/// timing has its own expiry item), and in the cookie store it is ~40% of every request's cookie bytes: there it is
/// kept only while some route forwards tokens, and fetched with one refresh when such a route meets a session without it.
/// </summary>
internal sealed class AccessTokenRetention(IOptions<GatewayOptions> options, IProxyStateLookup proxyState)
{
    public bool KeepInSession() =>
        options.Value.Session.Store == SessionStoreKind.Redis ||
        proxyState.GetRoutes().Any(r => RouteSettings.Parse(r.Config.Metadata).NeedsAccessToken);

    /// <summary>True when the request's route forwards the session's access token (<c>ForwardToken: Access</c> or the ALB profile).</summary>
    public static bool RouteForwardsToken(HttpContext context) => RouteSettings.Of(context).NeedsAccessToken;
}
