using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Fake Cognito, a backend, a gateway that trusts 127.0.0.1, and a real nginx running deploy/nginx/nginx.conf.</summary>
public sealed class NginxFixture : IAsyncLifetime
{
    public FakeCognito Cognito { get; private set; } = null!;

    public BackendStub Backend { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public NginxProcess? Nginx { get; private set; }

    public async Task InitializeAsync()
    {
        Cognito = new FakeCognito();
        Backend = BackendStub.Start();
        Gateway = await GatewayHost.StartAsync(Cognito, Backend, new Dictionary<string, string?>
        {
            ["Gateway:TrustedProxies:0"] = "127.0.0.1",
            // Token hand-off (the nginx example keeps clients away from /oauth2/auth): checks for /api/token/* answer with the user's access token.
            ["Gateway:ForwardAuth:HandOffTokens"] = "true",
            ["ReverseProxy:Routes:api-token:ClusterId"] = "backend",
            ["ReverseProxy:Routes:api-token:Match:Path"] = "/api/token/{**rest}",
            ["ReverseProxy:Routes:api-token:Metadata:Gateway.Unauthenticated"] = "Deny",
            ["ReverseProxy:Routes:api-token:Metadata:Gateway.ForwardToken"] = "Access",
        });
        if (!NginxProcess.MissingAndSkippable)
        {
            Nginx = await NginxProcess.StartExampleAsync(Gateway.Url, Backend.Url);
            Cognito.RegisterApp(Nginx.Url); // nginx is the origin browsers see: its callback is the registered one
        }
    }

    public async Task DisposeAsync()
    {
        Nginx?.Dispose();
        await Gateway.DisposeAsync();
        Backend.Dispose();
        Cognito.Dispose();
    }
}

public sealed class NginxForwardAuthTests : IClassFixture<NginxFixture>, IDisposable
{
    private const string Forged = "forged-by-client";
    private readonly NginxFixture _fx;
    private readonly TestBrowser _browser;

    public NginxForwardAuthTests(NginxFixture fx)
    {
        Skip.If(NginxProcess.MissingAndSkippable, "nginx is not installed (apt-get install nginx); skipped outside CI only.");
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
        _browser = new TestBrowser(fx.Gateway);
    }

    private string Nginx => _fx.Nginx!.Url;

    public void Dispose() => _browser?.Dispose();

    private async Task SignInThroughNginxAsync()
    {
        var nav = await _browser.NavigateAsync(Nginx + "/app/landing");
        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.ToString() == Nginx + "/app/landing",
            $"Sign-in through nginx failed:\n{nav}\n{nav.Final.Body}\nnginx:\n{_fx.Nginx!.ErrorLog}\ngateway:\n{_fx.Gateway.Logs.Dump()}");
    }

    [SkippableFact]
    public async Task Nginx_NoSession_RedirectsToSignInThenCognitoWithNginxCallback()
    {
        var first = await _browser.NavigateOnceAsync(Nginx + "/app/page?x=1");

        Assert.True(first.Status == HttpStatusCode.Found, $"{first}\n{first.Body}\n{_fx.Nginx!.ErrorLog}");
        Assert.Equal("/oauth2/sign_in", first.Location!.AbsolutePath);
        Assert.Equal("/app/page?x=1", TestBrowser.Query(first.Location)["rd"]);

        var signIn = await _browser.NavigateOnceAsync(first.Location.ToString());

        Assert.Equal(HttpStatusCode.Found, signIn.Status);
        Assert.StartsWith(_fx.Cognito.AuthorizationEndpoint, signIn.Location!.ToString());
        Assert.Equal(Nginx + "/oauth2/callback", TestBrowser.Query(signIn.Location)["redirect_uri"]);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/app/page");
    }

    [SkippableFact]
    public async Task Nginx_WithSession_BackendReceivesIdentityHeadersAndNoGatewayCookies()
    {
        await SignInThroughNginxAsync();
        _browser.Cookies.Add(new Uri(Nginx), new Cookie("app_pref", "1"));

        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/page");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(BackendStub.Body, hop.Body);
        var received = _fx.Backend.LastRequestTo("/app/page");
        var user = TestUser.Default;
        Assert.Equal([user.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.Equal([user.Email], BackendStub.HeaderValues(received, "X-Forwarded-Email"));
        Assert.Equal([string.Join(',', user.Groups)], BackendStub.HeaderValues(received, "X-Forwarded-Groups"));
        Assert.Equal([user.Username], BackendStub.HeaderValues(received, "X-Forwarded-Preferred-Username"));
        var cookies = BackendStub.Cookies(received);
        Assert.DoesNotContain(cookies, c => c.Key.StartsWith("_gateway", StringComparison.Ordinal));
        Assert.Contains(new KeyValuePair<string, string>("app_pref", "1"), cookies);
    }

    [SkippableFact]
    public async Task Nginx_ForgedIdentityHeadersFromClient_AreOverwritten()
    {
        await SignInThroughNginxAsync();

        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/forged", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-User", Forged);
            r.Headers.TryAddWithoutValidation("X-Forwarded-Email", Forged);
            r.Headers.TryAddWithoutValidation("X-Forwarded-Groups", Forged);
            r.Headers.TryAddWithoutValidation("X_Forwarded_Email", Forged);
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = _fx.Backend.LastRequestTo("/app/forged");
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
    }

    /// <summary>Names the gateway reserves in proxy mode (oauth2-proxy's, ALB's, the assertion): an app moved from those may read them.</summary>
    [SkippableFact]
    public async Task Nginx_ForgedHeadersOfOtherGatewaysFromClient_NeverReachTheApp()
    {
        await SignInThroughNginxAsync();
        string[] names =
        [
            "X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Groups", "X-Auth-Request-Preferred-Username",
            "X-Auth-Request-Access-Token", "Remote-User", "X-Remote-User", "X-Amzn-Oidc-Identity", "X-Amzn-Oidc-Accesstoken",
            "X-Amzn-Oidc-Data", "X-Gateway-Assertion",
        ];

        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/forged-others", r =>
        {
            foreach (var name in names)
            {
                r.Headers.TryAddWithoutValidation(name, Forged);
            }
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = _fx.Backend.LastRequestTo("/app/forged-others");
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
    }

    [SkippableFact]
    public async Task Nginx_FederatedUser_BackendGetsTheRealProviderNotAForgedOne()
    {
        _fx.Cognito.SignInFederated(FederatedUsers.CorpSaml, "CorpSAML");
        await SignInThroughNginxAsync();

        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/provider", r => r.Headers.TryAddWithoutValidation("X-Forwarded-Identity-Provider", Forged));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = _fx.Backend.LastRequestTo("/app/provider");
        Assert.Equal(["CorpSAML"], BackendStub.HeaderValues(received, "X-Forwarded-Identity-Provider"));
        Assert.Equal(["staff"], BackendStub.HeaderValues(received, "X-Forwarded-Groups"));
    }

    [SkippableFact]
    public async Task Nginx_PoolUser_ForgedProviderHeaderIsDropped()
    {
        await SignInThroughNginxAsync();

        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/provider", r => r.Headers.TryAddWithoutValidation("X-Forwarded-Identity-Provider", Forged));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/app/provider"), "X-Forwarded-Identity-Provider"));
    }

    [SkippableFact]
    public async Task Nginx_ForgedIdentityHeadersWithoutSession_NeverReachBackend()
    {
        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/forged", r => r.Headers.TryAddWithoutValidation("X-Forwarded-User", Forged));

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/app/forged");
    }

    [SkippableFact]
    public async Task Nginx_ForgedOriginalUriPointingAtAnonymousRoute_DoesNotOpenProtectedPath()
    {
        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/secret", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-Uri", "/public/x");
            r.Headers.TryAddWithoutValidation("X-Original-URI", "/public/x");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Method", "OPTIONS");
        });

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.Equal("/oauth2/sign_in", hop.Location!.AbsolutePath);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/app/secret");
    }

    [SkippableFact]
    public async Task Nginx_PathOfAnonymousGatewayRoute_PassesWithoutSession()
    {
        var hop = await _browser.NavigateOnceAsync(Nginx + "/public/page");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/public/page"), "X-Forwarded-User"));
    }

    [SkippableFact]
    public async Task Nginx_PathOfAdminRouteForUserOutsideGroup_Gets403()
    {
        _fx.Cognito.User = TestUser.NoGroups;
        await SignInThroughNginxAsync();

        var hop = await _browser.NavigateOnceAsync(Nginx + "/admin/panel");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/admin/panel");
    }

    [SkippableFact]
    public async Task Nginx_TokenHandOff_RouteWithForwardTokenAccess_AppGetsTheUsersAccessTokenFromTheGateway()
    {
        await SignInThroughNginxAsync();

        var hop = await _browser.ApiGetAsync(Nginx + "/api/token/orders", r =>
        {
            r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Forged);
            r.Headers.TryAddWithoutValidation("X-Forwarded-Access-Token", Forged);
        });

        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{_fx.Nginx!.ErrorLog}\n{_fx.Gateway.Logs.Dump()}");
        var received = _fx.Backend.LastRequestTo("/api/token/orders");
        var token = Assert.Single(BackendStub.HeaderValues(received, "X-Forwarded-Access-Token"));
        Assert.Equal(["Bearer " + token], BackendStub.HeaderValues(received, "Authorization"));
        var claims = JwksVerifier.Decode(token).Payload;
        Assert.Equal("access", claims.GetProperty("token_use").GetString());
        Assert.Equal(TestUser.Default.Sub, claims.GetProperty("sub").GetString());
    }

    [SkippableFact]
    public async Task Nginx_TokenHandOff_OtherRoutes_AppGetsNoTokenAndNeverTheClientsOwn()
    {
        await SignInThroughNginxAsync();

        var hop = await _browser.ApiGetAsync(Nginx + "/api/items", r =>
        {
            r.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Forged);
            r.Headers.TryAddWithoutValidation("X-Forwarded-Access-Token", Forged);
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = _fx.Backend.LastRequestTo("/api/items");
        Assert.Empty(BackendStub.HeaderValues(received, "Authorization"));
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-Access-Token"));
    }

    [SkippableFact]
    public async Task Nginx_ApiLocationWithoutSession_Gets401NotRedirect()
    {
        var hop = await _browser.ApiGetAsync(Nginx + "/api/items");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Null(hop.Response.Headers.Location);
        Assert.Empty(_fx.Backend.Requests);
    }
    [SkippableFact]
    public async Task Nginx_PathVariants_Anonymous_GetTheCanonicalRoutesDecisionOr400()
    {
        var failures = await CheckAllVariantsAsync(cookieHeader: null);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures) + $"\nnginx:\n{_fx.Nginx!.ErrorLog}\ngateway:\n{_fx.Gateway.Logs.Dump()}");
    }

    [SkippableFact]
    public async Task Nginx_PathVariants_SignedInUserOutsideAdmins_GetTheCanonicalRoutesDecisionOr400()
    {
        _fx.Cognito.User = TestUser.NoGroups;
        await SignInThroughNginxAsync();

        var failures = await CheckAllVariantsAsync(_browser.Cookies.GetCookieHeader(new Uri(Nginx)));

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures) + $"\nnginx:\n{_fx.Nginx!.ErrorLog}\ngateway:\n{_fx.Gateway.Logs.Dump()}");
    }

    /// <summary>nginx resolves the path for its location but sends the raw one as X-Original-URI: the gateway must judge the same path.</summary>
    private async Task<List<string>> CheckAllVariantsAsync(string? cookieHeader)
    {
        var headers = RawHttp.BrowserHeaders(cookieHeader);
        var failures = new List<string>();
        foreach (var (raw, canonical) in PathVariants.All)
        {
            var before = _fx.Backend.Requests.Count;
            var response = await RawHttp.GetAsync(Nginx, raw, headers);
            var reachedApp = _fx.Backend.Requests.Count > before;
            var got = PathVariants.Decision(response.Status);
            var expected = "refused";
            if (canonical is not null)
            {
                expected = PathVariants.Decision((await RawHttp.GetAsync(Nginx, PathVariants.Encode(canonical), headers)).Status);
            }

            // nginx refuses some spellings itself (a NUL, a path above the root) before asking the gateway: 400 is always fine.
            if (got != expected && got != "refused")
            {
                failures.Add($"{raw}: {got} ({response}), but {(canonical is null ? "the gateway refuses it" : $"its canonical path {canonical} gets {expected}")}");
            }
            else if (reachedApp && got != "through")
            {
                failures.Add($"{raw}: the app received the request although the answer was {response}");
            }
        }

        return failures;
    }

    public static TheoryData<string> AuthEndpointSpellings =>
    [
        "/oauth2/auth", "/oauth2/AUTH", "/oauth2/Auth", "/OAUTH2/AUTH", "/oauth2/auth/", "/oauth2/auth/x", "//oauth2/auth",
        "/oauth2//auth", "/oauth2/./auth", "/oauth2/x/../auth", "/oauth2/%61uth", "/oauth2/%41UTH", "/oauth2/auth;x",
        "/oauth2/auth%3Bx", "/oauth2/auth.", "/oauth2/auth%2F", "/oauth2/auth?x=1", "/oauth2/%2e/auth", "/%6Fauth2/auth",
    ];

    [SkippableTheory]
    [MemberData(nameof(AuthEndpointSpellings))]
    public async Task Nginx_ForwardAuthEndpoint_IsUnreachableFromClientsInAnySpelling(string target)
    {
        await SignInThroughNginxAsync();
        var headers = RawHttp.BrowserHeaders(_browser.Cookies.GetCookieHeader(new Uri(Nginx)));
        headers.Add(new("X-Forwarded-Uri", "/public/x"));
        headers.Add(new("X-Original-URI", "/public/x"));
        headers.Add(new("X-Forwarded-Method", "GET"));

        var response = await RawHttp.GetAsync(Nginx, target, headers);

        Assert.True(response.Status != 202, $"{response}\n{response.Body}");
        Assert.DoesNotContain(response.Headers.Keys, h => h.StartsWith("X-Auth-Request-", StringComparison.OrdinalIgnoreCase) ||
                                                           h.Equals("X-Forwarded-User", StringComparison.OrdinalIgnoreCase));
    }

    [SkippableFact]
    public async Task Nginx_ClientSentOriginalRequestHeaders_NeverReachGatewayOrApp()
    {
        _fx.Cognito.User = TestUser.NoGroups;
        await SignInThroughNginxAsync();

        var hop = await _browser.NavigateOnceAsync(Nginx + "/app/forged-uri", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-Uri", "/admin/x");
            r.Headers.TryAddWithoutValidation("X-Original-URI", "/admin/x");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Method", "POST");
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = _fx.Backend.LastRequestTo("/app/forged-uri");
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-Uri"));
        Assert.Empty(BackendStub.HeaderValues(received, "X-Original-URI"));
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-Method"));
    }
}
