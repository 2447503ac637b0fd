using Gateway.Paths;
using Microsoft.AspNetCore.Antiforgery;

namespace Gateway.Endpoints;

internal static class EndpointsServiceCollectionExtensions
{
    /// <summary>
    /// The "Sign out?" page's anti-forgery token (ASP.NET Core Antiforgery, keys from Data Protection like the session):
    /// a cookie <c>NAME_csrf</c> sent only to the gateway's own paths and never cross-site, and a form field. No
    /// endpoint asks the framework to validate it; <see cref="SignOutGuard"/> does, for sign-out requests that do not
    /// say where they come from.
    /// </summary>
    public static IServiceCollection AddGatewayEndpoints(this IServiceCollection services)
    {
        services.AddSingleton<SignOutReturn>();
        services.AddAntiforgery();
        services.AddOptions<AntiforgeryOptions>().Configure<GatewayPaths>((options, paths) =>
        {
            options.FormFieldName = SignOutGuard.TokenField;
            options.HeaderName = null;
            options.Cookie.Name = paths.SignOutTokenCookie;
            options.Cookie.Path = paths.BasePath.Value;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.HttpOnly = true;

            // The pages send CSP frame-ancestors 'none' and X-Frame-Options: DENY themselves.
            options.SuppressXFrameOptionsHeader = true;
        });
        return services;
    }
}
