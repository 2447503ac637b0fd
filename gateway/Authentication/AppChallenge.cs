using Gateway.Errors;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Authentication;

/// <summary>Sign-in for the request's app (<c>Gateway:Apps</c>), or a plain 404 on a host no app serves.</summary>
internal static partial class AppChallenge
{
    /// <summary>Challenges with the request's app's OpenID Connect scheme; without an app for the host, answers 404.</summary>
    public static async Task ChallengeAsync(HttpContext context, AuthenticationProperties properties)
    {
        if (context.RequestServices.GetRequiredService<AppProviders>().Of(context) is not { } app)
        {
            await WriteNoAppAsync(context);
            return;
        }

        await context.ChallengeAsync(app.OidcScheme, properties);
    }

    /// <summary>
    /// The host matches none of <c>Gateway:Apps</c> (and there is no top-level provider to fall back to): nobody can sign
    /// in here. A 404 page instead of a sign-in that no app client would accept.
    /// </summary>
    public static Task WriteNoAppAsync(HttpContext context)
    {
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AppChallenge)).NoAppForHost(
            Observability.LogValue.Sanitize(context.Request.Host.Host, 100));
        return ErrorResponses.WriteAsync(context, StatusCodes.Status404NotFound, "unknown_host", "Nothing is served here",
            "This address is not one of the sites behind this gateway. Check the link, or ask the site's administrator.");
    }

    [LoggerMessage(Observability.LogEventIds.NoAppForHost, LogLevel.Information, "A request for host {Host} needed sign-in, but no app of Gateway:Apps serves that host; answered 404.")]
    private static partial void NoAppForHost(this ILogger logger, string host);
}
