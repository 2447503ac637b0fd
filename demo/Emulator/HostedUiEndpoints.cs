using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Demo.Emulator;

/// <summary>The validated parameters of an authorize request.</summary>
internal sealed record AuthorizeRequest(
    EmulatorClient Client, string RedirectUri, string Scope, string? State, string? Nonce,
    string? CodeChallenge, string? CodeChallengeMethod, string? Prompt)
{
    /// <summary>The fields the login form carries back to <c>POST /login</c>.</summary>
    public IEnumerable<KeyValuePair<string, string>> HiddenFields()
    {
        yield return new("client_id", Client.ClientId);
        yield return new("redirect_uri", RedirectUri);
        yield return new("response_type", "code");
        yield return new("scope", Scope);
        foreach (var (name, value) in new[] { ("state", State), ("nonce", Nonce), ("code_challenge", CodeChallenge), ("code_challenge_method", CodeChallengeMethod) })
        {
            if (value is not null)
            {
                yield return new(name, value);
            }
        }
    }
}

/// <summary>The hosted-UI side: <c>GET /oauth2/authorize</c>, <c>POST /login</c>, <c>GET /logout</c>.</summary>
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

        if (!string.Equals(request.Prompt, "login", StringComparison.Ordinal)
            && state.FindSession(context.Request.Cookies[EmulatorUrls.SessionCookieName]) is { } session
            && users.FindByUsername(session.Username) is { Enabled: true } user)
        {
            logger.SessionReused(users.SubjectOf(user), request.Client.ClientId);
            return RedirectWithCode(request, user, session.AuthTime).ExecuteAsync(context);
        }

        return LoginPage(request, error: null, username: null, StatusCodes.Status200OK).ExecuteAsync(context);
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
        var clientId = query["client_id"].FirstOrDefault();
        var logoutUri = query["logout_uri"].FirstOrDefault();
        var redirectUri = query["redirect_uri"].FirstOrDefault();
        var client = FindClient(clientId);
        if (client is null)
        {
            logger.LogoutRejected("missing or unknown client_id");
            return ErrorPage("invalid_request", "Required String parameter 'client_id' is not present or is not a known app client.").ExecuteAsync(context);
        }

        string target;
        if (logoutUri is not null)
        {
            if (!client.SignOutUrls.Contains(logoutUri, StringComparer.Ordinal))
            {
                logger.LogoutRejected("logout_uri is not an allowed sign-out URL");
                return ErrorPage("redirect_mismatch", "logout_uri does not match an allowed sign-out URL of the app client.").ExecuteAsync(context);
            }

            target = logoutUri;
        }
        else if (redirectUri is not null && query["response_type"].FirstOrDefault() == "code")
        {
            // Cognito's "log out then sign in again" form: /logout?client_id&redirect_uri&response_type=code[&scope&state...].
            if (!client.CallbackUrls.Contains(redirectUri, StringComparer.Ordinal))
            {
                logger.LogoutRejected("redirect_uri is not an allowed callback URL");
                return ErrorPage("redirect_mismatch", "redirect_uri does not match an allowed callback URL of the app client.").ExecuteAsync(context);
            }

            target = EmulatorUrls.AuthorizePath + context.Request.QueryString.Value;
        }
        else
        {
            // This includes id_token_hint/post_logout_redirect_uri: Cognito ignores them and shows an error page.
            logger.LogoutRejected("logout_uri is missing");
            return ErrorPage("invalid_request", "Required String parameter 'logout_uri' is not present. Cognito ignores id_token_hint and post_logout_redirect_uri.").ExecuteAsync(context);
        }

        state.EndSession(context.Request.Cookies[EmulatorUrls.SessionCookieName]);
        context.Response.Cookies.Delete(EmulatorUrls.SessionCookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps });
        state.CountLogout();
        logger.LoggedOut(client.ClientId);
        return Results.Redirect(target).ExecuteAsync(context);
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
        if (redirectUri is null || !client.CallbackUrls.Contains(redirectUri, StringComparer.Ordinal))
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

        request = new AuthorizeRequest(client, redirectUri, string.Join(' ', scopes), state, get("nonce"), challenge, method, get("prompt"));
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

    private static IResult LoginPage(AuthorizeRequest request, string? error, string? username, int statusCode) =>
        Results.Content(
            HostedUiPages.Login(EmulatorUrls.LoginPath, request.HiddenFields(), request.Client.ClientId, error, username),
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
