using Microsoft.Extensions.Options;

namespace Gateway.ForwardAuth;

/// <summary>"Gateway:ForwardAuth": what <c>/oauth2/auth</c> may answer beyond identity headers.</summary>
public sealed class ForwardAuthOptions
{
    /// <summary>
    /// Hand the caller's access token to the proxy that calls <c>/oauth2/auth</c> (<c>X-Auth-Request-Access-Token</c>,
    /// <c>Authorization: Bearer</c>) for routes with <c>Gateway.ForwardToken: Access</c> or checks that ask with
    /// <c>?pass_access_token=true</c> / <c>?set_authorization_header=true</c>. Off by default: the gateway cannot tell a
    /// proxy's check from a browser script's own request that came through the same trusted proxy, so turn it on only
    /// where clients cannot reach <c>/oauth2/auth</c> (the forward-auth recipes in deploy/ block it).
    /// </summary>
    public bool HandOffTokens { get; set; }
}

/// <summary>Nothing to check beyond the value's format (reported by the binder check).</summary>
internal sealed class ForwardAuthOptionsValidator : IValidateOptions<ForwardAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, ForwardAuthOptions options) => ValidateOptionsResult.Success;
}
