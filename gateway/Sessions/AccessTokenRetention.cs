using Gateway.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace Gateway.Sessions;

/// <summary>
/// Whether a session keeps the access token and the ID token. Only routes with <c>Gateway.ForwardToken: Access</c> or
/// <c>Gateway.HeaderProfile: Alb</c> use the access token, only <c>Gateway.ForwardToken: Id</c> routes the ID token
/// (refresh timing has its own expiry item), and in the cookie store each is ~40% of every request's cookie bytes: there
/// each is kept only while some route forwards it, and fetched with one refresh when such a route meets a session without it.
/// The ID token is kept for the standard (Oidc) dialect anyway, where sign-out needs it.
/// </summary>
internal sealed class AccessTokenRetention(IOptions<GatewayOptions> options, IProxyStateLookup proxyState)
{
    public bool KeepInSession() =>
        options.Value.Session.Store == SessionStoreKind.Redis ||
        proxyState.GetRoutes().Any(r => RouteSettings.Parse(r.Config.Metadata).NeedsAccessToken);

    public bool KeepIdTokenInSession() => proxyState.GetRoutes().Any(r => RouteSettings.Parse(r.Config.Metadata).NeedsIdToken);

    /// <summary>True when the request's route (or the forward-auth check, see <see cref="TokenDemand"/>) forwards the session's access token.</summary>
    public static bool RouteForwardsToken(HttpContext context) =>
        RouteSettings.Of(context).NeedsAccessToken || context.GetEndpoint()?.Metadata.GetMetadata<TokenDemand>()?.WantsAccessToken(context) == true;

    /// <summary>True when the request's route forwards the session's ID token.</summary>
    public static bool RouteForwardsIdToken(HttpContext context) => RouteSettings.Of(context).NeedsIdToken;
}

/// <summary>
/// Endpoint metadata of a gateway endpoint that hands the session's access token out (forward-auth): decides per request,
/// before the session is read, so the session events fetch a missing token and refresh one about to expire for it.
/// </summary>
internal sealed class TokenDemand(Func<HttpContext, bool> wantsAccessToken)
{
    public bool WantsAccessToken(HttpContext context) => wantsAccessToken(context);
}
