namespace Gateway.Configuration;

/// <summary>Keys the gateway reads from a YARP route's Metadata. Values are parsed case-insensitively.</summary>
public static class RouteMetadataKeys
{
    /// <summary>Prefix of every key the gateway owns; an unknown key with this prefix is a configuration error (a typo must not open a route).</summary>
    public const string Prefix = "Gateway.";

    /// <summary>What happens to a request without a session: Redirect, Deny (401) or Allow.</summary>
    public const string Unauthenticated = "Gateway.Unauthenticated";

    /// <summary>true: a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) passes without a session.</summary>
    public const string AllowCorsPreflight = "Gateway.AllowCorsPreflight";

    /// <summary>true: <c>Authorization: Bearer</c> with a Cognito access token is accepted instead of a session.</summary>
    public const string Bearer = "Gateway.Bearer";

    /// <summary>None (default), Access or Id: forward the caller's access token, or the session's ID token, to the backend as <c>Authorization: Bearer</c>.</summary>
    public const string ForwardToken = "Gateway.ForwardToken";

    /// <summary>Cognito: sent as <c>identity_provider</c> when a request of this route starts a sign-in (straight to that IdP).</summary>
    public const string IdentityProvider = "Gateway.IdentityProvider";

    /// <summary>Cognito: sent as <c>idp_identifier</c> when a request of this route starts a sign-in.</summary>
    public const string IdpIdentifier = "Gateway.IdpIdentifier";

    /// <summary>true (default) or false: a browser's form post that arrives without a session is kept through sign-in and sent again.</summary>
    public const string PreservePost = "Gateway.PreservePost";

    /// <summary>true or false: send the signed identity assertion on this route (default: <c>Gateway:Assertion:Enabled</c>).</summary>
    public const string Assertion = "Gateway.Assertion";

    /// <summary>The <c>aud</c> of this route's assertions (default: <c>Gateway:Assertion:Audience</c>, else the request's public origin).</summary>
    public const string AssertionAudience = "Gateway.AssertionAudience";

    /// <summary>Default (the X-Forwarded-* identity headers) or Alb: the three <c>x-amzn-oidc-*</c> headers of an AWS ALB with authenticate-cognito.</summary>
    public const string HeaderProfile = "Gateway.HeaderProfile";

    /// <summary>true (default) or false: each request of this route writes one access-log line (category <c>Gateway.AccessLog</c>).</summary>
    public const string AccessLog = "Gateway.AccessLog";

    /// <summary>The name of a <c>Gateway:Apps</c> entry whose client and session this route uses, whatever the request's host.</summary>
    public const string App = "Gateway.App";

    public static readonly IReadOnlyList<string> All = [Unauthenticated, AllowCorsPreflight, Bearer, ForwardToken, IdentityProvider, IdpIdentifier, PreservePost, Assertion, AssertionAudience, HeaderProfile, AccessLog, App];
}

/// <summary>Values of <see cref="RouteMetadataKeys.Unauthenticated"/>.</summary>
public enum UnauthenticatedBehavior
{
    /// <summary>Browser navigations are redirected to sign-in, API-looking requests get 401 (the default).</summary>
    Auto,

    /// <summary>Always redirect to sign-in.</summary>
    Redirect,

    /// <summary>Always answer 401.</summary>
    Deny,

    /// <summary>Let the request through without identity (with identity headers when a session exists).</summary>
    Allow,
}

/// <summary>Values of <see cref="RouteMetadataKeys.ForwardToken"/>.</summary>
public enum ForwardTokenMode
{
    /// <summary>The Authorization header is removed and no token is sent (the default).</summary>
    None,

    /// <summary>The caller's access token (bearer header or the session's saved token) is sent as <c>Authorization: Bearer</c>.</summary>
    Access,

    /// <summary>The session's ID token is sent as <c>Authorization: Bearer</c> (as oauth2-proxy's pass-authorization-header); bearer callers have none.</summary>
    Id,
}

/// <summary>Values of <see cref="RouteMetadataKeys.HeaderProfile"/>.</summary>
public enum HeaderProfile
{
    /// <summary>The configured identity headers (<c>X-Forwarded-User</c>, …).</summary>
    Default,

    /// <summary>
    /// What an AWS Application Load Balancer with <c>authenticate-cognito</c> sends: <c>x-amzn-oidc-identity</c>,
    /// <c>x-amzn-oidc-accesstoken</c> and <c>x-amzn-oidc-data</c> (signed user claims), instead of the identity headers.
    /// </summary>
    Alb,
}

/// <summary>Reserved YARP policy names.</summary>
public static class GatewayPolicies
{
    public const string Default = "default";
    public const string Anonymous = "anonymous";
}
