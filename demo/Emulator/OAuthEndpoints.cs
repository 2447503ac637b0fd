using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Demo.Emulator;

/// <summary>The back-channel endpoints: <c>POST /oauth2/token</c>, <c>POST /oauth2/revoke</c>, <c>/oauth2/userInfo</c>.</summary>
internal sealed class OAuthEndpoints(
    CognitoEmulatorOptions options, EmulatorState state, UserDirectory users, TokenFactory tokens, ILogger<OAuthEndpoints> logger)
{
    public async Task TokenAsync(HttpContext context)
    {
        NoStore(context);
        if (!context.Request.HasFormContentType)
        {
            await Fail(context, null, "invalid_request", "body is not application/x-www-form-urlencoded").ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var grantType = form["grant_type"].FirstOrDefault();
        var authentication = Authenticate(context.Request, form);
        if (authentication.Client is not { } client)
        {
            var error = CognitoClientAuthentication.Error(authentication, revoke: false);
            await Fail(context, grantType, error.Error, error.Description, error.Status).ConfigureAwait(false);
            return;
        }

        var issuer = EmulatorUrls.Issuer(context.Request, options);
        switch (grantType)
        {
            case "authorization_code":
                await AuthorizationCodeGrantAsync(context, form, client, issuer).ConfigureAwait(false);
                break;
            case "refresh_token":
                await RefreshTokenGrantAsync(context, form, client, issuer).ConfigureAwait(false);
                break;
            case null or "":
                await Fail(context, grantType, "invalid_request", "grant_type is missing").ConfigureAwait(false);
                break;
            default:
                await Fail(context, grantType, "unsupported_grant_type", "only authorization_code and refresh_token are supported").ConfigureAwait(false);
                break;
        }
    }

    public async Task RevokeAsync(HttpContext context)
    {
        NoStore(context);
        if (!context.Request.HasFormContentType)
        {
            await Json(context, StatusCodes.Status400BadRequest, Error("invalid_request")).ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var authentication = Authenticate(context.Request, form);
        var token = form["token"].FirstOrDefault();
        if (CognitoRevocation.Check(authentication, token) is { } error)
        {
            logger.TokenRequestRejected("revoke", error.Error, error.Description);
            if (error.Status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Basic";
            }

            await Json(context, error.Status, Error(error.Error)).ConfigureAwait(false);
            return;
        }

        var client = authentication.Client!;
        var entry = state.Revoke(token!, client.ClientId);
        if (entry is not null && !string.Equals(entry.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            logger.RefreshTokenRevoked(client.ClientId, "refused, the token belongs to another client");
            await Json(context, StatusCodes.Status400BadRequest, Error("unauthorized_client")).ConfigureAwait(false);
            return;
        }

        logger.RefreshTokenRevoked(client.ClientId, entry is null ? "unknown or already revoked token, nothing to do" : "revoked");
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async Task UserInfoAsync(HttpContext context)
    {
        // Routing is case-insensitive; Cognito's path is not: /oauth2/userinfo must fail.
        if (!string.Equals(context.Request.Path.Value, EmulatorUrls.UserInfoPath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        NoStore(context);
        state.CountUserInfo();
        var header = context.Request.Headers.Authorization.ToString();
        if (!AuthenticationHeaderValue.TryParse(header, out var auth)
            || !string.Equals(auth.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || string.IsNullOrEmpty(auth.Parameter))
        {
            await Unauthorized(context, "no bearer token").ConfigureAwait(false);
            return;
        }

        var jwt = await tokens.ValidateAccessTokenAsync(auth.Parameter, EmulatorUrls.Issuer(context.Request, options)).ConfigureAwait(false);
        if (jwt is null)
        {
            await Unauthorized(context, "access token invalid or expired").ConfigureAwait(false);
            return;
        }

        jwt.TryGetPayloadValue<string>("origin_jti", out var originJti);
        jwt.TryGetPayloadValue<string>("scope", out var scope);
        jwt.TryGetPayloadValue<string>("username", out var username);
        if (state.IsFamilyRevoked(originJti))
        {
            await Unauthorized(context, "access token was revoked").ConfigureAwait(false);
            return;
        }

        if (scope is null || !TokenFactory.ScopeContains(scope, "openid"))
        {
            await Unauthorized(context, "access token lacks the openid scope").ConfigureAwait(false);
            return;
        }

        var user = users.FindByUsername(username);
        if (user is not { Enabled: true })
        {
            await Unauthorized(context, "user unknown or disabled").ConfigureAwait(false);
            return;
        }

        // As Cognito: email_verified is a STRING ("true"/"false"), and there are no groups.
        var body = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["sub"] = users.SubjectOf(user),
            ["email_verified"] = users.PrincipalOf(user).EmailVerified ? "true" : "false",
        };
        foreach (var (name, value) in TokenFactory.CustomAttributes(user))
        {
            body[name] = value;
        }

        body["email"] = user.Email;
        body["username"] = user.Username;
        await Json(context, StatusCodes.Status200OK, body).ConfigureAwait(false);
    }

    private async Task AuthorizationCodeGrantAsync(HttpContext context, IFormCollection form, EmulatorClient client, string issuer)
    {
        const string grant = "authorization_code";
        var code = form["code"].FirstOrDefault();
        var redirectUri = form["redirect_uri"].FirstOrDefault();
        if (string.IsNullOrEmpty(code) || string.IsNullOrEmpty(redirectUri))
        {
            await Fail(context, grant, "invalid_request", "code or redirect_uri is missing").ConfigureAwait(false);
            return;
        }

        var entry = state.RedeemCode(code);
        string? problem = entry switch
        {
            null => "code unknown, already used or expired",
            _ when !string.Equals(entry.ClientId, client.ClientId, StringComparison.Ordinal) => "code was issued to another client",
            _ when !string.Equals(entry.RedirectUri, redirectUri, StringComparison.Ordinal) => "redirect_uri differs from the authorize request",
            _ when entry.CodeChallenge is not null && !PkceMatches(entry.CodeChallenge, form["code_verifier"].FirstOrDefault()) => "PKCE code_verifier does not match",
            _ => null,
        };
        var user = entry is null ? null : users.FindByUsername(entry.Username);
        if (problem is null && user is not { Enabled: true })
        {
            problem = "user unknown or disabled";
        }

        if (problem is not null)
        {
            await Fail(context, grant, "invalid_grant", problem).ConfigureAwait(false);
            return;
        }

        var originJti = Guid.NewGuid().ToString();
        var issued = tokens.Issue(issuer, client, user!, entry!.Scope, entry.AuthTime, originJti, entry.Nonce);
        var refreshToken = state.CreateRefreshToken(client.ClientId, user!.Username, entry.Scope, entry.AuthTime, originJti);
        state.CountGrant(refresh: false);
        logger.TokensIssued(grant, client.ClientId, users.SubjectOf(user));
        await Json(context, StatusCodes.Status200OK, TokenResponse(issued, refreshToken)).ConfigureAwait(false);
    }

    private async Task RefreshTokenGrantAsync(HttpContext context, IFormCollection form, EmulatorClient client, string issuer)
    {
        const string grant = "refresh_token";
        var token = form["refresh_token"].FirstOrDefault();
        if (string.IsNullOrEmpty(token))
        {
            await Fail(context, grant, "invalid_request", "refresh_token is missing").ConfigureAwait(false);
            return;
        }

        var entry = state.FindUsableRefreshToken(token);
        var user = entry is null ? null : users.FindByUsername(entry.Username);
        string? problem = entry switch
        {
            null => "refresh token unknown, revoked, expired or rotated out",
            _ when !string.Equals(entry.ClientId, client.ClientId, StringComparison.Ordinal) => "refresh token was issued to another client",
            _ when user is not { Enabled: true } => "user unknown or disabled",
            _ => null,
        };
        if (problem is not null)
        {
            await Fail(context, grant, "invalid_grant", problem).ConfigureAwait(false);
            return;
        }

        var issued = tokens.Issue(issuer, client, user!, entry!.Scope, entry.AuthTime, entry.OriginJti, nonce: null);
        string? newRefreshToken = null;
        if (client.RefreshTokenRotation)
        {
            state.MarkRotated(entry);
            newRefreshToken = state.CreateRefreshToken(client.ClientId, user!.Username, entry.Scope, entry.AuthTime, entry.OriginJti);
        }

        state.CountGrant(refresh: true);
        logger.TokensIssued(grant, client.ClientId, users.SubjectOf(user!));
        await Json(context, StatusCodes.Status200OK, TokenResponse(issued, newRefreshToken)).ConfigureAwait(false);
    }

    private ClientAuthenticationResult Authenticate(HttpRequest request, IFormCollection form) =>
        CognitoClientAuthentication.Authenticate(request.Headers.Authorization.FirstOrDefault(), key => form[key].FirstOrDefault(), options.Clients);

    private static bool PkceMatches(string challenge, string? verifier)
    {
        if (verifier is not { Length: >= 43 and <= 128 })
        {
            return false;
        }

        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    private Dictionary<string, object?> TokenResponse(IssuedTokens issued, string? refreshToken)
    {
        var body = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (issued.IdToken is not null)
        {
            body["id_token"] = issued.IdToken;
        }

        body["access_token"] = issued.AccessToken;
        if (refreshToken is not null)
        {
            body["refresh_token"] = refreshToken;
        }

        body["expires_in"] = (long)options.AccessTokenLifetime.TotalSeconds;
        body["token_type"] = "Bearer";
        return body;
    }

    private Task Fail(HttpContext context, string? grantType, string error, string reason, int status = StatusCodes.Status400BadRequest)
    {
        state.CountFailedTokenRequest();
        logger.TokenRequestRejected(grantType, error, reason);
        return Json(context, status, Error(error));
    }

    private Task Unauthorized(HttpContext context, string reason)
    {
        logger.UserInfoRejected(reason);
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return Json(context, StatusCodes.Status401Unauthorized, new Dictionary<string, object?>
        {
            ["error"] = "invalid_token",
            ["error_description"] = "Access token is invalid, expired or revoked",
        });
    }

    private static Dictionary<string, object?> Error(string error) => new() { ["error"] = error };

    private static Task Json(HttpContext context, int statusCode, Dictionary<string, object?> body)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(body, context.RequestAborted);
    }

    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }
}
