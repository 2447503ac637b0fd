using Gateway.Configuration;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
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
/// With <c>Gateway:Apps</c>, the request's app decides the OpenID Connect scheme: the one challenged, and the only one
/// listening for callbacks on the request (every app's scheme has the same callback path, on its own hosts).
/// Not sealed: tests derive from it to count the authentication middleware's questions.
/// </summary>
internal class GatewayAuthenticationSchemeProvider(
    IOptions<AuthenticationOptions> options,
    IOptions<GatewayOptions> gateway,
    IHttpContextAccessor accessor,
    IServiceProvider? services = null) : AuthenticationSchemeProvider(options)
{
    private static readonly Task<IEnumerable<AuthenticationScheme>> None = Task.FromResult(Enumerable.Empty<AuthenticationScheme>());

    private readonly PathString _basePath = gateway.Value.BasePath;

    private readonly GatewayApps? _apps = services?.GetService<GatewayApps>() is { Many: true } apps ? apps : null;

    public override Task<AuthenticationScheme?> GetDefaultAuthenticateSchemeAsync() =>
        accessor.HttpContext is { } context &&
        ((!context.Request.Headers.ContainsKey("Cookie") && !context.Request.Headers.ContainsKey("Authorization")) ||
         context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            ? NoScheme
            : base.GetDefaultAuthenticateSchemeAsync();

    public override Task<AuthenticationScheme?> GetDefaultChallengeSchemeAsync() =>
        _apps is not null && accessor.HttpContext is { } context && _apps.Of(context) is { } app
            ? GetSchemeAsync(GatewaySchemes.OpenIdConnect + app.Suffix)
            : base.GetDefaultChallengeSchemeAsync();

    private static readonly Task<AuthenticationScheme?> NoScheme = Task.FromResult<AuthenticationScheme?>(null);

    public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
    {
        if (accessor.HttpContext is not { } context)
        {
            return base.GetRequestHandlerSchemesAsync();
        }

        if (!context.Request.Path.StartsWithSegments(_basePath, StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        return _apps is null ? base.GetRequestHandlerSchemesAsync() : AppHandlerSchemesAsync(context, _apps);
    }

    /// <summary>
    /// Only the request's app's OpenID Connect scheme: its callback must not be taken by another app's scheme (same path).
    /// A callback whose state only another app can read (a route with <c>Gateway.App</c> started the sign-in on this
    /// host) belongs to that app, which is pinned as the request's app for the session cookie it writes.
    /// </summary>
    private async Task<IEnumerable<AuthenticationScheme>> AppHandlerSchemesAsync(HttpContext context, GatewayApps apps)
    {
        var app = apps.Of(context);
        var state = context.Request.Query["state"].ToString();
        if (!string.IsNullOrEmpty(state) && (app is null || !CanRead(app, state)) &&
            apps.All.FirstOrDefault(a => a != app && CanRead(a, state)) is { } owner)
        {
            GatewayApps.Pin(context, owner);
            app = owner;
        }

        if (app is null || await GetSchemeAsync(GatewaySchemes.OpenIdConnect + app.Suffix) is not { } scheme)
        {
            return [];
        }

        return [scheme];
    }

    private bool CanRead(AppDefinition app, string state)
    {
        var oidc = services!.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(GatewaySchemes.OpenIdConnect + app.Suffix);
        try
        {
            return oidc.StateDataFormat?.Unprotect(state) is not null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

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
