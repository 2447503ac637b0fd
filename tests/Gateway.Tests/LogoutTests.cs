using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class LogoutTests : IClassFixture<ConfidentialClientGatewayFixture>, IDisposable
{
    private readonly ConfidentialClientGatewayFixture _fx;
    private readonly TestBrowser _browser;

    public LogoutTests(ConfidentialClientGatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
        _browser = fx.NewBrowser();
    }

    public void Dispose() => _browser.Dispose();

    private async Task<Hop> SignOutAsync(string method)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), _browser.Resolve("/oauth2/sign_out"));
        TestBrowser.AddNavigationHeaders(request);
        if (method == "POST")
        {
            request.Headers.TryAddWithoutValidation("Origin", _fx.Gateway.Url);
            request.Content = new FormUrlEncodedContent([]);
        }

        return await _browser.SendAsync(request);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task SignOut_WithSession_RevokesRefreshTokenWithBasicAuth(string method)
    {
        await _browser.SignInAsync();
        var refreshToken = Assert.Single(_fx.Cognito.IssuedRefreshTokens);

        var hop = await SignOutAsync(method);

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        var revoke = Assert.Single(_fx.Cognito.RequestsTo("/oauth2/revoke"));
        Assert.Equal(refreshToken, FakeCognito.ParseForm(revoke).GetValueOrDefault("token"));
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(FakeCognito.ClientId) + ":" +
            Uri.EscapeDataString(ConfidentialClientGatewayFixture.ClientSecret)));
        Assert.Equal(expected, FakeCognito.Header(revoke, "Authorization"));
        Assert.False(FakeCognito.ParseForm(revoke).ContainsKey("client_secret"));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task SignOut_WithSession_RedirectsToCognitoLogoutWithClientIdAndLogoutUri(string method)
    {
        await _browser.SignInAsync();

        var hop = await SignOutAsync(method);

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        var location = hop.Location!;
        Assert.Equal(_fx.Cognito.LogoutEndpoint, location.GetLeftPart(UriPartial.Path));
        var q = TestBrowser.Query(location);
        Assert.Equal(FakeCognito.ClientId, q.GetValueOrDefault("client_id"));
        Assert.Equal(_fx.Gateway.Url + "/", q.GetValueOrDefault("logout_uri"));
        Assert.DoesNotContain("logout_uri=http://", location.Query);
        Assert.False(q.ContainsKey("id_token_hint"), "Cognito ignores id_token_hint; it must not be sent");
        Assert.False(q.ContainsKey("post_logout_redirect_uri"), "Cognito needs logout_uri, not post_logout_redirect_uri");
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task SignOut_WithSession_ClearsSessionCookieAndEndsSession(string method)
    {
        await _browser.SignInAsync();
        Assert.NotEmpty(_browser.GatewayCookies());

        var hop = await SignOutAsync(method);

        Assert.Contains(hop.SetCookies.Select(SetCookie.Parse), c => c.Name == "_gateway" && c.IsDeletion);
        Assert.DoesNotContain(_browser.GatewayCookies(), c => SetCookie.IsSessionCookieName(c.Name));
        var after = await _browser.ApiGetAsync("/after-logout");
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
        var userinfo = await _browser.ApiGetAsync("/oauth2/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, userinfo.Status);
    }

    [Fact]
    public async Task SignOut_FollowingLogoutRedirect_ReachesCognitoLogoutPage()
    {
        await _browser.SignInAsync();

        var nav = await _browser.NavigateAsync("/oauth2/sign_out");

        Assert.Equal(HttpStatusCode.OK, nav.Status);
        var logout = Assert.Single(_fx.Cognito.RequestsTo("/logout"));
        Assert.Equal(FakeCognito.ClientId, TestBrowser.Query(new Uri(logout.Url)).GetValueOrDefault("client_id"));
    }

    [Fact]
    public async Task TokenExchange_ConfidentialClient_UsesClientSecretBasic()
    {
        await _browser.SignInAsync();

        var tokenRequest = Assert.Single(_fx.Cognito.RequestsTo("/oauth2/token"));
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(FakeCognito.ClientId) + ":" +
            Uri.EscapeDataString(ConfidentialClientGatewayFixture.ClientSecret)));
        Assert.Equal(expected, FakeCognito.Header(tokenRequest, "Authorization"));
        var form = FakeCognito.ParseForm(tokenRequest);
        Assert.False(form.ContainsKey("client_secret"), "client_secret must not be in the body with client_secret_basic");
        Assert.Equal("authorization_code", form.GetValueOrDefault("grant_type"));
        Assert.True(form.ContainsKey("code_verifier"));
    }

    [Fact]
    public async Task SignOut_WithCustomDomain_RedirectsToCustomDomainLogout()
    {
        await using var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Cognito:Domain"] = "https://auth.example.com",
        });
        using var browser = new TestBrowser(host);

        // Hosted-UI endpoints move to the custom domain: the login redirect shows it.
        var challenge = await browser.NavigateOnceAsync("/x");
        Assert.Equal("https://auth.example.com/oauth2/authorize", challenge.Location!.GetLeftPart(UriPartial.Path));

        // No session can be created (the token endpoint is on auth.example.com), but sign-out still ends the
        // hosted-UI session on the custom domain.
        var request = new HttpRequestMessage(HttpMethod.Get, browser.Resolve("/oauth2/sign_out"));
        TestBrowser.AddNavigationHeaders(request);
        var hop = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.Equal("https://auth.example.com/logout", hop.Location!.GetLeftPart(UriPartial.Path));
        var q = TestBrowser.Query(hop.Location);
        Assert.Equal(FakeCognito.ClientId, q.GetValueOrDefault("client_id"));
        Assert.Equal(host.Url + "/", q.GetValueOrDefault("logout_uri"));
    }
}
