using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// deploy/nginx/central-auth.conf on a real nginx: app hosts <c>*.apps.localhost</c> ask the gateway through auth_request,
/// sign-in and sign-out happen on <c>auth.apps.localhost</c>, the session cookie lives on <c>.apps.localhost</c>.
/// </summary>
public sealed class NginxCentralAuthFixture : IAsyncLifetime
{
    public FakeCognito Cognito { get; private set; } = null!;

    public BackendStub Backend { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public NginxProcess? Nginx { get; private set; }

    public int Port { get; } = BackendStub.GetClosedPort();

    public string Auth => $"http://auth.apps.localhost:{Port}";

    public string Wiki => $"http://wiki.apps.localhost:{Port}";

    public string Crm => $"http://crm.apps.localhost:{Port}";

    public async Task InitializeAsync()
    {
        Cognito = new FakeCognito { AllowHttpLocalhostSubdomains = true };
        Cognito.AllowCallbackUrl(Auth + "/oauth2/callback");
        Cognito.AllowSignOutUrl(Auth + "/oauth2/signed_out");
        Backend = BackendStub.Start();
        Gateway = await GatewayHost.StartAsync(Cognito, Backend, new Dictionary<string, string?>
        {
            ["Gateway:TrustedProxies:0"] = "127.0.0.1",
            ["Gateway:Session:CookieDomain"] = ".apps.localhost",
            ["Gateway:AllowedRedirectHosts:0"] = $"*.apps.localhost:{Port}",
            ["Gateway:Cognito:SignOutUri"] = Auth + "/oauth2/signed_out",
        });
        if (!NginxProcess.MissingAndSkippable)
        {
            Nginx = await NginxProcess.StartCentralAuthExampleAsync(Gateway.Url, Backend.Url, Port);
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

public sealed class NginxCentralAuthTests : IClassFixture<NginxCentralAuthFixture>, IDisposable
{
    private readonly NginxCentralAuthFixture _fx;
    private readonly HostNameBrowser _browser = new();

    public NginxCentralAuthTests(NginxCentralAuthFixture fx)
    {
        Skip.If(NginxProcess.MissingAndSkippable, "nginx is not installed (apt-get install nginx); skipped outside CI only.");
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
    }

    public void Dispose() => _browser.Dispose();

    private string Diagnostics(Navigation nav) => $"{nav}\n{nav.Final.Body}\nnginx:\n{_fx.Nginx!.ErrorLog}\ngateway:\n{_fx.Gateway.Logs.Dump()}";

    private async Task SignInOnWikiAsync()
    {
        var nav = await _browser.NavigateAsync(_fx.Wiki + "/app/page?x=1");
        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.ToString() == _fx.Wiki + "/app/page?x=1", Diagnostics(nav));
    }

    [SkippableFact]
    public async Task AppHost_NoSession_RedirectsToTheCentralSignInWithAnAbsoluteReturnUrl()
    {
        var first = await _browser.SendAsync(Navigation(_fx.Wiki + "/app/page?x=1"));

        Assert.True(first.Status == HttpStatusCode.Found, $"{first}\n{first.Body}\n{_fx.Nginx!.ErrorLog}");
        Assert.Equal(_fx.Auth + "/oauth2/sign_in", first.Location!.GetLeftPart(UriPartial.Path));
        Assert.Equal(_fx.Wiki + "/app/page?x=1", TestBrowser.Query(first.Location)["rd"]);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/app/page");

        var signIn = await _browser.SendAsync(Navigation(first.Location.ToString()));

        Assert.Equal(HttpStatusCode.Found, signIn.Status);
        Assert.Equal(_fx.Auth + "/oauth2/callback", TestBrowser.Query(signIn.Location!)["redirect_uri"]);
    }

    [SkippableFact]
    public async Task SignIn_OnTheCentralHost_ReturnsToTheAppHostSignedInThere_AndOnEveryOtherAppHost()
    {
        var nav = await _browser.NavigateAsync(_fx.Wiki + "/app/page?x=1");

        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.ToString() == _fx.Wiki + "/app/page?x=1", Diagnostics(nav));
        var callback = nav.Hops.Single(h => h.Url.AbsolutePath == "/oauth2/callback");
        Assert.Equal(_fx.Auth + "/oauth2/callback", callback.Url.GetLeftPart(UriPartial.Path));
        var session = callback.SetCookies.Select(SetCookie.Parse).Single(c => c.Name == "_gateway" && !c.IsDeletion);
        Assert.Equal("apps.localhost", session.Attributes["domain"]);
        var received = _fx.Backend.LastRequestTo("/app/page");
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.DoesNotContain(BackendStub.Cookies(received), c => c.Key.StartsWith("_gateway", StringComparison.Ordinal));

        var crm = await _browser.NavigateAsync(_fx.Crm + "/app/other");

        Assert.True(crm.Status == HttpStatusCode.OK && crm.Hops.Count == 1, Diagnostics(crm));
        Assert.Single(_fx.Cognito.RequestsTo("/oauth2/token"));
    }

    [SkippableFact]
    public async Task SignOut_OnTheCentralHost_ReturnsToThePageOnTheAppHost_AndEndsTheSessionEverywhere()
    {
        await SignInOnWikiAsync();

        var signOut = await _browser.SignOutAsync(_fx.Auth, "?rd=" + Uri.EscapeDataString(_fx.Wiki + "/public/bye"));
        Assert.True(signOut.Status == HttpStatusCode.Found, $"{signOut}\n{signOut.Body}");
        var nav = await _browser.NavigateAsync(signOut.Location!.ToString());

        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.ToString() == _fx.Wiki + "/public/bye", Diagnostics(nav));
        Assert.NotNull(nav.HopAt("/oauth2/signed_out"));
        var again = await _browser.SendAsync(Navigation(_fx.Crm + "/app/page"));
        Assert.Equal(HttpStatusCode.Found, again.Status);
        Assert.Equal(_fx.Auth + "/oauth2/sign_in", again.Location!.GetLeftPart(UriPartial.Path));
    }

    private static HttpRequestMessage Navigation(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        TestBrowser.AddNavigationHeaders(request);
        return request;
    }
}
