using Gateway.Errors;
using Gateway.Observability;
using Gateway.Paths;
using Microsoft.AspNetCore.Antiforgery;

namespace Gateway.Endpoints;

/// <summary>
/// Decides whether a sign-out POST may proceed: another site must not be able to sign a user out (revoke the refresh
/// token, end the provider's session) with an <c>&lt;img&gt;</c>, a link or an auto-submitting form. A request that says
/// where it comes from is judged by that: <c>Sec-Fetch-Site</c> (sent by every current browser, not settable by
/// scripts) must be <c>same-origin</c> or <c>none</c> (typed or bookmarked); without it, <c>Origin</c> must be the
/// gateway's public origin (<c>Gateway:PublicOrigin</c> or the request as trusted forwarded headers describe it).
/// Evidence of another origin is final, even beside a token. A request that says nothing (an old browser, a script
/// without <c>Origin</c>) needs the anti-forgery token of the "Sign out?" page, whose cookie is SameSite=Strict and
/// bound to the signed-in user.
/// </summary>
internal static class SignOutGuard
{
    /// <summary>The "Sign out?" form's hidden field carrying the anti-forgery token.</summary>
    public const string TokenField = "sign_out_token";

    internal enum Verdict
    {
        /// <summary>The browser says the request comes from this origin.</summary>
        SameOrigin,

        /// <summary>The browser says the request comes from another origin (or the headers are not well-formed).</summary>
        OtherOrigin,

        /// <summary>Neither <c>Sec-Fetch-Site</c> nor a usable <c>Origin</c>: only the token can tell.</summary>
        Unknown,
    }

    /// <summary>What the request's own headers say about where it comes from; <paramref name="evidence"/> names the header for the log.</summary>
    public static Verdict Classify(HttpRequest request, out string evidence)
    {
        evidence = string.Empty;
        var site = request.Headers["Sec-Fetch-Site"];
        if (site.Count > 0)
        {
            var value = site.Count == 1 ? site[0] : null;
            if (string.Equals(value, "same-origin", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "none", StringComparison.OrdinalIgnoreCase))
            {
                return Verdict.SameOrigin;
            }

            evidence = "Sec-Fetch-Site: " + LogValue.Sanitize(site.ToString(), 40);
            return Verdict.OtherOrigin;
        }

        var origin = request.Headers.Origin;

        // "null" is what privacy-sensitive contexts and cross-origin redirects send: it proves nothing either way.
        if (origin.Count == 0 || (origin.Count == 1 && (string.IsNullOrEmpty(origin[0]) || origin[0] == "null")))
        {
            return Verdict.Unknown;
        }

        if (origin.Count == 1 && IsPublicOrigin(origin[0]!, request))
        {
            return Verdict.SameOrigin;
        }

        evidence = "Origin: " + LogValue.Sanitize(origin.ToString(), 200);
        return Verdict.OtherOrigin;
    }

    /// <summary>The origin this gateway is reached at (after <c>Gateway:PublicOrigin</c> and trusted forwarded headers).</summary>
    public static string PublicOrigin(HttpRequest request) => request.Scheme + "://" + request.Host.Value;

    /// <summary>
    /// True when the sign-out may go ahead. Otherwise the 403 page (JSON for API callers) has been written: the session,
    /// the refresh token and the provider's session are left alone.
    /// </summary>
    public static async Task<bool> AllowsAsync(HttpContext context, GatewayPaths paths, ILogger logger)
    {
        var request = context.Request;
        switch (Classify(request, out var evidence))
        {
            case Verdict.SameOrigin:
                return true;
            case Verdict.OtherOrigin:
                logger.SignOutFromOtherOriginRefused(evidence, LogValue.Sanitize(PublicOrigin(request), 200));
                await RefuseAsync(context, paths, "cross_site_sign_out",
                    "This sign-out request came from another site, so it was ignored and you are still signed in. To sign out, use this site's own sign-out page.");
                return false;
        }

        if (request.HasFormContentType)
        {
            // A malformed form is a 400 (ErrorPages), not a failed token check.
            await request.ReadFormAsync(context.RequestAborted);
        }

        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        bool valid;
        try
        {
            valid = await antiforgery.IsRequestValidAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            valid = false;
        }

        if (valid)
        {
            return true;
        }

        logger.SignOutWithoutProofRefused();
        await RefuseAsync(context, paths, "sign_out_not_confirmed",
            "This sign-out request could not be confirmed as coming from this site, so it was ignored and you are still signed in. To sign out, use this site's own sign-out page.");
        return false;
    }

    private static Task RefuseAsync(HttpContext context, GatewayPaths paths, string code, string message)
    {
        Observability.AuditTrail.Of(context).Forbidden(context, null, "sign-out request refused (" + code + ")");
        return ErrorResponses.WriteAsync(context, StatusCodes.Status403Forbidden, code, "You are still signed in", message,
            RequestKind.IsApiRequest(context.Request) ? null : paths.SignOut, "Go to the sign-out page");
    }

    private static bool IsPublicOrigin(string origin, HttpRequest request)
    {
        // An Origin is scheme://host[:port] and nothing else; Uri drops default ports and lower-cases the host on both sides.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var claimed) || claimed.AbsolutePath != "/" || claimed.Query.Length > 0 ||
            claimed.UserInfo.Length > 0 || origin.EndsWith('/') || !Uri.TryCreate(PublicOrigin(request), UriKind.Absolute, out var own))
        {
            return false;
        }

        return string.Equals(claimed.GetLeftPart(UriPartial.Authority), own.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }
}
