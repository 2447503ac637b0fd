using System.Net;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// Issue 11 §2: another site cannot sign a user out. A GET of /oauth2/sign_out only asks "Sign out?"; the POST proceeds
/// when the browser says it comes from this origin (Sec-Fetch-Site, Origin) or, when it says nothing, with the page's
/// anti-forgery token. "Signed out" is checked the way a user would notice: the session still works or not, the
/// refresh token was revoked at the provider or not, the browser went to the provider's /logout or not.
/// </summary>
public sealed partial class SignOutForgeryTests : GatewayTest<GatewayFixture>
{
    private const string OtherSite = "http://evil.example";

    public SignOutForgeryTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [GeneratedRegex("name=\"sign_out_token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private static string TokenOf(Hop page)
    {
        var match = TokenField().Match(page.Body);
        Assert.True(match.Success, "The sign-out page has no anti-forgery token field:\n" + page.Body);
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private HttpRequestMessage SignOutPost(string? token = null, string path = "/oauth2/sign_out", Action<HttpRequestMessage>? headers = null)
    {
        var form = new Dictionary<string, string>();
        if (token is not null)
        {
            form["sign_out_token"] = token;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, Browser.Resolve(path)) { Content = new FormUrlEncodedContent(form) };
        TestBrowser.AddNavigationHeaders(request);
        headers?.Invoke(request);
        return request;
    }

    private static Action<HttpRequestMessage> With(string name, string value) =>
        request => request.Headers.TryAddWithoutValidation(name, value);

    /// <summary>Still signed in: the session works, nothing was revoked, the provider's logout was not reached, no cookie deleted.</summary>
    private async Task AssertStillSignedInAsync(Hop hop)
    {
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/revoke"));
        Assert.DoesNotContain(hop.SetCookies.Select(SetCookie.Parse), c => SetCookie.IsSessionCookieName(c.Name) && c.IsDeletion);
        Assert.False(hop.Location is { } location && location.AbsoluteUri.StartsWith(Fx.Cognito.LogoutEndpoint, StringComparison.Ordinal),
            $"The browser was sent to the provider's logout: {hop}");
        Assert.Equal(HttpStatusCode.OK, (await Browser.ApiGetAsync("/still-signed-in")).Status);
    }

    /// <summary>Signed out: refresh token revoked, sent on to the provider's /logout, the session no longer works.</summary>
    private async Task AssertSignedOutAsync(Hop hop, string refreshToken)
    {
        Assert.True(hop.Status == HttpStatusCode.Found, $"{hop}\n{hop.Body}\n{Fx.Gateway.Logs.Dump()}");
        Assert.Equal(Fx.Cognito.LogoutEndpoint, hop.Location!.GetLeftPart(UriPartial.Path));
        var revoke = Assert.Single(Fx.Cognito.RequestsTo("/oauth2/revoke"));
        Assert.Equal(refreshToken, FakeCognito.ParseForm(revoke).GetValueOrDefault("token"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser.ApiGetAsync("/after-sign-out")).Status);
    }

    private async Task<string> SignInAsync()
    {
        await Browser.SignInAsync();
        return Fx.Cognito.IssuedRefreshTokens.Last();
    }

    [Fact]
    public async Task Get_ShowsTheSignOutPage_AndDoesNotSignOut()
    {
        await SignInAsync();

        var page = await Browser.NavigateOnceAsync("/oauth2/sign_out");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("text/html", TestBrowser.MediaType(page));
        Assert.Contains("<h1>Sign out?</h1>", page.Body, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\" action=\"/oauth2/sign_out\">", page.Body, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" id=\"sign-out\"", page.Body, StringComparison.Ordinal);
        TokenOf(page);
        Assert.Equal("no-store", page.Response.Headers.CacheControl?.ToString());
        Assert.Contains("frame-ancestors 'none'", string.Join(";", page.Response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", page.Response.Headers.GetValues("X-Frame-Options").Single());
        await AssertStillSignedInAsync(page);
        Assert.Empty(Fx.Cognito.RequestsTo("/logout"));
    }

    [Fact]
    public async Task Get_AsAnImage_NothingHappens_405Json()
    {
        await SignInAsync();

        // What Chromium sends for <img src=".../oauth2/sign_out"> on another site.
        var hop = await Browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, Browser.Resolve("/oauth2/sign_out"))
        {
            Headers =
            {
                { "Accept", "image/avif,image/webp,image/apng,image/*,*/*;q=0.8" },
                { "Sec-Fetch-Mode", "no-cors" },
                { "Sec-Fetch-Dest", "image" },
                { "Sec-Fetch-Site", "cross-site" },
            },
        });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, hop.Status);
        Assert.Equal("POST", string.Join(",", hop.Response.Content.Headers.Allow));
        Assert.Equal("post_required", TestBrowser.Json(hop).RootElement.GetProperty("error").GetString());
        await AssertStillSignedInAsync(hop);
    }

    [Fact]
    public async Task Get_WithAForeignReturnUrl_400()
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("//evil.example/x"));

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        Assert.Contains("invalid_return_url", hop.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task Post_SecFetchSiteNotSameOrigin_403_StillSignedIn(string site)
    {
        await SignInAsync();

        var hop = await Browser.SendAsync(SignOutPost(headers: r =>
        {
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", site);
            r.Headers.TryAddWithoutValidation("Origin", OtherSite);
        }));

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Contains("cross_site_sign_out", hop.Body, StringComparison.Ordinal);
        Assert.Contains("href=\"/oauth2/sign_out\"", hop.Body, StringComparison.Ordinal);
        await AssertStillSignedInAsync(hop);
        Assert.Contains(Fx.Gateway.Logs.Lines, l => l.Contains("Refused a sign-out request from another origin (Sec-Fetch-Site: " + site, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OtherSite)]
    [InlineData("http://localhost:1")] // another port
    [InlineData("https://localhost:{port}")] // another scheme
    [InlineData("http://127.0.0.1:{port}")] // another host (the gateway is http://localhost:{port})
    [InlineData("http://localhost:{port}/oauth2")] // not an origin
    [InlineData("http://localhost:{port}, http://evil.example")]
    public async Task Post_OriginOfAnotherSite_403_StillSignedIn(string origin)
    {
        await SignInAsync();
        origin = origin.Replace("{port}", Fx.Gateway.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var hop = await Browser.SendAsync(SignOutPost(headers: With("Origin", origin)));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        await AssertStillSignedInAsync(hop);
    }

    [Fact]
    public async Task Post_FromAnotherSite_WithAValidToken_StillRefused()
    {
        await SignInAsync();
        var token = TokenOf(await Browser.NavigateOnceAsync("/oauth2/sign_out"));

        var hop = await Browser.SendAsync(SignOutPost(token, headers: With("Sec-Fetch-Site", "cross-site")));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        await AssertStillSignedInAsync(hop);
    }

    [Fact]
    public async Task Post_FromAnotherSite_AsAnApiCall_403Json()
    {
        await SignInAsync();

        var hop = await Browser.SendAsync(SignOutPost(headers: r =>
        {
            r.Headers.Remove("Accept");
            r.Headers.Remove("Sec-Fetch-Mode");
            r.Headers.TryAddWithoutValidation("Accept", "application/json");
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "cors");
            r.Headers.TryAddWithoutValidation("Origin", OtherSite);
        }));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Equal("cross_site_sign_out", TestBrowser.Json(hop).RootElement.GetProperty("error").GetString());
        await AssertStillSignedInAsync(hop);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Sec-Fetch-Site", "none")]
    [InlineData("Origin", "{gateway}")]
    public async Task Post_SameOrigin_SignsOut_RevokesAndGoesToTheProviderLogout(string header, string value)
    {
        var refreshToken = await SignInAsync();

        var hop = await Browser.SendAsync(SignOutPost(headers: With(header, value.Replace("{gateway}", Fx.Gateway.Url, StringComparison.Ordinal))));

        await AssertSignedOutAsync(hop, refreshToken);
    }

    [Fact]
    public async Task Post_SameOriginApiCall_SignsOut()
    {
        var refreshToken = await SignInAsync();

        // fetch("/oauth2/sign_out", { method: "POST" }) from a page of the site.
        var hop = await Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, Browser.Resolve("/oauth2/sign_out"))
        {
            Headers =
            {
                { "Accept", "*/*" },
                { "Sec-Fetch-Mode", "cors" },
                { "Sec-Fetch-Site", "same-origin" },
                { "Origin", Fx.Gateway.Url },
            },
        });

        await AssertSignedOutAsync(hop, refreshToken);
    }

    [Fact]
    public async Task Post_NoOriginHeaders_WithThePagesToken_SignsOut()
    {
        var refreshToken = await SignInAsync();
        var page = await Browser.NavigateOnceAsync("/oauth2/sign_out");

        // A browser that sends neither Sec-Fetch-Site nor Origin, submitting the page's form.
        var hop = await Browser.SendAsync(SignOutPost(TokenOf(page)));

        await AssertSignedOutAsync(hop, refreshToken);
    }

    [Fact]
    public async Task Post_OriginNull_WithThePagesToken_SignsOut()
    {
        var refreshToken = await SignInAsync();
        var page = await Browser.NavigateOnceAsync("/oauth2/sign_out");

        var hop = await Browser.SendAsync(SignOutPost(TokenOf(page), headers: With("Origin", "null")));

        await AssertSignedOutAsync(hop, refreshToken);
    }

    [Fact]
    public async Task Post_NoOriginHeaders_WithoutToken_403_StillSignedIn()
    {
        await SignInAsync();

        var hop = await Browser.SendAsync(SignOutPost());

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Contains("sign_out_not_confirmed", hop.Body, StringComparison.Ordinal);
        await AssertStillSignedInAsync(hop);
        Assert.Contains(Fx.Gateway.Logs.Lines, l => l.Contains("Refused a sign-out request that showed neither its origin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_NoOriginHeaders_WithAnotherBrowsersToken_403_StillSignedIn()
    {
        await SignInAsync();

        // The attacker loads the page in their own browser and plants its token in a form the victim submits.
        using var attacker = Fx.NewBrowser();
        var token = TokenOf(await attacker.NavigateOnceAsync("/oauth2/sign_out"));
        var hop = await Browser.SendAsync(SignOutPost(token));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        await AssertStillSignedInAsync(hop);
    }

    [Fact]
    public async Task Post_NoOriginHeaders_TokenWithoutItsCookie_403()
    {
        await SignInAsync();
        var token = TokenOf(await Browser.NavigateOnceAsync("/oauth2/sign_out"));
        foreach (Cookie cookie in Browser.Cookies.GetCookies(new Uri(Fx.Gateway.Url + "/oauth2/sign_out")))
        {
            if (cookie.Name == "_gateway_csrf")
            {
                cookie.Expired = true;
            }
        }

        var hop = await Browser.SendAsync(SignOutPost(token));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        await AssertStillSignedInAsync(hop);
    }

    [Fact]
    public async Task SignOutPage_TokenCookie_StrictHttpOnlyAndOnlyForTheGatewaysPaths()
    {
        var page = await Browser.NavigateOnceAsync("/oauth2/sign_out");

        var cookie = Assert.Single(page.SetCookies.Select(SetCookie.Parse), c => c.Name == "_gateway_csrf");
        Assert.Equal("/oauth2", cookie.Attributes["path"]);
        Assert.Equal("strict", cookie.Attributes["samesite"]?.ToLowerInvariant());
        Assert.True(cookie.Attributes.ContainsKey("httponly"));
    }

    [Fact]
    public async Task TokenCookie_NeverReachesTheBackend()
    {
        var hop = await Browser.ApiGetAsync("/public/x", r => r.Headers.TryAddWithoutValidation("Cookie", "_gateway_csrf=abc; app=1"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal("app=1", BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/public/x"), "Cookie").Single());
    }

    [Fact]
    public async Task SignOut_WithAReturnUrl_PageCarriesItIntoTheForm()
    {
        var page = await Browser.NavigateOnceAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("/bye?x=1"));

        Assert.Contains("<input type=\"hidden\" name=\"rd\" value=\"/bye?x=1\">", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedOutPage_WithoutSession_SaysSoAndLinksToSignIn()
    {
        var page = await Browser.NavigateOnceAsync("/oauth2/signed_out");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("text/html", TestBrowser.MediaType(page));
        Assert.Contains("<h1>You are signed out</h1>", page.Body, StringComparison.Ordinal);
        Assert.Contains("<a id=\"sign-in\" href=\"/oauth2/sign_in\">Sign in again</a>", page.Body, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Response.Headers.CacheControl?.ToString());
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/authorize"));
    }

    [Fact]
    public async Task SignedOutPage_StrangeQuery_StillThePage()
    {
        // Providers may add parameters (state) to the post-logout redirect; the OpenID Connect handler must not take the path.
        var page = await Browser.NavigateOnceAsync("/oauth2/signed_out?state=garbage&x=1");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("You are signed out", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedOutPage_ApiCaller_Json()
    {
        var hop = await Browser.ApiGetAsync("/oauth2/signed_out");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var json = TestBrowser.Json(hop).RootElement;
        Assert.False(json.GetProperty("signed_in").GetBoolean());
        Assert.Equal("/oauth2/sign_in", json.GetProperty("sign_in_url").GetString());
    }

    [Fact]
    public async Task SignedOutPage_WithALiveSession_SaysStillSignedIn()
    {
        await SignInAsync();

        var page = await Browser.NavigateOnceAsync("/oauth2/signed_out");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("You are still signed in", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("You are signed out", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PageThenItsButton_AsABrowserSubmitsIt_SignsOut()
    {
        var refreshToken = await SignInAsync();

        var page = await Browser.NavigateOnceAsync("/oauth2/sign_out");
        var hop = await Browser.SendAsync(SignOutPost(TokenOf(page), headers: r =>
        {
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
            r.Headers.TryAddWithoutValidation("Origin", Fx.Gateway.Url);
        }));

        await AssertSignedOutAsync(hop, refreshToken);
    }

    [Fact]
    public async Task BehindPublicOrigin_OriginIsComparedWithThePublicOne()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:PublicOrigin"] = "https://app.example.com" });
        using var browser = new TestBrowser(host);

        var internalOrigin = await browser.SendAsync(PostTo(host, "Origin", host.Url));
        var publicOrigin = await browser.SendAsync(PostTo(host, "Origin", "https://app.example.com"));
        var publicOriginDefaultPort = await browser.SendAsync(PostTo(host, "Origin", "https://APP.example.com:443"));

        Assert.Equal(HttpStatusCode.Forbidden, internalOrigin.Status);
        Assert.Equal(HttpStatusCode.Found, publicOrigin.Status);
        Assert.Equal(Fx.Cognito.LogoutEndpoint, publicOrigin.Location!.GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.Found, publicOriginDefaultPort.Status);
    }

    [Fact]
    public async Task BehindTrustedProxy_OriginIsComparedWithTheForwardedOne()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:TrustedProxies:0"] = "127.0.0.1" });
        using var browser = new TestBrowser(host);

        void Forwarded(HttpRequestMessage request)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "public.example.com");
        }

        var forwarded = PostTo(host, "Origin", "https://public.example.com");
        Forwarded(forwarded);
        var other = PostTo(host, "Origin", "https://other.example.com");
        Forwarded(other);

        Assert.Equal(HttpStatusCode.Found, (await browser.SendAsync(forwarded)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(other)).Status);
    }

    private static HttpRequestMessage PostTo(GatewayHost host, string header, string value)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, host.Url + "/oauth2/sign_out") { Content = new FormUrlEncodedContent([]) };
        TestBrowser.AddNavigationHeaders(request);
        request.Headers.TryAddWithoutValidation(header, value);
        return request;
    }
}
