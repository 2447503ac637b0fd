using System.Globalization;
using Gateway.Configuration;
using Gateway.Observability;
using Gateway.Paths;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Endpoints;

/// <summary>
/// Sign-out that returns where the user was. Cognito's <c>/logout</c> returns only to an exactly registered
/// <c>logout_uri</c> (the fixed <c>SignOutUri</c>, the gateway's <c>/oauth2/signed_out</c>), so the wanted return URL
/// (<c>rd</c>: local, or on an allowed host) waits in a short-lived cookie: encrypted and signed with Data Protection
/// (so no other site can plant a destination), HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET),
/// sent only to the gateway's own paths, on the session cookie's domain (the signed-out page may live on another host of
/// it). The signed-out page follows it once and deletes it.
/// </summary>
internal sealed class SignOutReturn(IDataProtectionProvider dataProtection, GatewayPaths paths, TimeProvider time, ILogger<SignOutReturn> logger)
{
    /// <summary>Long enough for the provider's logout round trip, short enough that a forgotten cookie does not redirect later.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly IDataProtector protector = dataProtection.CreateProtector("Gateway.SignOutReturn.v1");

    /// <summary>
    /// True when the provider's logout will come back to the signed-out page (<paramref name="signOutUri"/> is that page),
    /// so a kept return URL would be followed; otherwise the return URL cannot be honoured (logged) and nothing is kept.
    /// </summary>
    public bool ReturnsToSignedOutPage(string signOutUri) =>
        Uri.TryCreate(signOutUri, UriKind.Absolute, out var uri) &&
        string.Equals(uri.AbsolutePath.TrimEnd('/'), paths.SignedOut, StringComparison.OrdinalIgnoreCase);

    /// <summary>Keeps <paramref name="returnUrl"/> (already accepted by <see cref="ReturnUrl.TryGetAllowed"/>) for the signed-out page.</summary>
    public void Keep(HttpContext context, string returnUrl, CrossHostRules rules)
    {
        var expires = time.GetUtcNow() + Lifetime;
        var value = protector.Protect(expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "|" + returnUrl);
        context.Response.Cookies.Append(paths.SignOutReturnCookie, value, Options(context, rules, expires));
        logger.SignOutReturnKept(LogValue.Sanitize(Target(returnUrl), 200));
    }

    /// <summary>A sign-out without a return URL: a return URL kept by an earlier sign-out must not be followed after this one.</summary>
    public void Forget(HttpContext context, CrossHostRules rules)
    {
        if (context.Request.Cookies.ContainsKey(paths.SignOutReturnCookie))
        {
            context.Response.Cookies.Delete(paths.SignOutReturnCookie, Options(context, rules, expires: null));
        }
    }

    /// <summary>
    /// The kept return URL when this browser has a valid, unexpired one that is still allowed; the cookie is deleted
    /// whenever there is one (valid or not), so it is followed at most once.
    /// </summary>
    public string? Take(HttpContext context, CrossHostRules rules)
    {
        if (!context.Request.Cookies.TryGetValue(paths.SignOutReturnCookie, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        context.Response.Cookies.Delete(paths.SignOutReturnCookie, Options(context, rules, expires: null));
        string plain;
        try
        {
            plain = protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            logger.SignOutReturnRefused("the cookie is not one this gateway issued (tampered, or protected with a key it no longer has)");
            return null;
        }

        var separator = plain.IndexOf('|', StringComparison.Ordinal);
        if (separator < 0 || !long.TryParse(plain.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            DateTimeOffset.FromUnixTimeSeconds(seconds) <= time.GetUtcNow())
        {
            logger.SignOutReturnRefused("the cookie has expired");
            return null;
        }

        // Checked again: the allowed hosts may have changed since (a restart with another configuration).
        if (!ReturnUrl.TryGetAllowed(plain[(separator + 1)..], rules.RedirectHosts, out var url))
        {
            logger.SignOutReturnRefused("its return URL is no longer allowed");
            return null;
        }

        logger.SignOutReturnFollowed(LogValue.Sanitize(Target(url), 200));
        return url;
    }

    private CookieOptions Options(HttpContext context, CrossHostRules rules, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = paths.BasePath.Value,
        Domain = rules.CookieDomain,
        Expires = expires,
        IsEssential = true,
    };

    /// <summary>Scheme, host and path only: a query string may carry anything.</summary>
    private static string Target(string url)
    {
        var end = url.IndexOfAny(['?', '#']);
        return end < 0 ? url : url[..end];
    }
}
