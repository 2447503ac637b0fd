using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class LoginFlowTests : GatewayTest<GatewayFixture>
{
    public LoginFlowTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public async Task ProtectedRoute_BrowserNavigationWithoutSession_RedirectsToCognitoAuthorize()
    {
        var hop = await Browser.NavigateOnceAsync("/a/b?x=1");

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        var location = hop.Location!;
        Assert.Equal(Fx.Cognito.AuthorizationEndpoint, location.GetLeftPart(UriPartial.Path));
        var q = TestBrowser.Query(location);
        Assert.Equal(FakeCognito.ClientId, q.GetValueOrDefault("client_id"));
        Assert.Equal(Fx.Gateway.CallbackUrl, q.GetValueOrDefault("redirect_uri"));
        Assert.Equal("code", q.GetValueOrDefault("response_type"));
        Assert.Equal(new[] { "email", "openid", "profile" }, q.GetValueOrDefault("scope")!.Split(' ').Order().ToArray());
        Assert.False(string.IsNullOrEmpty(q.GetValueOrDefault("state")), "state missing");
        Assert.False(string.IsNullOrEmpty(q.GetValueOrDefault("nonce")), "nonce missing");
        Assert.Equal("S256", q.GetValueOrDefault("code_challenge_method"));
        Assert.Matches("^[A-Za-z0-9_-]{43}$", q.GetValueOrDefault("code_challenge") ?? string.Empty);

        var cookies = hop.SetCookies.Select(SetCookie.Parse).ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.StartsWith("_gateway", c.Name));
    }

    [Fact]
    public async Task ProtectedRoute_TwoChallenges_UseFreshStateNonceAndChallenge()
    {
        var first = TestBrowser.Query((await Browser.NavigateOnceAsync("/one")).Location!);
        var second = TestBrowser.Query((await Browser.NavigateOnceAsync("/two")).Location!);

        Assert.NotEqual(first["state"], second["state"]);
        Assert.NotEqual(first["nonce"], second["nonce"]);
        Assert.NotEqual(first["code_challenge"], second["code_challenge"]);
    }

    public static TheoryData<string, string, string[]> ApiRequests => new()
    {
        { "Accept json", "application/json", [] },
        { "Accept any", "*/*", [] },
        { "XHR with html accept", "text/html", ["X-Requested-With", "XMLHttpRequest"] },
        { "fetch cors", "text/html", ["Sec-Fetch-Mode", "cors"] },
        { "fetch no-cors", "*/*", ["Sec-Fetch-Mode", "no-cors"] },
    };

    [Theory]
    [MemberData(nameof(ApiRequests))]
    public async Task ProtectedRoute_ApiRequestWithoutSession_Returns401JsonWithoutRedirect(string _, string accept, string[] header)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Browser.Resolve("/data/items"));
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (header.Length == 2)
        {
            request.Headers.TryAddWithoutValidation(header[0], header[1]);
        }

        var hop = await Browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.NotEmpty(hop.Response.Headers.WwwAuthenticate);
        Assert.Null(hop.Response.Headers.Location);
        Assert.Equal("application/json", TestBrowser.MediaType(hop)?.Replace("problem+", string.Empty));
        using var _json = TestBrowser.Json(hop);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task FullRoundTrip_DeepLink_LandsOnOriginalUrlWithIdentityHeaders()
    {
        var nav = await Browser.NavigateAsync("/a/b?x=1");

        Assert.True(nav.Status == HttpStatusCode.OK, nav.ToString());
        Assert.Equal("/a/b?x=1", nav.FinalUrl.PathAndQuery);
        Assert.Equal(Fx.Gateway.Url, nav.FinalUrl.GetLeftPart(UriPartial.Authority));
        Assert.Equal(BackendStub.Body, nav.Final.Body);
        Assert.NotNull(nav.Hops.FirstOrDefault(h => h.Url.AbsolutePath == "/oauth2/authorize"));
        var callback = nav.HopAt("/oauth2/callback");
        Assert.NotNull(callback);
        Assert.Equal(HttpStatusCode.Found, callback.Status);
        Assert.Equal("/a/b?x=1", callback.Location!.PathAndQuery);

        var received = Fx.Backend.LastRequestTo("/a/b");
        Assert.Equal("?x=1", new Uri(received.Url).Query);
        var user = TestUser.Default;
        Assert.Equal([user.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.Equal([user.Email], BackendStub.HeaderValues(received, "X-Forwarded-Email"));
        Assert.Equal([user.Username], BackendStub.HeaderValues(received, "X-Forwarded-Preferred-Username"));
        Assert.Equal(["admins,staff"], BackendStub.HeaderValues(received, "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task Callback_Success_SetsHttpOnlyLaxSessionCookieAtRootPath()
    {
        var nav = await Browser.NavigateAsync("/cookie-check");
        var callback = nav.HopAt("/oauth2/callback");
        Assert.True(callback is not null, nav.ToString());

        var session = callback.SetCookies.Select(SetCookie.Parse)
            .Where(c => SetCookie.IsSessionCookieName(c.Name) && !c.IsDeletion).ToList();
        Assert.NotEmpty(session);
        Assert.All(session, c =>
        {
            Assert.True(c.Attributes.ContainsKey("httponly"), $"{c.Name} is not HttpOnly");
            Assert.Equal("lax", c.Attributes.GetValueOrDefault("samesite")?.ToLowerInvariant());
            Assert.Equal("/", c.Attributes.GetValueOrDefault("path"));
        });

        var main = session.FirstOrDefault(c => c.Name == "_gateway");
        Assert.NotNull(main);
        if (session.Count > 1)
        {
            Assert.Equal($"chunks-{session.Count - 1}", main.Value);
        }

        Assert.Equal(HttpStatusCode.OK, nav.Status);
    }

    [Fact]
    public async Task Callback_Success_ClearsCorrelationCookies()
    {
        var nav = await Browser.NavigateAsync("/correlation");
        Assert.Equal(HttpStatusCode.OK, nav.Status);

        var left = Browser.GatewayCookies().Where(c => !SetCookie.IsSessionCookieName(c.Name)).Select(c => c.Name).ToList();
        Assert.Empty(left);
    }

    [Fact]
    public async Task TokenExchange_PublicClient_SendsCodeRedirectUriAndPkceVerifier()
    {
        var nav = await Browser.NavigateAsync("/pkce");
        Assert.Equal(HttpStatusCode.OK, nav.Status);

        var record = Assert.Single(Fx.Cognito.Codes.Values);
        var tokenRequest = Assert.Single(Fx.Cognito.RequestsTo("/oauth2/token"));
        var form = FakeCognito.ParseForm(tokenRequest);
        Assert.Equal("authorization_code", form.GetValueOrDefault("grant_type"));
        Assert.Equal(record.Code, form.GetValueOrDefault("code"));
        Assert.Equal(Fx.Gateway.CallbackUrl, form.GetValueOrDefault("redirect_uri"));
        Assert.True(form.TryGetValue("code_verifier", out var verifier), "code_verifier missing");
        Assert.Equal(record.CodeChallenge, TestTokens.S256(verifier));
        Assert.False(form.ContainsKey("client_secret"));
    }

    [Fact]
    public async Task SignInEndpoint_WithSession_StillServesBackendAfterwards()
    {
        await Browser.SignInAsync("/first");
        Fx.Cognito.Server.ResetLogEntries();

        var second = await Browser.NavigateAsync("/second?y=2");

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Single(second.Hops);
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/authorize"));
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/second"), "X-Forwarded-User"));
    }

    [Fact]
    public async Task Session_ApiRequestWithSession_IsProxiedNot401()
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/data/items");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(BackendStub.Body, hop.Body);
    }

    [Fact]
    public async Task UserInfo_WithoutSession_Returns401Json()
    {
        var hop = await Browser.ApiGetAsync("/oauth2/userinfo");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        using var _ = TestBrowser.Json(hop);
    }

    [Fact]
    public async Task UserInfo_WithSession_ReturnsUserJson()
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/oauth2/userinfo");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        using var json = TestBrowser.Json(hop);
        var root = json.RootElement;
        var user = TestUser.Default;
        Assert.Equal(user.Sub, root.GetProperty("sub").GetString());
        Assert.Equal(user.Email, root.GetProperty("email").GetString());
        Assert.Equal(user.Username, root.GetProperty("username").GetString());
        Assert.Equal(user.Groups, root.GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
        Assert.Contains(root.EnumerateObject(), p => p.Name.Contains("exp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("eyJ", hop.Body); // no raw tokens
    }

    [Fact]
    public async Task SessionCookie_TamperedValue_IsTreatedAsSignedOut()
    {
        Browser.Cookies.Add(Browser.Gateway.BaseUri, new Cookie("_gateway", "garbage"));

        var page = await Browser.NavigateOnceAsync("/tampered");
        var api = await Browser.ApiGetAsync("/tampered");

        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, page.Location!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task SessionCookie_GarbageChunks_IsTreatedAsSignedOut()
    {
        var uri = Browser.Gateway.BaseUri;
        Browser.Cookies.Add(uri, new Cookie("_gateway", "chunks-2"));
        Browser.Cookies.Add(uri, new Cookie("_gatewayC1", "Q2ZESjhB"));
        Browser.Cookies.Add(uri, new Cookie("_gatewayC2", "bm9wZQ"));

        var api = await Browser.ApiGetAsync("/tampered");

        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
    }

    [Fact]
    public async Task ConfigFile_CognitoSectionInJsonFile_IsLayeredOverDefaults()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gateway-test-{Guid.NewGuid():N}.json");
        var json = $$"""
            {
              "Gateway": { "Cognito": { "Authority": "{{Fx.Cognito.Authority}}", "ClientId": "client-from-file" } },
              "ReverseProxy": {
                "Routes": { "app": { "ClusterId": "backend", "Match": { "Path": "{**catch-all}" } } },
                "Clusters": { "backend": { "Destinations": { "d1": { "Address": "{{Fx.Backend.Url}}" } } } }
              }
            }
            """;
        await File.WriteAllTextAsync(file, json, Encoding.UTF8);
        try
        {
            await using var host = await GatewayHost.StartAsync(["--config", file], new Dictionary<string, string?>());
            using var browser = new TestBrowser(host);

            var hop = await browser.NavigateOnceAsync("/from-file");

            Assert.Equal(HttpStatusCode.Found, hop.Status);
            Assert.Equal(Fx.Cognito.AuthorizationEndpoint, hop.Location!.GetLeftPart(UriPartial.Path));
            Assert.Equal("client-from-file", TestBrowser.Query(hop.Location)["client_id"]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
