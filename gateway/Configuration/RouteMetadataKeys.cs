namespace Gateway.Configuration;

/// <summary>Keys the gateway reads from a YARP route's Metadata.</summary>
public static class RouteMetadataKeys
{
    /// <summary>What happens to a request without a session: Redirect, Deny (401) or Allow.</summary>
    public const string Unauthenticated = "Gateway.Unauthenticated";
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

    /// <summary>Let the request through without identity.</summary>
    Allow,
}

/// <summary>Reserved YARP policy names.</summary>
public static class GatewayPolicies
{
    public const string Default = "default";
    public const string Anonymous = "anonymous";
}
