using Gateway.Configuration;
using Gateway.Errors;
using Gateway.IdentityProvider;
using Gateway.Ingress;
using Gateway.Paths;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Authentication;

/// <summary>
/// The gateway's hooks into ASP.NET Core's OpenID Connect handler: code redemption with our own
/// client authentication, strict ID-token checks the handler leaves out for the code flow
/// (signed with a published key, <c>token_use</c> = id for Cognito), a small session ticket, and
/// readable error pages for every failed callback.
/// </summary>
internal sealed class GatewayOpenIdConnectEvents(
    AppProviders providers,
    IOptions<GatewayOptions> gatewayOptions,
    GatewayPaths paths,
    Sessions.SessionSizeGuard sizeGuard,
    TimeProvider time,
    Observability.GatewayMetrics metrics,
    GatewayCookieFilter cookieFilter,
    Sessions.AccessTokenRetention accessTokenRetention,
    SignInHints signInHints,
    CrossHostSettings crossHost,
    ILogger<GatewayOpenIdConnectEvents> logger) : OpenIdConnectEvents
{
    /// <summary>The app whose OpenID Connect scheme runs this sign-in (each app has its own; see AppProviders).</summary>
    private AppProvider ProviderOf<TOptions>(BaseContext<TOptions> context)
        where TOptions : AuthenticationSchemeOptions => providers.ByScheme(context.Scheme.Name) ?? providers.Primary;

    private static readonly HashSet<string> CognitoAlgorithms = new(StringComparer.Ordinal) { SecurityAlgorithms.RsaSha256 };

    public override async Task RedirectToIdentityProvider(RedirectContext context)
    {
        // This sign-in's cookies are already in the response; drop the oldest pending ones beyond the cap.
        PendingSignIns.MakeRoom(context.HttpContext, context.Options);

        var redirectUri = context.ProtocolMessage.RedirectUri;
        if (Uri.TryCreate(redirectUri, UriKind.Absolute, out var callback) && !UriRules.IsSecureOrLoopback(callback))
        {
            // Cognito only accepts https callback URLs (except localhost): sending this would loop or fail at the IdP.
            logger.InsecureSignInRefused(Observability.LogValue.Sanitize(redirectUri, 200));
            await ErrorResponses.WriteAsync(
                context.HttpContext,
                StatusCodes.Status400BadRequest,
                "https_required",
                "Sign-in needs HTTPS",
                "This gateway was reached over plain HTTP, so it cannot build a secure sign-in link. If a load balancer terminates TLS in front of it, the operator must set Gateway:PublicOrigin or Gateway:TrustedProxies.");
            context.HandleResponse();
            return;
        }

        // identity_provider / idp_identifier, login_hint, lang, prompt for the hosted UI.
        signInHints.Apply(context);
        await base.RedirectToIdentityProvider(context);
    }

    public override Task MessageReceived(MessageReceivedContext context)
    {
        // The callback's error, error_description and error_uri are whatever the link that brought the browser here says.
        // ASP.NET Core's handler logs them verbatim (category OpenIdConnectHandler, event 12 "ResponseError": "Message contains
        // error: …") and quotes them in the failure it raises: escape and bound them before it reads them.
        var message = context.ProtocolMessage;
        if (!string.IsNullOrEmpty(message.Error))
        {
            message.Error = Observability.LogValue.Sanitize(message.Error, 64);
        }

        if (!string.IsNullOrEmpty(message.ErrorDescription))
        {
            message.ErrorDescription = Observability.LogValue.Sanitize(message.ErrorDescription, 200);
        }

        if (!string.IsNullOrEmpty(message.ErrorUri))
        {
            message.ErrorUri = Observability.LogValue.Sanitize(message.ErrorUri, 200);
        }

        return base.MessageReceived(context);
    }

    public override async Task AuthorizationCodeReceived(AuthorizationCodeReceivedContext context)
    {
        var code = context.ProtocolMessage.Code ?? string.Empty;
        var redirectUri = context.TokenEndpointRequest?.RedirectUri ?? string.Empty;
        var verifier = context.TokenEndpointRequest?.Parameters.TryGetValue(OAuthConstants.CodeVerifierKey, out var v) == true ? v : null;
        try
        {
            var response = await ProviderOf(context).Tokens.RedeemCodeAsync(code, redirectUri, verifier, context.HttpContext.RequestAborted);
            context.HandleCodeRedemption(response);
        }
        catch (Exception ex) when (ex is TokenRequestRejectedException or IdentityProviderUnavailableException)
        {
            context.Fail(ex);
        }
    }

    public override async Task TokenResponseReceived(TokenResponseReceivedContext context)
    {
        var idToken = context.TokenEndpointResponse.IdToken;
        if (string.IsNullOrEmpty(idToken))
        {
            context.Fail(new SecurityTokenException("The token endpoint returned no ID token."));
            return;
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(idToken);
        }
        catch (ArgumentException)
        {
            context.Fail(new SecurityTokenMalformedException("The ID token is not a JWT."));
            return;
        }

        // ASP.NET Core skips the signature requirement for code-flow ID tokens; we do not.
        var configuration = await ProviderOf(context).Metadata.GetConfigurationAsync(context.HttpContext.RequestAborted);
        var allowed = ProviderOf(context).Settings.Dialect == ProviderDialect.Cognito || configuration.IdTokenSigningAlgValuesSupported.Count == 0
            ? CognitoAlgorithms
            : new HashSet<string>(configuration.IdTokenSigningAlgValuesSupported, StringComparer.Ordinal);
        if (string.IsNullOrEmpty(jwt.Alg) || string.Equals(jwt.Alg, "none", StringComparison.OrdinalIgnoreCase) || !allowed.Contains(jwt.Alg) || !jwt.IsSigned)
        {
            context.Fail(new SecurityTokenInvalidAlgorithmException($"The ID token is not signed with an accepted algorithm ({jwt.Alg})."));
            return;
        }

        if (!await ProviderOf(context).Metadata.EnsureSigningKeyAsync(jwt.Kid, context.HttpContext.RequestAborted))
        {
            context.Fail(new SecurityTokenSignatureKeyNotFoundException("The ID token names a signing key the provider does not publish."));
        }
    }

    public override Task TokenValidated(TokenValidatedContext context)
    {
        // The handler only checks the nonce when it redeems the code itself; we redeem it, so check here:
        // the ID token's nonce must match the nonce cookie of this browser's sign-in (context.Nonce).
        var nonce = context.Principal?.FindFirst("nonce")?.Value;
        if (string.IsNullOrEmpty(nonce) || string.IsNullOrEmpty(context.Nonce) || !string.Equals(nonce, context.Nonce, StringComparison.Ordinal))
        {
            context.Fail(new OpenIdConnectProtocolInvalidNonceException("The ID token's nonce is missing or does not match this sign-in."));
            return Task.CompletedTask;
        }

        if (ProviderOf(context).Settings.Dialect == ProviderDialect.Cognito &&
            !string.Equals(context.Principal?.FindFirst("token_use")?.Value, "id", StringComparison.Ordinal))
        {
            context.Fail(new SecurityTokenValidationException("The token is not a Cognito ID token (token_use must be 'id')."));
            return Task.CompletedTask;
        }

        // The handler's protocol validator (sub, iat) is skipped as well when we redeem the code.
        if (IdTokenClaimRules.Problem(context.Principal?.Identity as System.Security.Claims.ClaimsIdentity, time.GetUtcNow()) is { } problem)
        {
            context.Fail(new SecurityTokenValidationException(problem));
        }

        return Task.CompletedTask;
    }

    public override async Task TicketReceived(TicketReceivedContext context)
    {
        // Wherever the sign-in started (a protected path, /oauth2/sign_in?rd=), land only on a local path or an allowed host.
        context.ReturnUri = ReturnUrl.TryGetAllowed(context.ReturnUri, crossHost.For(context.HttpContext).RedirectHosts, out var returnUrl) ? returnUrl : "/";

        // Session fixation: the cookie handler reuses a session handle found in the request cookie when it signs in
        // (Redis store). A handle planted in this browser must never receive the new session: hide the gateway's
        // cookies from the sign-in so a fresh handle is always created.
        var request = context.HttpContext.Request;
        if (request.Headers.Cookie.Count > 0)
        {
            var filtered = cookieFilter.Filter(request.Headers.Cookie, out var changed);
            if (changed)
            {
                request.Headers.Cookie = filtered ?? Microsoft.Extensions.Primitives.StringValues.Empty;
            }
        }

        // Keep the session small (the cookie carries it): the refresh token (refresh, revocation), the access token only
        // while some route forwards it, the ID token only where logout needs it (Oidc) or some route forwards it. Expiry
        // lives in our own items.
        var properties = context.Properties!;
        var keepAccessToken = accessTokenRetention.KeepInSession();
        var keepIdToken = ProviderOf(context).Settings.Dialect == ProviderDialect.Oidc || accessTokenRetention.KeepIdTokenInSession();
        if (DateTimeOffset.TryParse(properties.GetTokenValue(Sessions.SessionCookieEvents.ExpiresAtToken), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.RoundtripKind, out var accessExpires))
        {
            Sessions.SessionCookieEvents.SetInstant(properties, Sessions.SessionCookieEvents.AccessExpiryItem, accessExpires);
            Sessions.SessionCookieEvents.SetInstant(properties, Sessions.SessionCookieEvents.AccessIssuedItem, time.GetUtcNow());
        }

        var keep = new List<AuthenticationToken>();
        foreach (var token in properties.GetTokens())
        {
            if (token.Name == TokenNames.RefreshToken ||
                (token.Name == TokenNames.AccessToken && keepAccessToken) ||
                (token.Name == TokenNames.IdToken && keepIdToken))
            {
                keep.Add(token);
            }
        }

        properties.StoreTokens(keep);

        // Every claim carries the token issuer's URL, which the ticket serializer writes out per claim:
        // with many groups that alone costs kilobytes of cookie. The issuer is checked at sign-in; drop it.
        // Federated users get their identity_provider claim here (and at every refresh) instead of the identities array.
        if (context.Principal is { } principal)
        {
            context.Principal = SessionPrincipal.Compact(principal, ProviderOf(context).Settings);
        }

        // The absolute lifetime counts from when the user authenticated at the provider (auth_time).
        var now = time.GetUtcNow();
        var authTime = long.TryParse(context.Principal?.FindFirst("auth_time")?.Value, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : now;
        if (authTime > now)
        {
            authTime = now;
        }

        Sessions.SessionCookieEvents.SetInstant(properties, Sessions.SessionCookieEvents.AbsoluteExpiryItem, authTime + gatewayOptions.Value.Session.Lifetime);

        var subject = context.Principal?.FindFirst("sub")?.Value;
        if (sizeGuard.TooLarge(new AuthenticationTicket(context.Principal!, properties, GatewaySchemes.Session)) is { } size)
        {
            logger.SessionTooLarge(subject, size, gatewayOptions.Value.Session.MaxCookieBytes);
            metrics.SignInFailed("session_too_large");
            Observability.AuditTrail.Of(context.HttpContext).SignInFailed(context.HttpContext, "session_too_large: the session would not fit in a cookie");
            await ErrorResponses.WriteAsync(
                context.HttpContext,
                StatusCodes.Status400BadRequest,
                "session_too_large",
                "Your session is too large for a cookie",
                "Your account carries more information (groups, attributes) than fits in this site's session cookie, so no session was created. The site's administrator can fix this by switching Gateway:Session:Store to Redis.");
            context.HandleResponse();
            return;
        }

        logger.UserSignedIn(subject);
        metrics.SignedIn();
        Observability.AuditTrail.Of(context.HttpContext).SignedIn(context.HttpContext, subject);
    }

    public override Task RemoteSignOut(RemoteSignOutContext context)
    {
        // Front-channel logout requests are not part of Cognito's protocol, and without sid/iss checks any site could
        // sign users out through it. Sign-out goes through /oauth2/sign_out only.
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.HandleResponse();
        return Task.CompletedTask;
    }

    public override Task SignedOutCallbackRedirect(RemoteSignOutContext context)
    {
        // The gateway never signs out through this handler (sign-out builds the provider's logout URL itself), so nothing
        // that arrives here carries state to act on: the path is the "You are signed out" page, which must be reached.
        context.SkipHandler();
        return Task.CompletedTask;
    }

    public override async Task AccessDenied(AccessDeniedContext context)
    {
        logger.SignInFailed("access_denied", "the identity provider reported that the user cancelled or was refused");
        metrics.SignInFailed("access_denied");
        Observability.AuditTrail.Of(context.HttpContext).SignInFailed(context.HttpContext, "access_denied: the identity provider reported that the user cancelled or was refused");
        await ErrorResponses.WriteAsync(
            context.HttpContext,
            StatusCodes.Status403Forbidden,
            "access_denied",
            "Sign-in was not completed",
            "The sign-in service reported that access was denied or the sign-in was cancelled.",
            RetryUrl(context.HttpContext, context.ReturnUrl));
        context.HandleResponse();
    }

    public override async Task RemoteFailure(RemoteFailureContext context)
    {
        var (status, code, title, message) = Classify(context.Failure, context.HttpContext.Request.Query["error"].ToString());
        // The failure message may quote the callback's error_description (already escaped in MessageReceived, but a failure
        // raised before that, or by another path, may not be): escaped and bounded again.
        var detail = Observability.LogValue.Sanitize(context.Failure?.GetType().Name + ": " + context.Failure?.Message, 300);
        logger.SignInFailed(code, detail);
        metrics.SignInFailed(code);
        Observability.AuditTrail.Of(context.HttpContext).SignInFailed(context.HttpContext, code + ": " + detail);
        await ErrorResponses.WriteAsync(context.HttpContext, status, code, title, message, RetryUrl(context.HttpContext, context.Properties?.RedirectUri));
        context.HandleResponse();
    }

    private string RetryUrl(HttpContext context, string? returnUrl) =>
        ReturnUrl.TryGetAllowed(returnUrl, crossHost.For(context).RedirectHosts, out var allowed) && allowed != "/"
            ? paths.SignInReturningTo(allowed)
            : paths.SignIn;

    private static (int Status, string Code, string Title, string Message) Classify(Exception? failure, string oauthError)
    {
        if (!string.IsNullOrEmpty(oauthError))
        {
            // Only standard error codes are shown and counted as themselves: the query string is the sender's to choose.
            return Observability.SignInFailureReasons.IsProviderError(oauthError)
                ? (400, oauthError, "Sign-in failed", $"The sign-in service answered with an error ({oauthError}). Please try again; if it keeps happening, contact the site's administrator.")
                : (400, "provider_error", "Sign-in failed", "The sign-in service answered with an error this site does not recognise. Please try again; if it keeps happening, contact the site's administrator.");
        }

        return failure switch
        {
            IdentityProviderUnavailableException => (502, "idp_unavailable", "The sign-in service is not answering",
                "We could not reach the sign-in service to finish signing you in. Please try again in a moment."),
            TokenRequestRejectedException => (400, "code_rejected", "This sign-in link has expired",
                "The sign-in code was already used or has expired. Please sign in again."),
            SecurityTokenException or OpenIdConnectProtocolException => (401, "invalid_token", "Sign-in could not be verified",
                "The sign-in response could not be verified, so no session was created. Please sign in again."),
            _ => (400, "invalid_callback", "This sign-in attempt is no longer valid",
                "The sign-in response did not match a sign-in started in this browser (it may have been opened twice, in another browser, or too late). Please sign in again."),
        };
    }
}
