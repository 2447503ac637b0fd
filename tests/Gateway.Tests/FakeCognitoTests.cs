using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Demo.Emulator;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

/// <summary>
/// Checks the test double itself, so a failing gateway test can be trusted to be the gateway's fault: its defaults
/// follow the same strict Cognito rules as the emulator (CognitoEmulatorTests).
/// </summary>
public sealed class FakeCognitoTests : IDisposable
{
    private const string App = "http://localhost:1";
    private const string Callback = App + "/oauth2/callback";
    private readonly FakeCognito _cognito = new();
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });

    public FakeCognitoTests() => _cognito.RegisterApp(App);

    public void Dispose()
    {
        _http.Dispose();
        _cognito.Dispose();
    }

    private async Task<(string Code, string Verifier)> AuthorizeAsync(string nonce)
    {
        const string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-plus-some-more-entropy";
        var url = $"{_cognito.AuthorizationEndpoint}?client_id={FakeCognito.ClientId}&response_type=code&scope=openid" +
                  $"&redirect_uri={Uri.EscapeDataString(Callback)}&state=st%2Bate&nonce={nonce}" +
                  $"&code_challenge={TestTokens.S256(verifier)}&code_challenge_method=S256";
        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var q = TestBrowser.Query(response.Headers.Location!);
        Assert.Equal("st+ate", q["state"]);
        return (q["code"], verifier);
    }

    private async Task<HttpResponseMessage> RedeemAsync(string code, string verifier, string? secret = null) =>
        await _http.PostAsync(_cognito.TokenEndpointUrl, new FormUrlEncodedContent(WithClient(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = Callback,
            ["code_verifier"] = verifier,
        }, secret)));

    private static Dictionary<string, string> WithClient(Dictionary<string, string> form, string? secret)
    {
        form["client_id"] = FakeCognito.ClientId;
        if (secret is not null)
        {
            form["client_secret"] = secret;
        }

        return form;
    }

    /// <summary>Signs in and returns the token response (id_token, access_token, refresh_token).</summary>
    private async Task<JsonElement> SignInAsync(string? secret = null)
    {
        var (code, verifier) = await AuthorizeAsync("n");
        using var response = await RedeemAsync(code, verifier, secret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> form, AuthenticationHeaderValue? auth = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _cognito.Url + path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = auth;
        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken, string? secret = null) =>
        PostAsync("/oauth2/token", WithClient(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, secret));

    private Task<HttpResponseMessage> RevokeAsync(string? token, string? secret = null)
    {
        var form = WithClient(new(), secret);
        if (token is not null)
        {
            form["token"] = token;
        }

        return PostAsync("/oauth2/revoke", form);
    }

    private static async Task AssertError(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(error, body.GetProperty("error").GetString());
    }

    private static JsonElement Payload(string jwt) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[1])).RootElement.Clone();

    [Fact]
    public async Task FakeCognito_CodeFlow_IssuesIdTokenValidAgainstPublishedJwks()
    {
        var discovery = JsonDocument.Parse(await _http.GetStringAsync(_cognito.Authority + "/.well-known/openid-configuration"));
        Assert.Equal(_cognito.Authority, discovery.RootElement.GetProperty("issuer").GetString());
        var jwks = new JsonWebKeySet(await _http.GetStringAsync(discovery.RootElement.GetProperty("jwks_uri").GetString()));

        var (code, verifier) = await AuthorizeAsync("n-123");
        using var response = await RedeemAsync(code, verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(body.GetProperty("id_token").GetString(),
            new TokenValidationParameters
            {
                ValidIssuer = _cognito.Authority,
                ValidAudience = FakeCognito.ClientId,
                IssuerSigningKeys = jwks.GetSigningKeys(),
            });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("n-123", result.Claims["nonce"]);
        Assert.Equal("id", result.Claims["token_use"]);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));
    }

    [Fact]
    public async Task FakeCognito_CodeRedeemedTwice_SecondGetsInvalidGrant()
    {
        var (code, verifier) = await AuthorizeAsync("n");
        using var first = await RedeemAsync(code, verifier);
        using var second = await RedeemAsync(code, verifier);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
    }

    [Fact]
    public async Task FakeCognito_WrongVerifier_GetsInvalidGrant()
    {
        var (code, _) = await AuthorizeAsync("n");
        using var response = await RedeemAsync(code, "wrong-verifier-wrong-verifier-wrong-verifier-xx");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task FakeCognito_ClientWithSecret_WrongOrMissingSecretOnToken_400InvalidClient()
    {
        _cognito.ClientSecret = "right-secret";
        var (code, verifier) = await AuthorizeAsync("n");

        using var missing = await RedeemAsync(code, verifier);
        using var wrong = await RedeemAsync(code, verifier, "wrong-secret");

        await AssertError(missing, HttpStatusCode.BadRequest, "invalid_client");
        await AssertError(wrong, HttpStatusCode.BadRequest, "invalid_client");
    }

    [Fact]
    public async Task FakeCognito_ClientWithSecret_SecretBasicAndSecretPost_BothAccepted()
    {
        _cognito.ClientSecret = "s3cr3t+value/with=chars";
        var tokens = await SignInAsync(_cognito.ClientSecret); // client_secret_post
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(FakeCognito.ClientId) + ":" + Uri.EscapeDataString(_cognito.ClientSecret))));

        using var refreshed = await PostAsync("/oauth2/token",
            new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString()! }, basic);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task FakeCognito_Revoke_WrongSecret_401InvalidClient()
    {
        _cognito.ClientSecret = "right-secret";
        var tokens = await SignInAsync("right-secret");

        using var response = await RevokeAsync(tokens.GetProperty("refresh_token").GetString(), "wrong-secret");

        await AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Theory]
    [InlineData("access_token")]
    [InlineData("id_token")]
    public async Task FakeCognito_Revoke_AccessOrIdToken_400UnsupportedTokenType(string kind)
    {
        var tokens = await SignInAsync();

        using var response = await RevokeAsync(tokens.GetProperty(kind).GetString());

        await AssertError(response, HttpStatusCode.BadRequest, "unsupported_token_type");
    }

    [Fact]
    public async Task FakeCognito_Revoke_MissingToken_400InvalidRequest()
    {
        using var response = await RevokeAsync(token: null);

        await AssertError(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task FakeCognito_Revoke_RevocationDisabled_400InvalidRequest()
    {
        var tokens = await SignInAsync();
        _cognito.RevocationEnabled = false;

        using var response = await RevokeAsync(tokens.GetProperty("refresh_token").GetString());

        await AssertError(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task FakeCognito_Revoke_RefreshToken_200EmptyAlsoWhenRepeatedOrUnknown_AndTheTokenNoLongerRefreshes()
    {
        var refreshToken = (await SignInAsync()).GetProperty("refresh_token").GetString()!;

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

    [Theory]
    [InlineData("logout_uri=http%3A%2F%2Flocalhost%3A1%2F", HttpStatusCode.BadRequest)] // no client_id
    [InlineData("client_id=unknown&logout_uri=http%3A%2F%2Flocalhost%3A1%2F", HttpStatusCode.BadRequest)]
    [InlineData("client_id=3n4b5urk1ft4fl3mg5e62d9ado&logout_uri=http%3A%2F%2Flocalhost%3A1%2Fother", HttpStatusCode.BadRequest)]
    [InlineData("client_id=3n4b5urk1ft4fl3mg5e62d9ado", HttpStatusCode.BadRequest)]
    [InlineData("client_id=3n4b5urk1ft4fl3mg5e62d9ado&post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A1%2F&id_token_hint=x", HttpStatusCode.BadRequest)]
    [InlineData("client_id=3n4b5urk1ft4fl3mg5e62d9ado&logout_uri=http%3A%2F%2Flocalhost%3A1%2F", HttpStatusCode.Found)]
    public async Task FakeCognito_Logout_OnlyClientIdWithRegisteredLogoutUri_Redirects(string query, HttpStatusCode expected)
    {
        using var response = await _http.GetAsync(_cognito.LogoutEndpoint + "?" + query);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Found)
        {
            Assert.Equal(App + "/", response.Headers.Location!.ToString());
        }
        else
        {
            Assert.Contains("An error was encountered", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task FakeCognito_Logout_RedirectUriWithResponseTypeCode_LeadsBackToSignIn()
    {
        using var response = await _http.GetAsync(_cognito.LogoutEndpoint +
            $"?client_id={FakeCognito.ClientId}&redirect_uri={Uri.EscapeDataString(Callback)}&response_type=code&state=s");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(_cognito.AuthorizationEndpoint + "?client_id=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FakeCognito_CallbackUrls_PlainHttpOnlyForLocalhost()
    {
        Assert.Throws<ArgumentException>(() => _cognito.RegisterApp("http://127.0.0.1:8080"));
        Assert.Throws<ArgumentException>(() => _cognito.AllowCallbackUrl("http://app.example.com/oauth2/callback"));
        _cognito.AllowCallbackUrl("https://app.example.com/oauth2/callback");
        _cognito.RegisterApp("http://localhost:8080");

        Assert.Contains("http://localhost:8080/oauth2/callback", _cognito.CallbackUrls);
        Assert.DoesNotContain(_cognito.CallbackUrls, u => u.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("redirect_uri=http%3A%2F%2Flocalhost%3A2%2Foauth2%2Fcallback")] // not registered
    [InlineData("redirect_uri=http%3A%2F%2Flocalhost%3A1%2Foauth2%2Fcallback&identity_provider=Facebook")]
    [InlineData("redirect_uri=http%3A%2F%2Flocalhost%3A1%2Foauth2%2Fcallback&idp_identifier=unknown.example")]
    public async Task FakeCognito_Authorize_UnregisteredCallbackOrUnknownProvider_400(string query)
    {
        using var response = await _http.GetAsync($"{_cognito.AuthorizationEndpoint}?client_id={FakeCognito.ClientId}&response_type=code&{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void FakeCognito_TokenLifetimesAndGrace_OutsideCognitosRanges_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _cognito.AccessTokenLifetime = TimeSpan.FromMinutes(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cognito.IdTokenLifetime = TimeSpan.FromHours(25));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cognito.RefreshTokenRotationGracePeriod = TimeSpan.FromSeconds(61));
        Assert.Throws<ArgumentOutOfRangeException>(() => _cognito.RefreshTokenRotationGracePeriod = TimeSpan.FromSeconds(-1));
    }

    [Fact]
    public async Task FakeCognito_FiveMinuteTokens_ExpireAfterFiveMinutes_AndRefreshTokensAreJweSized()
    {
        _cognito.AccessTokenLifetime = TimeSpan.FromMinutes(5);
        _cognito.IdTokenLifetime = TimeSpan.FromMinutes(5);

        var tokens = await SignInAsync();

        Assert.Equal(300, tokens.GetProperty("expires_in").GetInt32());
        foreach (var kind in new[] { "id_token", "access_token" })
        {
            var payload = Payload(tokens.GetProperty(kind).GetString()!);
            Assert.Equal(300, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        }

        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal(5, refreshToken.Split('.').Length);
        Assert.InRange(refreshToken.Length, 1700, 1900);
    }

    [Fact]
    public async Task FakeCognito_Rotation_OldTokenValidOnlyWithinGrace()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _cognito.Time = clock;
        _cognito.RotateRefreshTokens = true;
        _cognito.RefreshTokenRotationGracePeriod = TimeSpan.FromSeconds(10);
        var original = (await SignInAsync()).GetProperty("refresh_token").GetString()!;

        using var rotation = await RefreshAsync(original);
        var rotated = JsonDocument.Parse(await rotation.Content.ReadAsStringAsync()).RootElement.GetProperty("refresh_token").GetString()!;
        clock.Advance(TimeSpan.FromSeconds(9));
        using var withinGrace = await RefreshAsync(original);
        clock.Advance(TimeSpan.FromSeconds(1));
        using var afterGrace = await RefreshAsync(original);
        using var newest = await RefreshAsync(rotated);

        Assert.NotEqual(original, rotated);
        Assert.Equal(HttpStatusCode.OK, withinGrace.StatusCode);
        await AssertError(afterGrace, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.OK, newest.StatusCode);
    }

    [Fact]
    public async Task FakeCognito_Rotation_GraceZero_OldTokenRefusedAtOnce()
    {
        _cognito.RotateRefreshTokens = true;
        _cognito.RefreshTokenRotationGracePeriod = TimeSpan.Zero;
        var original = (await SignInAsync()).GetProperty("refresh_token").GetString()!;

        using var rotation = await RefreshAsync(original);
        using var again = await RefreshAsync(original);

        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        await AssertError(again, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task FakeCognito_GoogleUser_HasCognitosFederatedClaims()
    {
        _cognito.User = TestUser.Google;

        var tokens = await SignInAsync();

        var id = Payload(tokens.GetProperty("id_token").GetString()!);
        Assert.Equal("Google_104892735619238476512", id.GetProperty("cognito:username").GetString());
        Assert.False(id.GetProperty("email_verified").GetBoolean());
        Assert.Contains($"{FakeCognito.PoolId}_Google", id.GetProperty("cognito:groups").EnumerateArray().Select(g => g.GetString()));
        var identity = Assert.Single(id.GetProperty("identities").EnumerateArray());
        Assert.Equal("Google", identity.GetProperty("providerName").GetString());
        Assert.Equal("Google", identity.GetProperty("providerType").GetString());
        Assert.Equal("104892735619238476512", identity.GetProperty("userId").GetString());
        Assert.Equal("true", identity.GetProperty("primary").GetString());
        Assert.Equal(JsonValueKind.Null, identity.GetProperty("issuer").ValueKind);
        Assert.Equal(["federated"], id.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        var access = Payload(tokens.GetProperty("access_token").GetString()!);
        Assert.Contains($"{FakeCognito.PoolId}_Google", access.GetProperty("cognito:groups").EnumerateArray().Select(g => g.GetString()));
    }
}
