using System.Net;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

/// <summary>Checks the test double itself, so a failing gateway test can be trusted to be the gateway's fault.</summary>
public sealed class FakeCognitoTests : IDisposable
{
    private readonly FakeCognito _cognito = new();
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });

    public void Dispose()
    {
        _http.Dispose();
        _cognito.Dispose();
    }

    private async Task<(string Code, string Verifier)> AuthorizeAsync(string nonce)
    {
        const string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-plus-some-more-entropy";
        var url = $"{_cognito.AuthorizationEndpoint}?client_id={FakeCognito.ClientId}&response_type=code&scope=openid" +
                  $"&redirect_uri={Uri.EscapeDataString("http://127.0.0.1:1/oauth2/callback")}&state=st%2Bate&nonce={nonce}" +
                  $"&code_challenge={TestTokens.S256(verifier)}&code_challenge_method=S256";
        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var q = TestBrowser.Query(response.Headers.Location!);
        Assert.Equal("st+ate", q["state"]);
        return (q["code"], verifier);
    }

    private async Task<HttpResponseMessage> RedeemAsync(string code, string verifier) =>
        await _http.PostAsync(_cognito.TokenEndpointUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = "http://127.0.0.1:1/oauth2/callback",
            ["code_verifier"] = verifier,
        }));

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
}
