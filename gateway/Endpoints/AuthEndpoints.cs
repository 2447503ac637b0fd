using System.Security.Claims;
using Gateway.Authentication;
using Gateway.Authorization;
using Gateway.Configuration;
using Gateway.Errors;
using Gateway.IdentityProvider;
using Gateway.Paths;
using Gateway.Proxy;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Endpoints;

/// <summary>The gateway's own endpoints under the base path (oauth2-proxy names): sign_in, sign_out (and signed_out), userinfo, auth, resume.</summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapGatewayAuthEndpoints(this IEndpointRouteBuilder endpoints, GatewayPaths paths)
    {
        endpoints.MapGet(paths.SignIn, SignInAsync).AllowAnonymous();
        // A GET only asks "Sign out?" (links, <img>, prefetches); the POST signs out when it comes from this site.
        endpoints.MapGet(paths.SignOut, SignOutPages.ConfirmAsync).AllowAnonymous();
        endpoints.MapPost(paths.SignOut, SignOutAsync).AllowAnonymous();
        endpoints.MapGet(paths.SignedOut, SignOutPages.SignedOutAsync).AllowAnonymous();
        endpoints.MapGet(paths.UserInfo, UserInfoAsync).AllowAnonymous();
        endpoints.MapGet(paths.Resume, ResumeEndpoint.ResumeAsync).AllowAnonymous();
        return endpoints;
    }

    private static async Task SignInAsync(
        HttpContext context,
        SignInHints hints,
        ForwardAuth.ForwardAuthRouteMatcher routes,
        GatewayPaths paths,
        CrossHostSettings crossHost,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(AuthEndpoints));
        if (!ReturnUrl.TryGetAllowed(context.Request.Query["rd"], crossHost.For(context).RedirectHosts, out var returnUrl))
        {
            logger.ReturnUrlRejected("sign_in");
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_return_url", "That link is not allowed",
                "The sign-in link asked to return to another site. Only pages of this site can be returned to.", "/", "Go to the home page");
            return;
        }

        var properties = new AuthenticationProperties { RedirectUri = returnUrl };
        if (ReadHints(context, hints, properties) is { } rejected)
        {
            // The parameter's name only: a login_hint is usually an email address.
            logger.SignInHintRejected(rejected.Parameter);
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, rejected.Code, "That sign-in link is not allowed",
                rejected.Message, paths.SignInReturningTo(returnUrl), "Sign in normally");
            return;
        }

        // No explicit provider: the route rd points to may name one (Gateway.IdentityProvider / Gateway.IdpIdentifier).
        if (!properties.Parameters.ContainsKey(SignInHints.IdentityProvider) && PathOf(returnUrl, context.Request.Host) is var (path, host) &&
            routes.Match(path, HttpMethods.Get, host) is { } route)
        {
            SignInHints.FromRoute(ForwardAuth.ForwardAuthRouteMatcher.SettingsOf(route), properties);
        }

        await AppChallenge.ChallengeAsync(context, properties);
    }

    private sealed record RejectedHint(string Parameter, string Code, string Message);

    /// <summary>
    /// <c>identity_provider</c> (only names in Gateway:Cognito:AllowedIdentityProviders), <c>login_hint</c>, <c>lang</c> and
    /// <c>prompt=login</c> into the challenge's parameters; the first bad one is returned. Each may be given once.
    /// </summary>
    private static RejectedHint? ReadHints(HttpContext context, SignInHints hints, AuthenticationProperties properties)
    {
        var query = context.Request.Query;
        foreach (var name in new[] { SignInHints.IdentityProvider, SignInHints.LoginHint, SignInHints.Lang, SignInHints.Prompt })
        {
            if (!query.TryGetValue(name, out var values) || (values.Count == 1 && string.IsNullOrEmpty(values[0])))
            {
                continue;
            }

            var value = values.Count == 1 ? values[0]! : null;
            var accepted = value is not null && name switch
            {
                SignInHints.IdentityProvider => hints.AllowedFor(context, value),
                SignInHints.LoginHint => SignInHintRules.IsLoginHint(value),
                SignInHints.Lang => SignInHintRules.IsLanguage(value),
                _ => value == "login",
            };
            if (!accepted)
            {
                return name switch
                {
                    SignInHints.IdentityProvider => new(name, "unknown_identity_provider",
                        "The sign-in link names an identity provider this site does not offer. Use the site's own sign-in link."),
                    SignInHints.LoginHint => new(name, "invalid_login_hint",
                        $"The sign-in link carries a login_hint that is not a plain user name or email address (at most {SignInHintRules.MaxLoginHintLength} printable characters)."),
                    SignInHints.Lang => new(name, "invalid_lang", "The sign-in link asks for a language that is not a language tag such as 'en' or 'pt-BR'."),
                    _ => new(name, "invalid_prompt", "The sign-in link carries a prompt other than 'login', the only one this site passes on."),
                };
            }

            properties.SetParameter(name, value);
        }

        return null;
    }

    /// <summary>The path and host a return URL (local, or absolute to an allowed host) points to.</summary>
    private static (PathString Path, HostString Host)? PathOf(string returnUrl, HostString requestHost)
    {
        if (Uri.TryCreate(returnUrl, UriKind.Absolute, out var absolute) && ReturnUrl.IsAbsolute(returnUrl))
        {
            return (PathString.FromUriComponent(absolute), HostString.FromUriComponent(absolute));
        }

        var end = returnUrl.IndexOfAny(['?', '#']);
        try
        {
            return (PathString.FromUriComponent(end < 0 ? returnUrl : returnUrl[..end]), requestHost);
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    private static async Task SignOutAsync(
        HttpContext context,
        AppProviders providers,
        GatewayPaths paths,
        CrossHostSettings crossHost,
        SignOutReturn signOutReturn,
        Observability.GatewayMetrics metrics,
        ILoggerFactory loggers)
    {
        // The request's app's client revokes its token and builds its logout URL (its SignOutUri).
        if (providers.Of(context) is not { } app)
        {
            await AppChallenge.WriteNoAppAsync(context);
            return;
        }

        var (provider, metadata, tokenClient) = (app.Settings, app.Metadata, app.Tokens);
        var logger = loggers.CreateLogger(typeof(AuthEndpoints));
        if (!await SignOutGuard.AllowsAsync(context, paths, logger))
        {
            return;
        }

        var rdValue = context.Request.Query["rd"].ToString();
        if (context.Request.HasFormContentType && string.IsNullOrEmpty(rdValue))
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            rdValue = form["rd"].ToString();
        }

        if (!ReturnUrl.TryGetAllowed(rdValue, crossHost.For(context).RedirectHosts, out var returnUrl))
        {
            logger.ReturnUrlRejected("sign_out");
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_return_url", "That link is not allowed",
                "The sign-out link asked to go to another site afterwards. Only pages of this site are allowed.", "/", "Go to the home page");
            return;
        }

        AuthenticateResult session;
        try
        {
            session = await context.AuthenticateAsync(GatewaySchemes.Session);
        }
        catch (Sessions.SessionStoreUnavailableException)
        {
            await WriteSignOutFailedAsync(context, paths, logger, subject: null);
            return;
        }

        var subject = session.Principal?.FindFirst("sub")?.Value;
        var refreshToken = session.Properties?.GetTokenValue(TokenNames.RefreshToken);
        var idToken = session.Properties?.GetTokenValue(TokenNames.IdToken);

        var revoked = false;
        if (!string.IsNullOrEmpty(refreshToken))
        {
            try
            {
                revoked = await tokenClient.RevokeAsync(refreshToken, context.RequestAborted);
            }
            catch (Exception ex) when (ex is IdentityProviderUnavailableException or TokenRequestRejectedException)
            {
                logger.RevocationFailed(subject, Observability.FailureCause.Describe(ex));
            }
        }

        try
        {
            await context.SignOutAsync(GatewaySchemes.Session);
        }
        catch (Sessions.SessionStoreUnavailableException)
        {
            // The refresh token is revoked (if the provider answered), but the stored session could not be deleted.
            await WriteSignOutFailedAsync(context, paths, logger, subject);
            return;
        }

        if (session.Succeeded)
        {
            logger.UserSignedOut(subject, revoked);
            metrics.SignedOut();
            Observability.AuditTrail.Of(context).SignedOut(context, subject, revoked);
        }

        var signOutUri = provider.SignOutUri ?? PublicOrigin(context) + "/";
        string? logoutUrl;
        try
        {
            var configuration = await metadata.GetConfigurationAsync(context.RequestAborted);
            logoutUrl = LogoutUrl.Build(provider, configuration, signOutUri, idToken);
        }
        catch (IdentityProviderUnavailableException)
        {
            await ErrorResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "idp_unavailable", "Signed out of this site",
                "Your session here has ended, but the sign-in service could not be reached to end your single sign-on session. Close the browser to be sure, or try signing out again.",
                paths.SignOut, "Sign out again");
            return;
        }

        if (logoutUrl is not null && !string.IsNullOrEmpty(rdValue) && returnUrl != "/")
        {
            // The provider returns only to the registered SignOutUri: the way on from there waits in a cookie.
            if (signOutReturn.ReturnsToSignedOutPage(signOutUri))
            {
                signOutReturn.Keep(context, returnUrl, crossHost.For(context));
            }
            else
            {
                logger.SignOutReturnNotPossible(Observability.LogValue.Sanitize(signOutUri, 200), paths.SignedOut);
            }
        }
        else
        {
            signOutReturn.Forget(context, crossHost.For(context));
        }

        context.Response.Redirect(logoutUrl ?? returnUrl);
    }

    /// <summary>
    /// The session store (Redis) could not be read or could not delete the session: showing "signed out" would be untrue
    /// (the session lives on in the store, and a copy of the cookie would still work), so the browser keeps its cookie and
    /// the user is asked to try again; nothing on the way out was skipped for good.
    /// </summary>
    private static Task WriteSignOutFailedAsync(HttpContext context, GatewayPaths paths, ILogger logger, string? subject)
    {
        logger.SignOutStoreUnavailable(subject);
        return ErrorResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "sign_out_failed", "Could not sign you out",
            "The gateway could not reach its session store to end your session, so you are still signed in. Please try signing out again in a moment.",
            paths.SignOut, "Try signing out again");
    }

    private static async Task UserInfoAsync(HttpContext context, AppProviders providers, GatewayPaths paths)
    {
        var provider = (providers.Of(context) ?? providers.Primary).Settings;
        var session = await context.AuthenticateAsync(GatewaySchemes.Session);
        if (!session.Succeeded || session.Principal is null)
        {
            Observability.AuditTrail.Of(context).Unauthenticated(context, null, "no session at " + paths.UserInfo);
            await GatewayAuthorizationResultHandler.WriteUnauthenticatedAsync(context, paths);
            return;
        }

        var user = session.Principal;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(new UserInfoResponse(
            user.FindFirst("sub")?.Value,
            user.FindFirst("email")?.Value,
            user.FindFirst(provider.UsernameClaim)?.Value,
            user.FindAll(provider.GroupsClaim).Select(c => c.Value).ToArray(),
            session.Properties?.ExpiresUtc,
            user.FindFirst(FederatedIdentity.ProviderClaim)?.Value));
    }

    private static string PublicOrigin(HttpContext context) => context.Request.Scheme + "://" + context.Request.Host.Value;

    private sealed record UserInfoResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("sub")] string? Sub,
        [property: System.Text.Json.Serialization.JsonPropertyName("email")] string? Email,
        [property: System.Text.Json.Serialization.JsonPropertyName("username")] string? Username,
        [property: System.Text.Json.Serialization.JsonPropertyName("groups")] string[] Groups,
        [property: System.Text.Json.Serialization.JsonPropertyName("session_expires_at")] DateTimeOffset? SessionExpiresAt,
        [property: System.Text.Json.Serialization.JsonPropertyName("identity_provider")]
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        string? IdentityProvider);
}
