using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Demo.Emulator;

/// <summary>The validated parameters of an authorize request.</summary>
internal sealed record AuthorizeRequest(
    EmulatorClient Client, string RedirectUri, string Scope, string? State, string? Nonce,
    string? CodeChallenge, string? CodeChallengeMethod, string? Prompt)
{
    /// <summary>The provider <c>identity_provider</c>/<c>idp_identifier</c> chose; null for the pool's own sign-in form.</summary>
    public EmulatorIdentityProvider? Provider { get; init; }

    /// <summary><c>login_hint</c>: prefills the username field.</summary>
    public string? LoginHint { get; init; }

    /// <summary><c>lang</c> (managed login's page language); only the page's <c>lang</c> attribute changes here.</summary>
    public string? Lang { get; init; }

    /// <summary>The fields the login form carries back to <c>POST /login</c>.</summary>
    public IEnumerable<KeyValuePair<string, string>> HiddenFields()
    {
        yield return new("client_id", Client.ClientId);
        yield return new("redirect_uri", RedirectUri);
        yield return new("response_type", "code");
        yield return new("scope", Scope);
        foreach (var (name, value) in new[] { ("state", State), ("nonce", Nonce), ("code_challenge", CodeChallenge), ("code_challenge_method", CodeChallengeMethod), ("lang", Lang) })
        {
            if (value is not null)
            {
                yield return new(name, value);
            }
        }
    }
}

/// <summary>
/// The hosted-UI side: <c>GET /oauth2/authorize</c>, <c>POST /login</c>, <c>GET /logout</c>, and the fake upstream IdP's
/// answer <c>POST /oauth2/idpresponse</c> for federated sign-ins.
/// </summary>
internal sealed class HostedUiEndpoints(
    CognitoEmulatorOptions options, EmulatorState state, UserDirectory users, TimeProvider time, ILogger<HostedUiEndpoints> logger)
{
    private const string IncorrectCredentials = "Incorrect username or password.";

    public Task AuthorizeAsync(HttpContext context)
    {
        state.CountAuthorize();
        var query = context.Request.Query;
        if (!TryValidate(key => query[key].FirstOrDefault(), out var request, out var failure))
        {
            return failure.ExecuteAsync(context);
        }

        // prompt=login forces a fresh sign-in; a session of another provider's user does not satisfy identity_provider.
        if (!string.Equals(request.Prompt, "login", StringComparison.Ordinal)
            && state.FindSession(context.Request.Cookies[EmulatorUrls.SessionCookieName]) is { } session
            && users.FindByUsername(session.Username) is { Enabled: true } user
            && (request.Provider is null || string.Equals(user.IdentityProvider, request.Provider.ProviderName, StringComparison.Ordinal)))
        {
            logger.SessionReused(users.SubjectOf(user), request.Client.ClientId);
            return RedirectWithCode(request, user, session.AuthTime).ExecuteAsync(context);
        }

        if (request.Provider is { } provider)
        {
            return Results.Content(
                HostedUiPages.FederatedSignIn(EmulatorUrls.IdpResponsePath, request.HiddenFields(), provider, users.UsersOf(provider), request.Lang),
                "text/html; charset=utf-8").ExecuteAsync(context);
        }

        return LoginPage(request, error: null, username: request.LoginHint, StatusCodes.Status200OK).ExecuteAsync(context);
    }

    /// <summary>
    /// The fake upstream IdP's answer: its page posts the chosen user of that provider here, and the sign-in completes
    /// as with Cognito's <c>/oauth2/idpresponse</c> (hosted-UI session, then a code to the app's callback).
    /// </summary>
    public async Task IdpResponseAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await ErrorPage("invalid_request", "The identity provider's answer was not posted.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!TryValidate(key => form[key].FirstOrDefault(), out var request, out var failure))
        {
            await failure.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var provider = users.FindProvider(form["provider"].FirstOrDefault());
        var user = provider is null
            ? null
            : users.UsersOf(provider).FirstOrDefault(u => string.Equals(u.Username, form["username"].FirstOrDefault(), StringComparison.Ordinal));
        state.CountLogin(user is not null);
        if (user is null)
        {
            logger.SignInFailed(request.Client.ClientId);
            await ErrorPage("invalid_request", "Unknown identity provider or user.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await CompleteSignIn(context, request, user).ConfigureAwait(false);
    }

    public async Task LoginAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await ErrorPage("invalid_request", "The sign-in form was not posted.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!TryValidate(key => form[key].FirstOrDefault(), out var request, out var failure))
        {
            await failure.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var username = form["username"].FirstOrDefault();
        var user = users.Authenticate(username, form["password"].FirstOrDefault());
        state.CountLogin(user is not null);
        if (user is null)
        {
            logger.SignInFailed(request.Client.ClientId);
            await LoginPage(request, IncorrectCredentials, username, StatusCodes.Status200OK).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await CompleteSignIn(context, request, user).ConfigureAwait(false);
    }

    private async Task CompleteSignIn(HttpContext context, AuthorizeRequest request, EmulatorUser user)
    {
        var authTime = time.GetUtcNow();
        var sessionId = state.CreateSession(user.Username, authTime);
        context.Response.Cookies.Append(EmulatorUrls.SessionCookieName, sessionId, new CookieOptions
        {
            HttpOnly = true,
            Path = "/",
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            MaxAge = options.HostedUiSessionLifetime,
        });
        logger.SignInSucceeded(users.SubjectOf(user), request.Client.ClientId);
        await RedirectWithCode(request, user, authTime).ExecuteAsync(context).ConfigureAwait(false);
    }

    public Task LogoutAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var decision = CognitoLogout.Evaluate(key => query[key].FirstOrDefault(), context.Request.QueryString.Value, EmulatorUrls.AuthorizePath, options.Clients);
        if (decision.Error is { } error)
        {
            logger.LogoutRejected(error.Description);
            return ErrorPage(error.Error, error.Description).ExecuteAsync(context);
        }

        state.EndSession(context.Request.Cookies[EmulatorUrls.SessionCookieName]);
        context.Response.Cookies.Delete(EmulatorUrls.SessionCookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps });
        state.CountLogout();
        logger.LoggedOut(decision.Client!.ClientId);
        return Results.Redirect(decision.RedirectTo!).ExecuteAsync(context);
    }

    /// <summary>
    /// Validates authorize parameters as Cognito does: problems with the client, the redirect URI or the response type
    /// get an error page (never a redirect); other problems redirect back with <c>error=</c>.
    /// </summary>
    private bool TryValidate(Func<string, string?> get, out AuthorizeRequest request, out IResult failure)
    {
        request = null!;
        failure = null!;
        var clientId = get("client_id");
        var client = FindClient(clientId);
        if (client is null)
        {
            logger.AuthorizeRejected("invalid_client", clientId);
            failure = ErrorPage("invalid_request", "Invalid or missing client_id.");
            return false;
        }

        var redirectUri = get("redirect_uri");
        if (redirectUri is null || !client.CallbackUrls.Contains(redirectUri, StringComparer.Ordinal) ||
            CognitoLimits.CheckRedirectUrl(redirectUri, options.AllowHttpLocalhostSubdomains) is not null)
        {
            logger.AuthorizeRejected("redirect_mismatch", clientId);
            failure = ErrorPage("redirect_mismatch", "redirect_uri does not match an allowed callback URL of the app client.");
            return false;
        }

        var responseType = get("response_type");
        if (!string.Equals(responseType, "code", StringComparison.Ordinal))
        {
            logger.AuthorizeRejected("unsupported_response_type", clientId);
            failure = ErrorPage("unsupported_response_type", "Only response_type=code is supported by this emulator.");
            return false;
        }

        var state = get("state");
        var requested = get("scope");
        var scopes = string.IsNullOrWhiteSpace(requested)
            ? client.AllowedScopes
            : requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (scopes.Any(s => !client.AllowedScopes.Contains(s, StringComparer.Ordinal)))
        {
            logger.AuthorizeRejected("invalid_scope", clientId);
            failure = ErrorRedirect(redirectUri, "invalid_scope", state);
            return false;
        }

        var challenge = get("code_challenge");
        var method = get("code_challenge_method");
        if ((challenge is not null || method is not null) && !(challenge is { Length: > 0 } && method == "S256"))
        {
            logger.AuthorizeRejected("invalid_request", clientId);
            failure = ErrorRedirect(redirectUri, "invalid_request", state, "code_challenge_method must be S256 and come with a code_challenge");
            return false;
        }

        // identity_provider=COGNITO is the pool's own form; any other name must be a federated provider of the pool.
        EmulatorIdentityProvider? provider = null;
        var providerName = get("identity_provider");
        var idpIdentifier = get("idp_identifier");
        if (!string.IsNullOrEmpty(providerName) && !string.Equals(providerName, "COGNITO", StringComparison.Ordinal))
        {
            provider = users.FindProvider(providerName);
            if (provider is null)
            {
                logger.AuthorizeRejected("unknown identity_provider", clientId);
                failure = ErrorPage("invalid_request", "The identity_provider is not configured for this user pool.");
                return false;
            }
        }
        else if (string.IsNullOrEmpty(providerName) && !string.IsNullOrEmpty(idpIdentifier))
        {
            provider = users.FindProviderByIdentifier(idpIdentifier);
            if (provider is null)
            {
                logger.AuthorizeRejected("unknown idp_identifier", clientId);
                failure = ErrorPage("invalid_request", "No identity provider of this user pool has that idp_identifier.");
                return false;
            }
        }

        var lang = get("lang");
        request = new AuthorizeRequest(client, redirectUri, string.Join(' ', scopes), state, get("nonce"), challenge, method, get("prompt"))
        {
            Provider = provider,
            LoginHint = get("login_hint") is { Length: > 0 and <= 256 } hint ? hint : null,
            Lang = lang is { Length: >= 2 and <= 10 } && lang.All(c => char.IsAsciiLetter(c) || c == '-') ? lang : null,
        };
        return true;
    }

    private IResult RedirectWithCode(AuthorizeRequest request, EmulatorUser user, DateTimeOffset authTime)
    {
        var code = state.CreateCode(new AuthorizationCodeEntry(
            request.Client.ClientId, request.RedirectUri, request.Scope, request.Nonce, request.CodeChallenge,
            user.Username, authTime, time.GetUtcNow() + options.AuthorizationCodeLifetime));
        var parameters = new Dictionary<string, string?> { ["code"] = code };
        if (request.State is not null)
        {
            parameters["state"] = request.State;
        }

        return Results.Redirect(QueryHelpers.AddQueryString(request.RedirectUri, parameters));
    }

    private EmulatorClient? FindClient(string? clientId) =>
        string.IsNullOrEmpty(clientId) ? null : options.Clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));

    /// <summary>
    /// The pool's sign-in form, with a link per federated provider as Cognito's hosted UI shows them ("Continue with
    /// Google"): the same authorize request plus <c>identity_provider=NAME</c>.
    /// </summary>
    private IResult LoginPage(AuthorizeRequest request, string? error, string? username, int statusCode) =>
        Results.Content(
            HostedUiPages.Login(EmulatorUrls.LoginPath, request.HiddenFields(), request.Client.ClientId, error, username, request.Lang,
                options.IdentityProviders.Select(p => new KeyValuePair<string, string>(
                    p.ProviderName,
                    QueryHelpers.AddQueryString(EmulatorUrls.AuthorizePath,
                        request.HiddenFields().Append(new("identity_provider", p.ProviderName)).Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)))))
                .ToList()),
            "text/html; charset=utf-8", statusCode: statusCode);

    private static IResult ErrorPage(string code, string description) =>
        Results.Content(HostedUiPages.Error(code, description), "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static IResult ErrorRedirect(string redirectUri, string error, string? state, string? description = null)
    {
        var parameters = new Dictionary<string, string?> { ["error"] = error };
        if (description is not null)
        {
            parameters["error_description"] = description;
        }

        if (state is not null)
        {
            parameters["state"] = state;
        }

        return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, parameters));
    }
}
