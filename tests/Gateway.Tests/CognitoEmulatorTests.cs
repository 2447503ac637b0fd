using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Demo.Emulator;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

/// <summary>
/// The demo's Cognito emulator (the one set of Cognito rules FakeCognito shares) behaves like Cognito where a kinder
/// stand-in would hide gateway bugs: each rule a test, asserting the status and the error a client sees.
/// </summary>
public sealed partial class CognitoEmulatorTests : IAsyncLifetime
{
    private const string PoolId = "eu-west-1_EmuTest01";
    private const string App = "http://localhost:1";
    private const string Callback = App + "/oauth2/callback";
    private const string ClientId = "emulator-tests-client";
    private const string Secret = "s3cr3t+value/with=chars";
    private const string NoRevokeClientId = "no-revocation-client";
    private const string Password = "Passw0rd!";
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-plus-some-more-entropy";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _http;
    private WebApplication _emulator = null!;
    private string _origin = "";

    public CognitoEmulatorTests() =>
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = _cookies, UseCookies = true });

    public async Task InitializeAsync() => await StartAsync(Options());

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.StopAsync();
        await _emulator.DisposeAsync();
    }

    private static CognitoEmulatorOptions Options() => new()
    {
        UserPoolId = PoolId,
        Clients =
        [
            new EmulatorClient { ClientId = ClientId, ClientSecret = Secret, CallbackUrls = [Callback], SignOutUrls = [App + "/"], RefreshTokenRotation = true },
            new EmulatorClient { ClientId = NoRevokeClientId, CallbackUrls = [Callback], SignOutUrls = [App + "/"], EnableTokenRevocation = false },
        ],
        Users =
        [
            new EmulatorUser { Username = "alice", Email = "alice@example.com", Password = Password, Groups = ["admins"] },
            new EmulatorUser { IdentityProvider = "Google", ProviderUserId = "104892735619238476512", Email = "carol@gmail.example", Groups = ["staff"] },
            new EmulatorUser { IdentityProvider = "CorpSAML", ProviderUserId = "jdoe", Email = "jdoe@corp.example" },
        ],
        IdentityProviders =
        [
            new EmulatorIdentityProvider { ProviderName = "Google", ProviderType = "Google" },
            new EmulatorIdentityProvider { ProviderName = "CorpSAML", ProviderType = "SAML", Issuer = "https://idp.corp.example/saml", IdpIdentifiers = ["corp.example"] },
        ],
    };

    private async Task StartAsync(CognitoEmulatorOptions options)
    {
        if (_emulator is not null)
        {
            await _emulator.StopAsync();
            await _emulator.DisposeAsync();
        }

        _emulator = CognitoEmulator.Build(options, "http://127.0.0.1:0", _clock, b => b.Logging.ClearProviders());
        await _emulator.StartAsync();
        _origin = _emulator.Urls.Single().TrimEnd('/');
    }

    private string AuthorizeUrl(string extra = "", string clientId = ClientId) =>
        $"{_origin}/oauth2/authorize?client_id={clientId}&response_type=code&scope=openid+email+profile" +
        $"&redirect_uri={Uri.EscapeDataString(Callback)}&state=st&nonce=n" +
        $"&code_challenge={TestTokens.S256(Verifier)}&code_challenge_method=S256{extra}";

    /// <summary>
    /// Posts the hosted UI's sign-in form as a browser would and returns the code sent to the callback
    /// (with a hosted-UI session from an earlier sign-in, authorize answers with the code at once).
    /// </summary>
    private async Task<string> SignInAsync(string clientId = ClientId)
    {
        using var form = await _http.GetAsync(AuthorizeUrl(clientId: clientId));
        if (form.StatusCode == HttpStatusCode.Found)
        {
            return CodeFrom(form);
        }

        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        using var response = await PostFormAsync("/login", HiddenFields(await form.Content.ReadAsStringAsync(), 0)
            .Append(new("username", "alice")).Append(new("password", Password)));
        return CodeFrom(response);
    }

    private static string CodeFrom(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(Callback + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        return TestBrowser.Query(response.Headers.Location!)["code"];
    }

    private Task<HttpResponseMessage> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, AuthenticationHeaderValue? auth = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _origin + path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = auth;
        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> TokenAsync(Dictionary<string, string> form, string clientId = ClientId, string? secret = Secret, bool basic = false)
    {
        if (basic)
        {
            return PostFormAsync("/oauth2/token", form, Basic(clientId, secret!));
        }

        form["client_id"] = clientId;
        if (secret is not null)
        {
            form["client_secret"] = secret;
        }

        return PostFormAsync("/oauth2/token", form);
    }

    private static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));

    private Task<HttpResponseMessage> RedeemAsync(string code, string clientId = ClientId, string? secret = Secret, bool basic = false) =>
        TokenAsync(new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = Callback, ["code_verifier"] = Verifier },
            clientId, secret, basic);

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken, string clientId = ClientId, string? secret = Secret) =>
        TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, clientId, secret);

    private Task<HttpResponseMessage> RevokeAsync(string? token, string clientId = ClientId, string? secret = Secret)
    {
        var form = new Dictionary<string, string> { ["client_id"] = clientId };
        if (secret is not null)
        {
            form["client_secret"] = secret;
        }

        if (token is not null)
        {
            form["token"] = token;
        }

        return PostFormAsync("/oauth2/revoke", form);
    }

    private async Task<JsonElement> TokensAsync(string? code = null, string clientId = ClientId, string? secret = Secret)
    {
        using var response = await RedeemAsync(code ?? await SignInAsync(clientId), clientId, secret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    private static async Task AssertErrorPage(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"<span id=\"errorCode\">{error}</span>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static JsonElement Payload(JsonElement tokens, string kind) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(tokens.GetProperty(kind).GetString()!.Split('.')[1])).RootElement.Clone();

    /// <summary>The hidden inputs of the <paramref name="index"/>-th form on a page.</summary>
    private static List<KeyValuePair<string, string>> HiddenFields(string html, int index)
    {
        var form = FormRegex().Matches(html)[index].Value;
        return HiddenRegex().Matches(form)
            .Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .ToList();
    }

    [GeneratedRegex("<form.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenRegex();

    // ---- client authentication ----

    [Fact]
    public async Task Token_ClientWithSecret_WrongOrMissingSecret_400InvalidClient()
    {
        var code = await SignInAsync();

        using var missing = await RedeemAsync(code, secret: null);
        using var wrong = await RedeemAsync(code, secret: "wrong");
        using var wrongBasic = await RedeemAsync(code, secret: "wrong", basic: true);

        await AssertError(missing, HttpStatusCode.BadRequest, "invalid_client");
        await AssertError(wrong, HttpStatusCode.BadRequest, "invalid_client");
        await AssertError(wrongBasic, HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task Token_SecretBasicAndSecretPost_BothAccepted()
    {
        using var basic = await RedeemAsync(await SignInAsync(), basic: true);
        using var post = await RedeemAsync(await SignInAsync(), basic: false);

        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
    }

    // ---- revocation ----

    [Fact]
    public async Task Revoke_WrongOrMissingSecret_401InvalidClient()
    {
        var refreshToken = (await TokensAsync()).GetProperty("refresh_token").GetString();

        using var wrong = await RevokeAsync(refreshToken, secret: "wrong");
        using var missing = await RevokeAsync(refreshToken, secret: null);

        await AssertError(wrong, HttpStatusCode.Unauthorized, "invalid_client");
        await AssertError(missing, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Theory]
    [InlineData("access_token")]
    [InlineData("id_token")]
    public async Task Revoke_AccessOrIdToken_400UnsupportedTokenType(string kind)
    {
        var tokens = await TokensAsync();

        using var response = await RevokeAsync(tokens.GetProperty(kind).GetString());

        await AssertError(response, HttpStatusCode.BadRequest, "unsupported_token_type");
    }

    [Fact]
    public async Task Revoke_MissingToken_400InvalidRequest()
    {
        using var response = await RevokeAsync(token: null);

        await AssertError(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Revoke_RevocationDisabledForTheClient_400InvalidRequest()
    {
        var refreshToken = (await TokensAsync(clientId: NoRevokeClientId, secret: null)).GetProperty("refresh_token").GetString();

        using var response = await RevokeAsync(refreshToken, NoRevokeClientId, secret: null);

        await AssertError(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Revoke_RefreshToken_200Empty_AlsoRepeatedOrUnknown_AndTheTokenNoLongerRefreshes()
    {
        var refreshToken = (await TokensAsync()).GetProperty("refresh_token").GetString()!;

        using var first = await RevokeAsync(refreshToken);
        using var again = await RevokeAsync(refreshToken);
        using var unknown = await RevokeAsync(CognitoRefreshTokens.Create());
        using var refresh = await RefreshAsync(refreshToken);

        foreach (var response in new[] { first, again, unknown })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("", await response.Content.ReadAsStringAsync());
        }

        await AssertError(refresh, HttpStatusCode.BadRequest, "invalid_grant");
    }

    // ---- /logout ----

    [Theory]
    [InlineData("logout_uri=http%3A%2F%2Flocalhost%3A1%2F", "invalid_request")] // no client_id
    [InlineData("client_id=unknown&logout_uri=http%3A%2F%2Flocalhost%3A1%2F", "invalid_request")]
    [InlineData("client_id=" + ClientId + "&logout_uri=http%3A%2F%2Flocalhost%3A1%2Fother", "redirect_mismatch")]
    [InlineData("client_id=" + ClientId, "invalid_request")]
    [InlineData("client_id=" + ClientId + "&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A1%2F&id_token_hint=x", "invalid_request")]
    [InlineData("client_id=" + ClientId + "&redirect_uri=http%3A%2F%2Flocalhost%3A1%2Foauth2%2Fcallback", "invalid_request")] // no response_type=code
    public async Task Logout_WithoutClientIdAndRegisteredLogoutUri_ErrorPage400(string query, string error)
    {
        using var response = await _http.GetAsync($"{_origin}/logout?{query}");

        await AssertErrorPage(response, error);
    }

    [Fact]
    public async Task Logout_RegisteredLogoutUri_EndsHostedUiSessionAndRedirects()
    {
        await SignInAsync();

        using var logout = await _http.GetAsync($"{_origin}/logout?client_id={ClientId}&logout_uri={Uri.EscapeDataString(App + "/")}");
        using var authorize = await _http.GetAsync(AuthorizeUrl());

        Assert.Equal(HttpStatusCode.Found, logout.StatusCode);
        Assert.Equal(App + "/", logout.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, authorize.StatusCode); // the sign-in form again, not a silent code
    }

    [Fact]
    public async Task Logout_RedirectUriWithResponseTypeCode_LeadsBackToSignIn()
    {
        using var response = await _http.GetAsync(
            $"{_origin}/logout?client_id={ClientId}&redirect_uri={Uri.EscapeDataString(Callback)}&response_type=code&state=s");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith("/oauth2/authorize?client_id=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    // ---- lifetimes, rotation, refresh-token shape ----

    [Theory]
    [InlineData(nameof(CognitoEmulatorOptions.AccessTokenLifetime), 4 * 60)]
    [InlineData(nameof(CognitoEmulatorOptions.IdTokenLifetime), 25 * 3600)]
    [InlineData(nameof(CognitoEmulatorOptions.RefreshTokenRotationGracePeriod), 61)]
    [InlineData(nameof(CognitoEmulatorOptions.RefreshTokenRotationGracePeriod), -1)]
    [InlineData(nameof(CognitoEmulatorOptions.RefreshTokenLifetime), 59 * 60)]
    public void Build_LifetimeOrGraceOutsideCognitosRange_Throws(string property, int seconds)
    {
        var options = Options();
        typeof(CognitoEmulatorOptions).GetProperty(property)!.SetValue(options, TimeSpan.FromSeconds(seconds));

        var error = Assert.Throws<ArgumentException>(() => CognitoEmulator.Build(options, "http://127.0.0.1:0"));

        Assert.Contains(property, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiveMinuteTokens_ExpireAfterFiveMinutes()
    {
        var options = Options();
        options.AccessTokenLifetime = options.IdTokenLifetime = TimeSpan.FromMinutes(5);
        await StartAsync(options);

        var tokens = await TokensAsync();

        Assert.Equal(300, tokens.GetProperty("expires_in").GetInt32());
        foreach (var kind in new[] { "id_token", "access_token" })
        {
            var payload = Payload(tokens, kind);
            Assert.Equal(300, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        }
    }

    [Fact]
    public async Task RefreshToken_IsAJweOfRealSize()
    {
        var refreshToken = (await TokensAsync()).GetProperty("refresh_token").GetString()!;

        Assert.Equal(5, refreshToken.Split('.').Length);
        Assert.InRange(refreshToken.Length, 1700, 1900);
        Assert.Contains("\"enc\"", Base64UrlEncoder.Decode(refreshToken.Split('.')[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_OldRefreshTokenValidOnlyWithinGrace()
    {
        var options = Options();
        options.RefreshTokenRotationGracePeriod = TimeSpan.FromSeconds(10);
        await StartAsync(options);
        var original = (await TokensAsync()).GetProperty("refresh_token").GetString()!;

        using var rotation = await RefreshAsync(original);
        var rotated = JsonDocument.Parse(await rotation.Content.ReadAsStringAsync()).RootElement.GetProperty("refresh_token").GetString()!;
        _clock.Advance(TimeSpan.FromSeconds(9));
        using var withinGrace = await RefreshAsync(original);
        _clock.Advance(TimeSpan.FromSeconds(1));
        using var afterGrace = await RefreshAsync(original);
        using var newest = await RefreshAsync(rotated);

        Assert.NotEqual(original, rotated);
        Assert.Equal(HttpStatusCode.OK, withinGrace.StatusCode);
        await AssertError(afterGrace, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.OK, newest.StatusCode);
    }

    [Fact]
    public async Task Rotation_GraceZero_OldRefreshTokenRefusedAtOnce()
    {
        var options = Options();
        options.RefreshTokenRotationGracePeriod = TimeSpan.Zero;
        await StartAsync(options);
        var original = (await TokensAsync()).GetProperty("refresh_token").GetString()!;

        using var rotation = await RefreshAsync(original);
        using var again = await RefreshAsync(original);

        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        await AssertError(again, HttpStatusCode.BadRequest, "invalid_grant");
    }

    // ---- callback URLs ----

    [Theory]
    [InlineData("http://127.0.0.1:8080/oauth2/callback")]
    [InlineData("http://app.example.com/oauth2/callback")]
    [InlineData("https://app.example.com/oauth2/callback#fragment")]
    public void Build_CallbackUrlCognitoWouldRefuse_Throws(string url)
    {
        var options = Options();
        options.Clients[0].CallbackUrls.Add(url);

        var error = Assert.Throws<ArgumentException>(() => CognitoEmulator.Build(options, "http://127.0.0.1:0"));

        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HttpsOrHttpLocalhostCallbackUrls_Accepted()
    {
        var options = Options();
        options.Clients[0].CallbackUrls.Add("https://app.example.com/oauth2/callback");
        options.Clients[0].SignOutUrls.Add("http://localhost:8080/");

        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("http://localhost:2/oauth2/callback")] // not registered
    [InlineData("http://127.0.0.1:1/oauth2/callback")] // 127.0.0.1 is not localhost for Cognito
    public async Task Authorize_RedirectUriNotRegistered_ErrorPage400(string redirectUri)
    {
        using var response = await _http.GetAsync(AuthorizeUrl().Replace(Uri.EscapeDataString(Callback), Uri.EscapeDataString(redirectUri), StringComparison.Ordinal));

        await AssertErrorPage(response, "redirect_mismatch");
    }

    // ---- tokens of pool users ----

    [Fact]
    public async Task PoolUser_IdTokenCarriesAcrAmrAndVerifiedEmail()
    {
        var id = Payload(await TokensAsync(), "id_token");

        Assert.Equal("alice", id.GetProperty("cognito:username").GetString());
        Assert.True(id.GetProperty("email_verified").GetBoolean());
        Assert.Equal(CognitoClaims.SingleFactorAcr, id.GetProperty("acr").GetString());
        Assert.Equal(["pwd"], id.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.False(id.TryGetProperty("identities", out _));
        Assert.Equal(["admins"], id.GetProperty("cognito:groups").EnumerateArray().Select(g => g.GetString()));
    }

    // ---- federation and sign-in hints ----

    [Fact]
    public async Task IdentityProviderGoogle_ShowsTheFakeGooglePage_ThenSignsInAsTheGoogleUserWithCognitosClaims()
    {
        using var page = await _http.GetAsync(AuthorizeUrl("&identity_provider=Google"));
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Sign in with Google (demo)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("type=\"password\"", html, StringComparison.Ordinal);

        using var answer = await PostFormAsync("/oauth2/idpresponse", HiddenFields(html, 0));
        var tokens = await TokensAsync(CodeFrom(answer));
        var id = Payload(tokens, "id_token");

        Assert.Equal("Google_104892735619238476512", id.GetProperty("cognito:username").GetString());
        Assert.False(id.GetProperty("email_verified").GetBoolean());
        Assert.Equal(["staff", PoolId + "_Google"], id.GetProperty("cognito:groups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(["federated"], id.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        var identity = Assert.Single(id.GetProperty("identities").EnumerateArray());
        Assert.Equal("104892735619238476512", identity.GetProperty("userId").GetString());
        Assert.Equal("Google", identity.GetProperty("providerName").GetString());
        Assert.Equal("Google", identity.GetProperty("providerType").GetString());
        Assert.Equal(JsonValueKind.Null, identity.GetProperty("issuer").ValueKind);
        Assert.Equal("true", identity.GetProperty("primary").GetString());
        Assert.True(long.TryParse(identity.GetProperty("dateCreated").GetString(), out _));
        Assert.Equal("Google_104892735619238476512", Payload(tokens, "access_token").GetProperty("username").GetString());
    }

    [Fact]
    public async Task IdpIdentifier_ShowsTheCorpSamlPage_ThenSignsInAsTheSamlUser()
    {
        using var page = await _http.GetAsync(AuthorizeUrl("&idp_identifier=CORP.example"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Sign in with CorpSAML (demo)", html, StringComparison.Ordinal);

        using var answer = await PostFormAsync("/oauth2/idpresponse", HiddenFields(html, 0));
        var id = Payload(await TokensAsync(CodeFrom(answer)), "id_token");

        Assert.Equal("CorpSAML_jdoe", id.GetProperty("cognito:username").GetString());
        Assert.Equal([PoolId + "_CorpSAML"], id.GetProperty("cognito:groups").EnumerateArray().Select(g => g.GetString()));
        var identity = Assert.Single(id.GetProperty("identities").EnumerateArray());
        Assert.Equal("SAML", identity.GetProperty("providerType").GetString());
        Assert.Equal("https://idp.corp.example/saml", identity.GetProperty("issuer").GetString());
    }

    [Theory]
    [InlineData("&identity_provider=Facebook")]
    [InlineData("&identity_provider=google")] // provider names are case-sensitive
    [InlineData("&idp_identifier=unknown.example")]
    public async Task UnknownIdentityProvider_ErrorPage400(string hint)
    {
        using var response = await _http.GetAsync(AuthorizeUrl(hint));

        await AssertErrorPage(response, "invalid_request");
    }

    [Fact]
    public async Task SignInForm_LinksEachFederatedProvider_ToItsPage()
    {
        using var form = await _http.GetAsync(AuthorizeUrl());
        var links = ProviderLinkRegex().Matches(await form.Content.ReadAsStringAsync())
            .ToDictionary(m => m.Groups[2].Value, m => WebUtility.HtmlDecode(m.Groups[1].Value));

        Assert.Equal(["Google", "CorpSAML"], links.Keys);
        using var google = await _http.GetAsync(_origin + links["Google"]);
        Assert.Contains("Sign in with Google (demo)", await google.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex("<a class=\"federatedProvider\" href=\"([^\"]*)\">Continue with ([^<]*)</a>")]
    private static partial Regex ProviderLinkRegex();

    [Fact]
    public async Task FederatedUser_CannotSignInWithAPasswordOnThePoolForm()
    {
        using var form = await _http.GetAsync(AuthorizeUrl());
        using var response = await PostFormAsync("/login", HiddenFields(await form.Content.ReadAsStringAsync(), 0)
            .Append(new("username", "carol@gmail.example")).Append(new("password", "")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Incorrect username or password.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginHintAndLang_PrefillTheUsernameAndSetThePageLanguage()
    {
        using var response = await _http.GetAsync(AuthorizeUrl("&login_hint=alice%40example.com&lang=fr"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("name=\"username\" autocomplete=\"username\" autofocus required value=\"alice@example.com\"", html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"fr\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptLogin_ShowsTheFormDespiteAHostedUiSession()
    {
        await SignInAsync();

        using var silent = await _http.GetAsync(AuthorizeUrl());
        using var forced = await _http.GetAsync(AuthorizeUrl("&prompt=login"));

        Assert.Equal(HttpStatusCode.Found, silent.StatusCode); // the session signs the user in without the form
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Contains("signInFormPassword", await forced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
