using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>
/// <c>Gateway:Apps</c>: two apps on their own host names (<c>wiki.localhost</c>, <c>crm.localhost</c>), each with its own
/// stand-in user pool (two <see cref="FakeCognito"/> instances: different issuers and signing keys), its own session
/// cookie, SignOutUri and policies. No top-level provider: a host of neither app gets 404.
/// </summary>
public sealed class ManyAppsFixture : IAsyncLifetime
{
    public const string WikiClientId = "wiki4b5urk1ft4fl3mg5e62d9a";

    public const string CrmClientId = "crm4b5urk1ft4fl3mg5e62d9ad";

    // Two app clients with their own ids, as two real app clients would have.
    public FakeCognito WikiPool { get; } = new() { AllowHttpLocalhostSubdomains = true, AppClientId = WikiClientId };

    public FakeCognito CrmPool { get; } = new() { AllowHttpLocalhostSubdomains = true, AppClientId = CrmClientId };

    public BackendStub Backend { get; } = BackendStub.Start();

    public GatewayHost Gateway { get; private set; } = null!;

    public int Port { get; private set; }

    public string Wiki => $"http://wiki.localhost:{Port}";

    public string Crm => $"http://crm.localhost:{Port}";

    public const string CrmSignOutUri = "https://crm.example.com/goodbye";

    public static Dictionary<string, string?> Config(FakeCognito wikiPool, FakeCognito crmPool, string backendUrl) => new()
    {
        ["Gateway:Apps:wiki:Hosts:0"] = "wiki.localhost",
        ["Gateway:Apps:wiki:Cognito:Authority"] = wikiPool.Authority,
        ["Gateway:Apps:wiki:Cognito:ClientId"] = wikiPool.AppClientId,

        ["Gateway:Apps:crm:Hosts:0"] = "crm.localhost",
        ["Gateway:Apps:crm:Hosts:1"] = "*.crm.localhost",
        ["Gateway:Apps:crm:Cognito:Authority"] = crmPool.Authority,
        ["Gateway:Apps:crm:Cognito:ClientId"] = crmPool.AppClientId,
        ["Gateway:Apps:crm:CookieName"] = "crm_session",
        ["Gateway:Apps:crm:SignOutUri"] = CrmSignOutUri,
        ["Gateway:Apps:crm:Policies:sales:Groups:0"] = "sales",
        ["Gateway:Apps:crm:Cognito:TrustedEmailProviders:0"] = "Google",
        ["Gateway:Apps:crm:Cognito:AllowedIdentityProviders:0"] = "Google",

        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",

        ["ReverseProxy:Routes:sales:ClusterId"] = "backend",
        ["ReverseProxy:Routes:sales:Match:Path"] = "/sales/{**rest}",
        ["ReverseProxy:Routes:sales:AuthorizationPolicy"] = "sales",

        // Served on every host, but always as the crm app (its client, its session).
        ["ReverseProxy:Routes:reports:ClusterId"] = "backend",
        ["ReverseProxy:Routes:reports:Match:Path"] = "/crm-reports/{**rest}",
        ["ReverseProxy:Routes:reports:Metadata:Gateway.App"] = "crm",

        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = backendUrl,
    };

    public async Task InitializeAsync()
    {
        Gateway = await GatewayHost.StartAsync([], Config(WikiPool, CrmPool, Backend.Url));
        Port = Gateway.BaseUri.Port;
        WikiPool.AllowCallbackUrl(Wiki + "/oauth2/callback");
        WikiPool.AllowSignOutUrl(Wiki + "/");
        CrmPool.AllowCallbackUrl(Crm + "/oauth2/callback");
        CrmPool.AllowCallbackUrl($"http://eu.crm.localhost:{Port}/oauth2/callback");
        CrmPool.AllowCallbackUrl(Wiki + "/oauth2/callback"); // the Gateway.App route signs in to crm on wiki's host
        CrmPool.AllowSignOutUrl(CrmSignOutUri);
    }

    public void ResetStubs()
    {
        WikiPool.Reset();
        CrmPool.Reset();
        Backend.Reset();
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        DisposeStandIns();
    }

    /// <summary>Disposes the stand-ins (for a fixture that borrowed them and started its own gateway).</summary>
    public void DisposeStandIns()
    {
        WikiPool.Dispose();
        CrmPool.Dispose();
        Backend.Dispose();
    }
}

public sealed class ManyAppsTests : IClassFixture<ManyAppsFixture>, IDisposable
{
    private readonly ManyAppsFixture _fx;
    private readonly HostBrowser _browser;

    public ManyAppsTests(ManyAppsFixture fx)
    {
        _fx = fx;
        fx.ResetStubs();
        _browser = new HostBrowser();
    }

    public void Dispose() => _browser.Dispose();

    [Fact]
    public void StartUp_RoutesWithoutHostsOrApp_AreNamedInOneWarning()
    {
        var warning = Assert.Single(_fx.Gateway.Logs.Lines, l => l.StartsWith("Warning Gateway.Startup: Routes ", StringComparison.Ordinal));

        // "app" and "sales" match on path only; "reports" names its app (Gateway.App).
        Assert.StartsWith("Warning Gateway.Startup: Routes app, sales have no Match:Hosts and no Gateway.App metadata", warning, StringComparison.Ordinal);
        Assert.Contains("Gateway.App", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_OnEachHost_GoesToThatAppsPoolAndSetsItsOwnCookie()
    {
        var wiki = await _browser.NavigateAsync(_fx.Wiki + "/page");
        Assert.True(wiki.Final.StatusCode == HttpStatusCode.OK, wiki.ToString() + _fx.Gateway.Logs.Dump());
        Assert.Contains(wiki.All, h => h.Url.Port == new Uri(_fx.WikiPool.Url).Port && h.Url.AbsolutePath == "/oauth2/authorize");
        Assert.DoesNotContain(wiki.All, h => h.Url.Port == new Uri(_fx.CrmPool.Url).Port);
        Assert.Single(_fx.WikiPool.RequestsTo("/oauth2/token"));

        var crm = await _browser.NavigateAsync(_fx.Crm + "/page");
        Assert.True(crm.Final.StatusCode == HttpStatusCode.OK, crm.ToString() + _fx.Gateway.Logs.Dump());
        Assert.Contains(crm.All, h => h.Url.Port == new Uri(_fx.CrmPool.Url).Port && h.Url.AbsolutePath == "/oauth2/authorize");
        Assert.Single(_fx.CrmPool.RequestsTo("/oauth2/token"));

        // Default name for wiki (Session:CookieName + "_wiki"), the configured one for crm; each only on its host.
        Assert.Equal(["_gateway_wiki"], _browser.CookieNames(_fx.Wiki));
        Assert.Equal(["crm_session"], _browser.CookieNames(_fx.Crm));

        var received = _fx.Backend.LastRequestTo("/page");
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.DoesNotContain(BackendStub.Cookies(received), c => c.Key is "_gateway_wiki" or "crm_session");
    }

    [Fact]
    public async Task IdentityHeaders_FollowTheAppsOwnProviderRules()
    {
        // Google users' email is unverified; only crm lists Google in its TrustedEmailProviders.
        _fx.WikiPool.User = TestUser.Google;
        _fx.CrmPool.User = TestUser.Google;
        Assert.Equal(HttpStatusCode.OK, (await _browser.NavigateAsync(_fx.Wiki + "/w")).Final.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _browser.NavigateAsync(_fx.Crm + "/c")).Final.StatusCode);

        Assert.Empty(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/w"), "X-Forwarded-Email"));
        Assert.Equal([TestUser.Google.Email], BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/c"), "X-Forwarded-Email"));
    }

    [Fact]
    public async Task SignInHints_FollowTheAppsOwnCognitoSection()
    {
        var crm = await _browser.SendAsync(HttpMethod.Get, _fx.Crm + "/oauth2/sign_in?identity_provider=Google");
        Assert.Equal(HttpStatusCode.Found, crm.StatusCode);
        Assert.Equal("Google", TestBrowser.Query(crm.Headers.Location!)["identity_provider"]);

        // wiki allows no identity_provider names.
        var wiki = await _browser.SendAsync(HttpMethod.Get, _fx.Wiki + "/oauth2/sign_in?identity_provider=Google");
        Assert.Equal(HttpStatusCode.BadRequest, wiki.StatusCode);
    }

    [Fact]
    public async Task Wildcard_Host_BelongsToItsApp()
    {
        var nav = await _browser.NavigateAsync($"http://eu.crm.localhost:{_fx.Port}/page");
        Assert.Equal(HttpStatusCode.OK, nav.Final.StatusCode);
        Assert.Contains(nav.All, h => h.Url.Port == new Uri(_fx.CrmPool.Url).Port);
        Assert.Equal(["crm_session"], _browser.CookieNames($"http://eu.crm.localhost:{_fx.Port}"));
    }

    [Fact]
    public async Task SessionOfWiki_SentToCrm_UnderEitherName_IsRefused()
    {
        await _browser.NavigateAsync(_fx.Wiki + "/page");
        var wikiCookie = Assert.Single(_browser.Cookies.GetCookies(new Uri(_fx.Wiki)), c => c.Name == "_gateway_wiki").Value;

        foreach (var name in new[] { "crm_session", "_gateway_wiki" })
        {
            using var other = new HostBrowser();
            other.Cookies.Add(new Uri(_fx.Crm), new Cookie(name, wikiCookie));
            var hop = await other.SendAsync(HttpMethod.Get, _fx.Crm + "/page");

            // Not the backend: crm sends the browser to its own pool's sign-in.
            Assert.Equal(HttpStatusCode.Found, hop.StatusCode);
            Assert.StartsWith(_fx.CrmPool.AuthorizationEndpoint, hop.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        }

        // The same cookie on its own host still works.
        using var owner = new HostBrowser();
        owner.Cookies.Add(new Uri(_fx.Wiki), new Cookie("_gateway_wiki", wikiCookie));
        Assert.Equal(HttpStatusCode.OK, (await owner.SendAsync(HttpMethod.Get, _fx.Wiki + "/page")).StatusCode);
    }

    [Fact]
    public async Task AppPolicy_AppliesOnItsApp_AndRefusesOnAnAppWithoutIt()
    {
        _fx.CrmPool.User = TestUser.Default with { Groups = ["sales"] };
        _fx.WikiPool.User = TestUser.Default with { Groups = ["sales"] };
        Assert.Equal(HttpStatusCode.OK, (await _browser.NavigateAsync(_fx.Crm + "/sales/q3")).Final.StatusCode);

        // wiki has no policy named 'sales' (and there is no top-level one): nobody passes there.
        Assert.Equal(HttpStatusCode.Forbidden, (await _browser.NavigateAsync(_fx.Wiki + "/sales/q3")).Final.StatusCode);
    }

    [Fact]
    public async Task AppPolicy_RefusesUserOutsideIt()
    {
        _fx.CrmPool.User = TestUser.Default with { Groups = ["support"] };
        Assert.Equal(HttpStatusCode.Forbidden, (await _browser.NavigateAsync(_fx.Crm + "/sales/q3")).Final.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _browser.NavigateAsync(_fx.Crm + "/page")).Final.StatusCode);
    }

    [Fact]
    public async Task SignOut_UsesEachAppsClientAndSignOutUri()
    {
        await _browser.NavigateAsync(_fx.Wiki + "/page");
        await _browser.NavigateAsync(_fx.Crm + "/page");

        var crm = await _browser.SignOutAsync(_fx.Crm);
        Assert.Equal(HttpStatusCode.Found, crm.StatusCode);
        var crmLogout = crm.Headers.Location!;
        Assert.StartsWith(_fx.CrmPool.LogoutEndpoint, crmLogout.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(ManyAppsFixture.CrmSignOutUri, TestBrowser.Query(crmLogout)["logout_uri"]);

        // Only crm's session ended: wiki's is untouched.
        Assert.Empty(_browser.CookieNames(_fx.Crm));
        Assert.Equal(HttpStatusCode.OK, (await _browser.SendAsync(HttpMethod.Get, _fx.Wiki + "/page")).StatusCode);

        var wiki = await _browser.SignOutAsync(_fx.Wiki);
        var wikiLogout = wiki.Headers.Location!;
        Assert.StartsWith(_fx.WikiPool.LogoutEndpoint, wikiLogout.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(_fx.Wiki + "/", TestBrowser.Query(wikiLogout)["logout_uri"]);
    }

    [Fact]
    public async Task HostOfNoApp_Gets404_NotASignIn()
    {
        var hop = await _browser.SendAsync(HttpMethod.Get, $"http://other.localhost:{_fx.Port}/page");
        Assert.Equal(HttpStatusCode.NotFound, hop.StatusCode);
        Assert.Empty(_fx.WikiPool.RequestsTo("/oauth2/authorize"));
        Assert.Empty(_fx.CrmPool.RequestsTo("/oauth2/authorize"));

        var signIn = await _browser.SendAsync(HttpMethod.Get, $"http://other.localhost:{_fx.Port}/oauth2/sign_in");
        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
    }

    [Fact]
    public async Task RouteNamingAnApp_SignsInToThatApp_OnAnotherAppsHost()
    {
        var nav = await _browser.NavigateAsync(_fx.Wiki + "/crm-reports/weekly");
        Assert.True(nav.Final.StatusCode == HttpStatusCode.OK, nav.ToString() + _fx.Gateway.Logs.Dump());
        Assert.Contains(nav.All, h => h.Url.Port == new Uri(_fx.CrmPool.Url).Port && h.Url.AbsolutePath == "/oauth2/authorize");
        Assert.Empty(_fx.WikiPool.RequestsTo("/oauth2/authorize"));

        // crm's cookie on wiki's host; wiki's own pages still need wiki's sign-in.
        Assert.Equal(["crm_session"], _browser.CookieNames(_fx.Wiki));
        var wikiPage = await _browser.SendAsync(HttpMethod.Get, _fx.Wiki + "/page");
        Assert.Equal(HttpStatusCode.Found, wikiPage.StatusCode);
        Assert.StartsWith(_fx.WikiPool.AuthorizationEndpoint, wikiPage.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_OfAnotherAppsSignIn_ReplayedOnThisHost_MakesNoSession()
    {
        // A sign-in started on crm, its callback replayed on wiki's host: the state is crm's, but crm's correlation cookie
        // lives on crm's host, so the callback fails and no session (of either app) is made on wiki's host.
        var start = await _browser.SendAsync(HttpMethod.Get, _fx.Crm + "/page");
        var state = TestBrowser.Query(start.Headers.Location!)["state"];
        var hop = await _browser.SendAsync(HttpMethod.Get, _fx.Wiki + "/oauth2/callback?code=x&state=" + Uri.EscapeDataString(state));
        Assert.NotEqual(HttpStatusCode.OK, hop.StatusCode);
        Assert.Empty(_browser.CookieNames(_fx.Wiki));
    }
}

/// <summary>
/// The two apps of <see cref="ManyAppsFixture"/> with an ALB-profile route and an assertion route (own gateway: routes
/// that forward the access token keep it in the session, which makes the session cookie bigger).
/// </summary>
public sealed class ManyAppsAlbFixture : IAsyncLifetime
{
    public const string Signer = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/apps-alb/50dc6c495c0c9188";

    private readonly ManyAppsFixture _apps = new();

    public FakeCognito WikiPool => _apps.WikiPool;

    public FakeCognito CrmPool => _apps.CrmPool;

    public BackendStub Backend => _apps.Backend;

    public GatewayHost Gateway { get; private set; } = null!;

    public string Wiki => $"http://wiki.localhost:{Gateway.BaseUri.Port}";

    public string Crm => $"http://crm.localhost:{Gateway.BaseUri.Port}";

    public async Task InitializeAsync()
    {
        var config = ManyAppsFixture.Config(WikiPool, CrmPool, Backend.Url);
        config["Gateway:Alb:Signer"] = Signer;
        config["ReverseProxy:Routes:alb:ClusterId"] = "backend";
        config["ReverseProxy:Routes:alb:Match:Path"] = "/alb/{**rest}";
        config["ReverseProxy:Routes:alb:Metadata:Gateway.HeaderProfile"] = "Alb";
        config["ReverseProxy:Routes:assert:ClusterId"] = "backend";
        config["ReverseProxy:Routes:assert:Match:Path"] = "/assert/{**rest}";
        config["ReverseProxy:Routes:assert:Metadata:Gateway.Assertion"] = "true";
        config["ReverseProxy:Routes:alb-api:ClusterId"] = "backend";
        config["ReverseProxy:Routes:alb-api:Match:Path"] = "/alb-api/{**rest}";
        config["ReverseProxy:Routes:alb-api:Metadata:Gateway.HeaderProfile"] = "Alb";
        config["ReverseProxy:Routes:alb-api:Metadata:Gateway.Bearer"] = "true";
        Gateway = await GatewayHost.StartAsync([], config);
        WikiPool.AllowCallbackUrl(Wiki + "/oauth2/callback");
        CrmPool.AllowCallbackUrl(Crm + "/oauth2/callback");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        _apps.DisposeStandIns();
    }
}

/// <summary>The ALB profile and the assertion per app: pool, client and email rule of the request's app.</summary>
public sealed class ManyAppsAlbTests : IClassFixture<ManyAppsAlbFixture>, IDisposable
{
    private readonly HostBrowser _browser = new();

    public ManyAppsAlbTests(ManyAppsAlbFixture fx)
    {
        Fx = fx;
        fx.WikiPool.Reset();
        fx.CrmPool.Reset();
        fx.Backend.Reset();
    }

    private ManyAppsAlbFixture Fx { get; }

    public void Dispose() => _browser.Dispose();

    /// <summary>GETs a text resource through this browser (any host name on loopback).</summary>
    private async Task<string> GetStringAsync(string url)
    {
        var response = await _browser.SendAsync(HttpMethod.Get, url);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {url}");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The <c>x-amzn-oidc-data</c> the backend received, checked as an ALB app checks it (signer, PEM by kid from this host, ES256).</summary>
    private async Task<(System.Text.Json.JsonElement Header, System.Text.Json.JsonElement Payload)> AlbDataReceivedAsync(string origin, string path)
    {
        var nav = await _browser.NavigateAsync(origin + path);
        Assert.True(nav.Final.StatusCode == HttpStatusCode.OK, nav.ToString() + Fx.Gateway.Logs.Dump());
        var received = Fx.Backend.LastRequestTo(path);
        var data = Assert.Single(BackendStub.HeaderValues(received, "x-amzn-oidc-data"));

        static byte[] Segment(string value) => Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/'));
        var parts = data.Split('.');
        var header = System.Text.Json.JsonDocument.Parse(Segment(parts[0])).RootElement.Clone();
        Assert.Equal(ManyAppsAlbFixture.Signer, header.GetProperty("signer").GetString());
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(await GetStringAsync(origin + "/oauth2/alb-keys/" + header.GetProperty("kid").GetString()));
        Assert.True(key.VerifyData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Segment(parts[2]),
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "ES256 signature");
        return (header, System.Text.Json.JsonDocument.Parse(Segment(parts[1])).RootElement.Clone());
    }

    [Fact]
    public async Task AlbProfile_OnEachAppsHost_NamesThatAppsPoolAndClient_AndFollowsItsEmailRule()
    {
        // Google users' email is unverified; only crm trusts Google for email.
        Fx.WikiPool.User = TestUser.Google;
        Fx.CrmPool.User = TestUser.Google;

        var (wikiHeader, wikiPayload) = await AlbDataReceivedAsync(Fx.Wiki, "/alb/w");
        var wikiPool = Fx.WikiPool.Authority.TrimEnd('/');
        Assert.Equal(wikiPool, wikiHeader.GetProperty("iss").GetString());
        Assert.Equal(ManyAppsFixture.WikiClientId, wikiHeader.GetProperty("client").GetString());
        Assert.Equal(wikiPool, wikiPayload.GetProperty("iss").GetString());
        Assert.False(wikiPayload.TryGetProperty("email", out _), wikiPayload.ToString());

        var (crmHeader, crmPayload) = await AlbDataReceivedAsync(Fx.Crm, "/alb/c");
        var crmPool = Fx.CrmPool.Authority.TrimEnd('/');
        Assert.Equal(crmPool, crmHeader.GetProperty("iss").GetString());
        Assert.Equal(ManyAppsFixture.CrmClientId, crmHeader.GetProperty("client").GetString());
        Assert.Equal(crmPool, crmPayload.GetProperty("iss").GetString());
        Assert.Equal(TestUser.Google.Email, crmPayload.GetProperty("email").GetString());

        // Each app's own access token rides along.
        var wikiAccess = JwksVerifier.Decode(Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/alb/w"), "x-amzn-oidc-accesstoken"))).Payload;
        Assert.Equal(ManyAppsFixture.WikiClientId, wikiAccess.GetProperty("client_id").GetString());
        var crmAccess = JwksVerifier.Decode(Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/alb/c"), "x-amzn-oidc-accesstoken"))).Payload;
        Assert.Equal(ManyAppsFixture.CrmClientId, crmAccess.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task AlbProfile_BearerCallerOnEitherHost_NamesThePoolAndClientOfItsToken()
    {
        // Bearer tokens are the primary app's (no top-level provider: the first app by name, crm), on every host.
        var token = Fx.CrmPool.MintAccessToken();
        foreach (var origin in new[] { Fx.Wiki, Fx.Crm })
        {
            var hop = await _browser.SendAsync(HttpMethod.Get, origin + "/alb-api/orders", r => r.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token));
            Assert.True(hop.StatusCode == HttpStatusCode.OK, $"{origin}: {(int)hop.StatusCode}\n{Fx.Gateway.Logs.Dump()}");
            var data = Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/alb-api/orders"), "x-amzn-oidc-data"));
            var header = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(data.Split('.')[0].Replace('-', '+').Replace('_', '/'))).RootElement;
            Assert.Equal(Fx.CrmPool.Authority.TrimEnd('/'), header.GetProperty("iss").GetString());
            Assert.Equal(ManyAppsFixture.CrmClientId, header.GetProperty("client").GetString());
        }
    }

    [Fact]
    public async Task Assertion_OnEachAppsHost_VerifiesWithThatHostsJwks_AndFollowsTheAppsEmailRule()
    {
        Fx.WikiPool.User = TestUser.Google;
        Fx.CrmPool.User = TestUser.Google;

        foreach (var (origin, emailForwarded) in new[] { (Fx.Wiki, false), (Fx.Crm, true) })
        {
            var nav = await _browser.NavigateAsync(origin + "/assert/page");
            Assert.True(nav.Final.StatusCode == HttpStatusCode.OK, nav.ToString() + Fx.Gateway.Logs.Dump());
            var token = Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/assert/page"), "X-Gateway-Assertion"));

            var verifier = new JwksVerifier(origin + "/.well-known/gateway/jwks.json", origin, origin, GetStringAsync);
            var result = await verifier.VerifyAsync(token);
            Assert.True(result.IsValid, origin + ": " + result.Exception);
            var payload = JwksVerifier.Decode(token).Payload;
            Assert.Equal(TestUser.Google.Sub, payload.GetProperty("sub").GetString());
            Assert.Equal(TestUser.Google.Username, payload.GetProperty("cognito:username").GetString());
            Assert.Equal(TestUser.Google.Groups, payload.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
            Assert.True(emailForwarded == payload.TryGetProperty("email", out _), origin + ": " + payload);
        }
    }
}

/// <summary>
/// Sign-out that returns, per app: each app's SignOutUri is its own signed-out page (registered at its own pool), the
/// gateway's port chosen before start-up so the SignOutUris can name it.
/// </summary>
public sealed class ManyAppsSignOutReturnTests
{
    [Fact]
    public async Task SignOut_WithRd_OnEachAppsHost_GoesThroughItsPoolsLogoutAndSignedOutPage_BackToRd()
    {
        using var wikiPool = new FakeCognito { AllowHttpLocalhostSubdomains = true, AppClientId = ManyAppsFixture.WikiClientId };
        using var crmPool = new FakeCognito { AllowHttpLocalhostSubdomains = true, AppClientId = ManyAppsFixture.CrmClientId };
        using var backend = BackendStub.Start();
        var port = FreePort();
        var wiki = $"http://wiki.localhost:{port}";
        var crm = $"http://crm.localhost:{port}";
        var config = ManyAppsFixture.Config(wikiPool, crmPool, backend.Url);
        config["Urls"] = $"http://127.0.0.1:{port}";
        config["Gateway:Apps:wiki:SignOutUri"] = wiki + "/oauth2/signed_out";
        config["Gateway:Apps:crm:SignOutUri"] = crm + "/oauth2/signed_out";
        await using var gateway = await GatewayHost.StartAsync([], config);
        foreach (var (origin, pool) in new[] { (wiki, wikiPool), (crm, crmPool) })
        {
            pool.AllowCallbackUrl(origin + "/oauth2/callback");
            pool.AllowSignOutUrl(origin + "/oauth2/signed_out");
        }

        using var browser = new HostBrowser();
        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateAsync(wiki + "/page")).Final.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateAsync(crm + "/page")).Final.StatusCode);

        foreach (var (origin, pool, clientId, other) in new[] { (wiki, wikiPool, ManyAppsFixture.WikiClientId, crm), (crm, crmPool, ManyAppsFixture.CrmClientId, (string?)null) })
        {
            var signOut = await browser.SendAsync(HttpMethod.Post, origin + "/oauth2/sign_out?rd=" + Uri.EscapeDataString("/after?x=1"), request =>
            {
                request.Content = new FormUrlEncodedContent([]);
                request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
                request.Headers.TryAddWithoutValidation("Origin", origin);
            });
            Assert.True(signOut.StatusCode == HttpStatusCode.Found, $"{origin}: {(int)signOut.StatusCode}\n{gateway.Logs.Dump()}");
            var logout = signOut.Headers.Location!;
            Assert.StartsWith(pool.LogoutEndpoint, logout.AbsoluteUri, StringComparison.Ordinal);
            Assert.Equal(clientId, TestBrowser.Query(logout)["client_id"]);
            Assert.Equal(origin + "/oauth2/signed_out", TestBrowser.Query(logout)["logout_uri"]);

            // The pool's /logout → this app's signed-out page → the page asked for (which signs in again, as it needs a session).
            var nav = await browser.NavigateAsync(logout.AbsoluteUri);
            var urls = nav.Urls.Select(u => u.AbsoluteUri).ToList();
            var signedOut = urls.IndexOf(origin + "/oauth2/signed_out");
            Assert.True(signedOut > 0 && urls[signedOut - 1].StartsWith(pool.LogoutEndpoint, StringComparison.Ordinal), nav.ToString());
            Assert.True(signedOut + 1 < urls.Count && urls[signedOut + 1] == origin + "/after?x=1", nav.ToString() + gateway.Logs.Dump());

            // Only this app's session ended: the other one's still serves its pages without a sign-in.
            if (other is not null)
            {
                Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(HttpMethod.Get, other + "/page")).StatusCode);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Start-up checks of <c>Gateway:Apps</c>: every problem in the one start-up message.</summary>
public sealed class ManyAppsStartupTests
{
    private static Dictionary<string, string?> TwoApps() => new()
    {
        ["Gateway:Apps:wiki:Hosts:0"] = "wiki.example.com",
        ["Gateway:Apps:wiki:Cognito:Authority"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz",
        ["Gateway:Apps:wiki:Cognito:ClientId"] = "wikiclient",
        ["Gateway:Apps:crm:Hosts:0"] = "crm.example.com",
        ["Gateway:Apps:crm:Oidc:Authority"] = "https://login.example.com",
        ["Gateway:Apps:crm:Oidc:ClientId"] = "crmclient",
        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
    };

    private static void AssertFails(Dictionary<string, string?> config, params string[] fragments)
    {
        var ex = StartupConfig.BuildFails(config);
        foreach (var fragment in fragments)
        {
            Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"Expected the message to name '{fragment}':\n{ex.Message}");
        }
    }

    [Fact]
    public async Task Startup_TwoAppsWithoutTopLevelProvider_Starts() => await StartupAssert.StartsAndAnswersAsync(TwoApps());

    [Fact]
    public async Task Startup_AppsBesideTopLevelProvider_Starts() =>
        await StartupAssert.StartsAndAnswersAsync(StartupConfig.With(TwoApps(),
            ("Gateway:Cognito:Authority", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz"),
            ("Gateway:Cognito:ClientId", "defaultclient")));

    [Fact]
    public void Startup_OverlappingHosts_AppWithoutHosts_AndProviderProblems_AllReported() =>
        AssertFails(StartupConfig.With(TwoApps(),
                ("Gateway:Apps:crm:Hosts:0", "WIKI.example.com"),
                ("Gateway:Apps:hr:Cognito:ClientId", "hrclient"),
                ("Gateway:Apps:hr:Cognito:UserPoolId", "us-east-1_AbC123xyz"),
                ("Gateway:Apps:ops:Hosts:0", "ops.example.com:8443"),
                ("Gateway:Apps:ops:Cognito:ClientId", "opsclient"),
                ("Gateway:Apps:ops:Oidc:Authority", "https://login.example.com"),
                ("Gateway:Apps:sales:Hosts:0", "sales.example.com")),
            "Gateway:Apps:wiki:Hosts:0 'wiki.example.com' is also a host of Gateway:Apps:crm",
            "Gateway:Apps:hr:Hosts is missing",
            "Gateway:Apps:ops:Hosts:0 is not a host name (got 'ops.example.com:8443')",
            "Gateway:Apps:ops:Cognito and Gateway:Apps:ops:Oidc are both set",
            "Gateway:Apps:sales has no identity provider");

    [Fact]
    public void Startup_AppProviderSection_IsCheckedLikeTheTopLevelOne() =>
        AssertFails(StartupConfig.With(TwoApps(),
                ("Gateway:Apps:wiki:Cognito:ClientId", null),
                ("Gateway:Apps:crm:Oidc:Authority", "http://login.example.com")),
            "Gateway:Apps:wiki:Cognito:ClientId is missing",
            "Gateway:Apps:crm:Oidc:Authority must use https");

    [Fact]
    public void Startup_DuplicateCookieNames_Reported() =>
        AssertFails(StartupConfig.With(TwoApps(),
                ("Gateway:Apps:wiki:CookieName", "shared"),
                ("Gateway:Apps:crm:CookieName", "shared")),
            "Gateway:Apps:wiki:CookieName 'shared' is already the cookie of Gateway:Apps:crm:CookieName");

    [Fact]
    public void Startup_AppCookieNameEqualToTopLevelSessionCookie_Reported() =>
        AssertFails(StartupConfig.With(TwoApps(), ("Gateway:Apps:crm:CookieName", "_gateway")),
            "Gateway:Apps:crm:CookieName '_gateway' is already the cookie of Gateway:Session:CookieName");

    [Fact]
    public void Startup_RouteHostOfNoApp_AndUnknownGatewayApp_Reported() =>
        AssertFails(StartupConfig.With(TwoApps(),
                ("ReverseProxy:Routes:app:Match:Hosts:0", "hr.example.com"),
                ("ReverseProxy:Routes:app:Match:Hosts:1", "wiki.example.com"),
                ("ReverseProxy:Routes:other:ClusterId", "backend"),
                ("ReverseProxy:Routes:other:Match:Path", "/other/{**rest}"),
                ("ReverseProxy:Routes:other:Metadata:Gateway.App", "wikki")),
            "ReverseProxy:Routes:app:Match:Hosts:0 'hr.example.com' belongs to no app",
            "ReverseProxy:Routes:other:Metadata:Gateway.App names an unknown app (got 'wikki'); use one of 'crm', 'wiki'");

    [Fact]
    public void Startup_PublicOriginWithApps_Reported() =>
        AssertFails(StartupConfig.With(TwoApps(), ("Gateway:PublicOrigin", "https://gateway.example.com")),
            "Gateway:PublicOrigin is set together with Gateway:Apps");

    [Fact]
    public void Startup_GatewayAppWithoutApps_Reported() =>
        AssertFails(StartupConfig.With(StartupConfig.Minimal(), ("ReverseProxy:Routes:app:Metadata:Gateway.App", "wiki")),
            "ReverseProxy:Routes:app:Metadata:Gateway.App names an app (got 'wiki') but Gateway:Apps is not configured");

    [Fact]
    public void Startup_UnknownKeyInsideAnApp_GetsDidYouMean() =>
        AssertFails(StartupConfig.With(TwoApps(), ("Gateway:Apps:wiki:Host:0", "x.example.com")),
            "unknown key Gateway:Apps:wiki:Host — did you mean Gateway:Apps:wiki:Hosts?");

    [Fact]
    public void Startup_AppPolicyProblems_NameTheAppsKey() =>
        AssertFails(StartupConfig.With(TwoApps(), ("Gateway:Apps:crm:Policies:sales:Groups:0", " ")),
            "Gateway:Apps:crm:Policies:sales:Groups:0 is empty");

    [Fact]
    public async Task Startup_RoutePolicyDefinedOnlyByAnApp_IsAccepted() =>
        await StartupAssert.StartsAndAnswersAsync(StartupConfig.With(TwoApps(),
            ("Gateway:Apps:crm:Policies:sales:Groups:0", "sales"),
            ("ReverseProxy:Routes:app:AuthorizationPolicy", "sales")));
}

/// <summary>
/// A browser for several host names on loopback: every connection goes to 127.0.0.1 (the port of the URL), whatever
/// the name, so <c>wiki.localhost</c> and <c>crm.localhost</c> work without name resolution; cookies are kept per host.
/// </summary>
internal sealed class HostBrowser : IDisposable
{
    private readonly HttpClient _client;

    public HostBrowser()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = Cookies,
            ConnectCallback = async (context, cancel) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public CookieContainer Cookies { get; } = new();

    public IReadOnlyList<string> CookieNames(string origin) =>
        Cookies.GetCookies(new Uri(origin)).Select(c => c.Name).Where(n => !n.Contains('.', StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, Action<HttpRequestMessage>? customize = null)
    {
        using var request = new HttpRequestMessage(method, url);
        TestBrowser.AddNavigationHeaders(request);
        customize?.Invoke(request);
        var response = await _client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public Task<HttpResponseMessage> SignOutAsync(string origin) =>
        SendAsync(HttpMethod.Post, origin + "/oauth2/sign_out", request =>
        {
            request.Content = new FormUrlEncodedContent([]);
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
            request.Headers.TryAddWithoutValidation("Origin", origin);
        });

    /// <summary>A navigation that follows redirects between loopback hosts (the gateway's names and the stand-in pools).</summary>
    public async Task<Hops> NavigateAsync(string url)
    {
        var hops = new List<(Uri Url, HttpResponseMessage Response)>();
        var current = new Uri(url);
        for (var i = 0; i < 10; i++)
        {
            var response = await SendAsync(HttpMethod.Get, current.AbsoluteUri);
            hops.Add((current, response));
            if ((int)response.StatusCode is < 300 or >= 400 || response.Headers.Location is not { } location)
            {
                return new Hops(hops);
            }

            var next = location.IsAbsoluteUri ? location : new Uri(current, location);
            if (!(next.IsLoopback || next.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)))
            {
                return new Hops(hops);
            }

            current = next;
        }

        Assert.Fail("Too many redirects: " + new Hops(hops));
        return null!;
    }

    public void Dispose() => _client.Dispose();

    internal sealed record Hops(IReadOnlyList<(Uri Url, HttpResponseMessage Response)> All)
    {
        public HttpResponseMessage Final => All[^1].Response;

        public IEnumerable<Uri> Urls => All.Select(h => h.Url);

        public override string ToString() =>
            string.Join(Environment.NewLine, All.Select(h => $"{(int)h.Response.StatusCode} {h.Url}" + (h.Response.Headers.Location is { } l ? $" -> {l}" : "")));
    }
}

/// <summary>Redis store: a session handle is a random value with no app in it; each app looks handles up under its own keys (and a session records its app).</summary>
public sealed class ManyAppsRedisTests
{
    [SkippableFact]
    public async Task RedisHandleOfWiki_UnderCrmsCookieName_IsRefusedByCrm()
    {
        await using var redis = await RedisServer.StartAsync();
        using var wikiPool = new FakeCognito { AllowHttpLocalhostSubdomains = true };
        using var crmPool = new FakeCognito { AllowHttpLocalhostSubdomains = true };
        using var backend = BackendStub.Start();
        var config = ManyAppsFixture.Config(wikiPool, crmPool, backend.Url);
        config["Gateway:Session:Store"] = "Redis";
        config["Gateway:Redis:Configuration"] = redis.Configuration;
        config["Gateway:Redis:KeyPrefix"] = "t" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var gateway = await GatewayHost.StartAsync([], config);
        var port = gateway.BaseUri.Port;
        var wiki = $"http://wiki.localhost:{port}";
        var crm = $"http://crm.localhost:{port}";
        wikiPool.AllowCallbackUrl(wiki + "/oauth2/callback");
        crmPool.AllowCallbackUrl(crm + "/oauth2/callback");

        using var browser = new HostBrowser();
        var signIn = await browser.NavigateAsync(wiki + "/page");
        Assert.True(signIn.Final.StatusCode == HttpStatusCode.OK, signIn + gateway.Logs.Dump());
        var handle = Assert.Single(browser.Cookies.GetCookies(new Uri(wiki)), c => c.Name == "_gateway_wiki").Value;

        using var other = new HostBrowser();
        other.Cookies.Add(new Uri(crm), new Cookie("crm_session", handle));
        var hop = await other.SendAsync(HttpMethod.Get, crm + "/page");
        Assert.Equal(HttpStatusCode.Found, hop.StatusCode);
        Assert.StartsWith(crmPool.AuthorizationEndpoint, hop.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);

        // Still wiki's session on wiki's host.
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(HttpMethod.Get, wiki + "/page")).StatusCode);
    }
}

/// <summary>Apps beside a top-level provider: it stays the app of every other host, with today's cookie; refresh uses the session's own app client.</summary>
public sealed class ManyAppsWithDefaultTests
{
    private static async Task<(GatewayHost Gateway, FakeTimeProvider Clock)> StartAsync(FakeCognito defaultPool, FakeCognito crmPool, BackendStub backend)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = GatewayHost.DefaultConfig(defaultPool, backend.Url);
        config["Gateway:Apps:crm:Hosts:0"] = "crm.localhost";
        config["Gateway:Apps:crm:Cognito:Authority"] = crmPool.Authority;
        config["Gateway:Apps:crm:Cognito:ClientId"] = FakeCognito.ClientId;
        var gateway = await GatewayHost.StartAsync([], config, b => b.Services.AddSingleton<TimeProvider>(clock));
        defaultPool.RegisterApp(gateway.Url);
        crmPool.AllowCallbackUrl($"http://crm.localhost:{gateway.BaseUri.Port}/oauth2/callback");
        return (gateway, clock);
    }

    [Fact]
    public async Task TopLevelProvider_ServesHostsNoAppLists_WithTodaysCookie()
    {
        using var defaultPool = new FakeCognito { AllowHttpLocalhostSubdomains = true };
        using var crmPool = new FakeCognito { AllowHttpLocalhostSubdomains = true };
        using var backend = BackendStub.Start();
        var (gateway, _) = await StartAsync(defaultPool, crmPool, backend);
        await using var _ = gateway;
        var crm = $"http://crm.localhost:{gateway.BaseUri.Port}";

        using var browser = new HostBrowser();
        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateAsync(gateway.Url + "/page")).Final.StatusCode);
        Assert.Single(defaultPool.RequestsTo("/oauth2/token"));
        Assert.Equal(["_gateway"], browser.CookieNames(gateway.Url));

        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateAsync(crm + "/page")).Final.StatusCode);
        Assert.Single(crmPool.RequestsTo("/oauth2/token"));
        Assert.Equal(["_gateway_crm"], browser.CookieNames(crm));

        // The default app's cookie under crm's name, on crm's host: crm's own sign-in.
        using var other = new HostBrowser();
        other.Cookies.Add(new Uri(crm), new Cookie("_gateway_crm", browser.Cookies.GetCookies(new Uri(gateway.Url))["_gateway"]!.Value));
        var hop = await other.SendAsync(HttpMethod.Get, crm + "/page");
        Assert.Equal(HttpStatusCode.Found, hop.StatusCode);
        Assert.StartsWith(crmPool.AuthorizationEndpoint, hop.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_UsesTheSessionsOwnAppClient()
    {
        using var defaultPool = new FakeCognito { AllowHttpLocalhostSubdomains = true };
        using var crmPool = new FakeCognito { AllowHttpLocalhostSubdomains = true };
        using var backend = BackendStub.Start();
        var (gateway, clock) = await StartAsync(defaultPool, crmPool, backend);
        await using var _ = gateway;
        var crm = $"http://crm.localhost:{gateway.BaseUri.Port}";

        using var browser = new HostBrowser();
        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateAsync(crm + "/page")).Final.StatusCode);
        var issued = crmPool.IssuedRefreshTokens.Single();

        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(HttpMethod.Get, crm + "/after-refresh")).StatusCode);

        var refresh = Assert.Single(crmPool.RefreshRequests);
        Assert.Equal(issued, FakeCognito.ParseForm(refresh)["refresh_token"]);
        Assert.Empty(defaultPool.RefreshRequests);
    }
}

/// <summary>Which app a host name belongs to.</summary>
public sealed class GatewayAppsHostTests
{
    private static Gateway.Configuration.GatewayApps Apps(bool withDefault) => new(new Gateway.Configuration.GatewayOptions
    {
        Cognito = withDefault ? new Gateway.Configuration.CognitoOptions() : null,
        Apps = new(StringComparer.OrdinalIgnoreCase)
        {
            ["wiki"] = new() { Hosts = ["wiki.example.com"] },
            ["all"] = new() { Hosts = ["*.example.com"] },
            ["eu"] = new() { Hosts = ["*.eu.example.com", "Shop.EU.example.com"] },
        },
    });

    [Theory]
    [InlineData("wiki.example.com", "wiki")]
    [InlineData("WIKI.Example.com.", "wiki")] // case and a trailing dot do not matter
    [InlineData("crm.example.com", "all")]
    [InlineData("a.b.example.com", "all")]
    [InlineData("shop.eu.example.com", "eu")] // exact beats every wildcard
    [InlineData("x.eu.example.com", "eu")] // the longer wildcard wins
    [InlineData("eu.example.com", "all")] // a wildcard does not match its own suffix name
    [InlineData("example.com", null)]
    [InlineData("wiki.example.org", null)]
    public void Host_PicksItsApp(string host, string? app) =>
        Assert.Equal(app, Apps(withDefault: false).ForHost(host)?.Name);

    [Fact]
    public void Host_OfNoApp_BelongsToTheTopLevelProvider_WhenThereIsOne()
    {
        Assert.True(Apps(withDefault: true).ForHost("example.org")!.IsDefault);
        Assert.Equal("wiki", Apps(withDefault: true).ForHost("wiki.example.com")!.Name);
    }
}
