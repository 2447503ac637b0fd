using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Sessions;

/// <summary>
/// Sessions of several apps (<c>Gateway:Apps</c>) through the one session cookie scheme: each app has its own cookie name
/// (<see cref="AppCookieManager"/>), its own Data Protection purpose for cookie-store tickets (<see cref="AppTicketFormat"/>)
/// and every session records the app it was made for (<see cref="Stamp"/>), checked on every read
/// (<see cref="BelongsHere"/>): a cookie of app A, copied under app B's cookie name, does not decrypt for B, and a
/// Redis session handle of A is refused by B. Without <c>Gateway:Apps</c> none of this changes anything.
/// </summary>
internal static class AppSessions
{
    /// <summary>The app a session was signed in to (absent for the default app, as in sessions made before apps existed).</summary>
    public const string AppItem = ".gateway.app";

    public static void Stamp(HttpContext context, AuthenticationProperties properties)
    {
        if (context.RequestServices.GetService<GatewayApps>() is { Many: true } apps && apps.Of(context) is { IsDefault: false } app)
        {
            properties.Items[AppItem] = app.Name;
        }
        else
        {
            properties.Items.Remove(AppItem);
        }
    }

    /// <summary>True when the session was made for the request's app.</summary>
    public static bool BelongsHere(HttpContext context, AuthenticationProperties properties)
    {
        properties.Items.TryGetValue(AppItem, out var stamped);
        if (context.RequestServices.GetService<GatewayApps>() is not { Many: true } apps)
        {
            return stamped is null;
        }

        return apps.Of(context) is { } app && string.Equals(stamped, app.IsDefault ? null : app.Name, StringComparison.Ordinal);
    }

    /// <summary>The request's app in cache keys and purposes: empty for the default app (keys as before).</summary>
    public static string ScopeOf(HttpContext? context) =>
        context?.RequestServices?.GetService<GatewayApps>() is { Many: true } apps && apps.Of(context) is { IsDefault: false } app ? app.Name : "";
}

/// <summary>Reads and writes the session cookie under the request's app's name (chunks included: <c>NAMEC1</c>, …).</summary>
internal sealed class AppCookieManager(ICookieManager inner, string configuredName, GatewayApps apps) : ICookieManager
{
    private string NameFor(HttpContext context, string key) =>
        string.Equals(key, configuredName, StringComparison.Ordinal) && apps.Of(context) is { } app ? app.CookieName : key;

    public string? GetRequestCookie(HttpContext context, string key) => inner.GetRequestCookie(context, NameFor(context, key));

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options) =>
        inner.AppendResponseCookie(context, NameFor(context, key), value, options);

    public void DeleteCookie(HttpContext context, string key, CookieOptions options) => inner.DeleteCookie(context, NameFor(context, key), options);
}

/// <summary>Cookie store: each named app's tickets are encrypted under a purpose of its own (the default app keeps the framework's).</summary>
internal sealed class AppTicketFormat(
    ISecureDataFormat<AuthenticationTicket> defaultFormat,
    IDataProtectionProvider dataProtection,
    string scheme,
    GatewayApps apps,
    IHttpContextAccessor accessor) : ISecureDataFormat<AuthenticationTicket>
{
    private readonly Dictionary<string, ISecureDataFormat<AuthenticationTicket>> _formats = apps.All
        .Where(a => !a.IsDefault)
        .ToDictionary(
            a => a.Name,
            a => (ISecureDataFormat<AuthenticationTicket>)new TicketDataFormat(dataProtection.CreateProtector("Gateway.Sessions.AppTicket", scheme, a.Name, "v1")),
            StringComparer.OrdinalIgnoreCase);

    // No app for the request's host: a format nothing decrypts with (a fresh purpose), so no session is read.
    private readonly ISecureDataFormat<AuthenticationTicket> _none =
        new TicketDataFormat(dataProtection.CreateProtector("Gateway.Sessions.AppTicket", scheme, "(no app)", "v1"));

    private ISecureDataFormat<AuthenticationTicket> Current() =>
        accessor.HttpContext is { } context
            ? apps.Of(context) switch
            {
                null => _none,
                { IsDefault: true } => defaultFormat,
                var app => _formats[app.Name],
            }
            : defaultFormat;

    public string Protect(AuthenticationTicket data) => Current().Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => Current().Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Current().Unprotect(protectedText);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose) => Current().Unprotect(protectedText, purpose);
}
