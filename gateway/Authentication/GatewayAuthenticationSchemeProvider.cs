using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication;

/// <summary>
/// The framework's scheme provider, with two answers that depend on the request, both for requests that could not get
/// anything from the question. A request without credentials (no Cookie, no Authorization header) has no default
/// authenticate scheme, so <c>UseAuthentication()</c> leaves it anonymous without building a handler (every handler
/// would answer "no result"; the request's user is the same anonymous principal). Nor has a request to an endpoint that
/// allows anonymous callers: an <c>anonymous</c> proxy route, the health endpoints under the base path (without a management listener) and the
/// gateway's own endpoints (which authenticate explicitly where they need to). So those never read a session, even with a
/// session cookie: no Redis call (they keep answering at once while Redis is down), no refresh, and no identity headers
/// for an <c>anonymous</c> route (a route that wants the user when there is one says <c>Gateway.Unauthenticated: Allow</c>).
/// And it offers the remote sign-in handler (OpenID Connect, which listens
/// for its callback, signed-out callback and remote sign-out) only to requests under <c>Gateway:BasePath</c>, where
/// <see cref="ConfigureOpenIdConnectOptions"/> puts all of its paths. Without this, <c>UseAuthentication()</c> builds
/// and initialises an OpenID Connect handler on every proxied request only to learn that the path is not its own.
/// Not sealed: tests derive from it to count the authentication middleware's questions.
/// </summary>
internal class GatewayAuthenticationSchemeProvider(
    IOptions<AuthenticationOptions> options,
    IOptions<GatewayOptions> gateway,
    IHttpContextAccessor accessor) : AuthenticationSchemeProvider(options)
{
    private static readonly Task<IEnumerable<AuthenticationScheme>> None = Task.FromResult(Enumerable.Empty<AuthenticationScheme>());

    private readonly PathString _basePath = gateway.Value.BasePath;

    public override Task<AuthenticationScheme?> GetDefaultAuthenticateSchemeAsync() =>
        accessor.HttpContext is { } context &&
        ((!context.Request.Headers.ContainsKey("Cookie") && !context.Request.Headers.ContainsKey("Authorization")) ||
         context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            ? NoScheme
            : base.GetDefaultAuthenticateSchemeAsync();

    private static readonly Task<AuthenticationScheme?> NoScheme = Task.FromResult<AuthenticationScheme?>(null);

    public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync() =>
        accessor.HttpContext is { } context && !context.Request.Path.StartsWithSegments(_basePath, StringComparison.OrdinalIgnoreCase)
            ? None
            : base.GetRequestHandlerSchemesAsync();

    /// <summary>In place of the framework's default provider (a provider registered by someone else, e.g. a test, stays).</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(IAuthenticationSchemeProvider));
        if (existing is null || existing.ImplementationType == typeof(AuthenticationSchemeProvider))
        {
            services.RemoveAll<IAuthenticationSchemeProvider>();
            services.AddSingleton<IAuthenticationSchemeProvider, GatewayAuthenticationSchemeProvider>();
        }
    }
}
