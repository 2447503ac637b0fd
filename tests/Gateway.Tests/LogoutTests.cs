using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class LogoutTests : GatewayTest<ConfidentialClientGatewayFixture>
{
    public LogoutTests(ConfidentialClientGatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>
    /// "page": the legacy app's link (GET shows "Sign out?"), then its button as a browser submits it (same origin, with
    /// the page's token); "post": a same-origin form POST straight to the endpoint.
    /// </summary>
    private async Task<Hop> SignOutAsync(string how)
    {
        var form = new Dictionary<string, string>();
        if (how == "page")
        {
            var page = await Browser.NavigateOnceAsync("/oauth2/sign_out");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var token = System.Text.RegularExpressions.Regex.Match(page.Body, "name=\"sign_out_token\" value=\"([^\"]+)\"");
            Assert.True(token.Success, page.Body);
            form["sign_out_token"] = System.Net.WebUtility.HtmlDecode(token.Groups[1].Value);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, Browser.Resolve("/oauth2/sign_out"));
        TestBrowser.AddNavigationHeaders(request);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        request.Headers.TryAddWithoutValidation("Origin", Fx.Gateway.Url);
        request.Content = new FormUrlEncodedContent(form);
        return await Browser.SendAsync(request);
    }

    [Theory]
    [InlineData("page")]
    [InlineData("post")]
    public async Task SignOut_WithSession_RevokesRefreshTokenWithBasicAuth(string how)
    {
        await Browser.SignInAsync();
        var refreshToken = Assert.Single(Fx.Cognito.IssuedRefreshTokens);

        var hop = await SignOutAsync(how);

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        var revoke = Assert.Single(Fx.Cognito.RequestsTo("/oauth2/revoke"));
        Assert.Equal(refreshToken, FakeCognito.ParseForm(revoke).GetValueOrDefault("token"));
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(FakeCognito.ClientId) + ":" +
            Uri.EscapeDataString(ConfidentialClientGatewayFixture.ClientSecret)));
        Assert.Equal(expected, FakeCognito.Header(revoke, "Authorization"));
        Assert.False(FakeCognito.ParseForm(revoke).ContainsKey("client_secret"));
    }

    [Theory]
    [InlineData("page")]
    [InlineData("post")]
    public async Task SignOut_WithSession_RedirectsToCognitoLogoutWithClientIdAndLogoutUri(string how)
    {
        await Browser.SignInAsync();

        var hop = await SignOutAsync(how);

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        var location = hop.Location!;
        Assert.Equal(Fx.Cognito.LogoutEndpoint, location.GetLeftPart(UriPartial.Path));
        var q = TestBrowser.Query(location);
        Assert.Equal(FakeCognito.ClientId, q.GetValueOrDefault("client_id"));
        Assert.Equal(Fx.Gateway.Url + "/", q.GetValueOrDefault("logout_uri"));
        Assert.DoesNotContain("logout_uri=http://", location.Query);
        Assert.False(q.ContainsKey("id_token_hint"), "Cognito ignores id_token_hint; it must not be sent");
        Assert.False(q.ContainsKey("post_logout_redirect_uri"), "Cognito needs logout_uri, not post_logout_redirect_uri");
    }

    [Theory]
    [InlineData("page")]
    [InlineData("post")]
    public async Task SignOut_WithSession_ClearsSessionCookieAndEndsSession(string how)
    {
        await Browser.SignInAsync();
        Assert.NotEmpty(Browser.GatewayCookies());

        var hop = await SignOutAsync(how);

        Assert.Contains(hop.SetCookies.Select(SetCookie.Parse), c => c.Name == "_gateway" && c.IsDeletion);
        Assert.DoesNotContain(Browser.GatewayCookies(), c => SetCookie.IsSessionCookieName(c.Name));
        var after = await Browser.ApiGetAsync("/after-logout");
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
        var userinfo = await Browser.ApiGetAsync("/oauth2/userinfo");
        Assert.Equal(HttpStatusCode.Unauthorized, userinfo.Status);
    }

    [Fact]
    public async Task SignOut_FollowingLogoutRedirect_ReachesCognitoLogoutPage()
    {
        await Browser.SignInAsync();

        var nav = await Browser.FollowAsync(HttpMethod.Post, Browser.Resolve("/oauth2/sign_out"),
            r => r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin"), content: new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.OK, nav.Status);
        var logout = Assert.Single(Fx.Cognito.RequestsTo("/logout"));
        Assert.Equal(FakeCognito.ClientId, TestBrowser.Query(new Uri(logout.Url)).GetValueOrDefault("client_id"));
    }

    [Fact]
    public async Task TokenExchange_ConfidentialClient_UsesClientSecretBasic()
    {
        await Browser.SignInAsync();

        var tokenRequest = Assert.Single(Fx.Cognito.RequestsTo("/oauth2/token"));
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
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Cognito:Domain"] = "https://auth.example.com",
        });
        using var browser = new TestBrowser(host);

        // Hosted-UI endpoints move to the custom domain: the login redirect shows it.
        var challenge = await browser.NavigateOnceAsync("/x");
        Assert.Equal("https://auth.example.com/oauth2/authorize", challenge.Location!.GetLeftPart(UriPartial.Path));

        // No session can be created (the token endpoint is on auth.example.com), but sign-out still ends the
        // hosted-UI session on the custom domain.
        var hop = await browser.SignOutAsync();

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.Equal("https://auth.example.com/logout", hop.Location!.GetLeftPart(UriPartial.Path));
        var q = TestBrowser.Query(hop.Location);
        Assert.Equal(FakeCognito.ClientId, q.GetValueOrDefault("client_id"));
        Assert.Equal(host.Url + "/", q.GetValueOrDefault("logout_uri"));
    }
}
