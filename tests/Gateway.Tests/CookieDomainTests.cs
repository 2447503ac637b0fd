using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests;

/// <summary>One gateway reached as wiki.apps.localhost and crm.apps.localhost, session cookie on <c>.apps.localhost</c>.</summary>
public sealed class CookieDomainGatewayFixture : GatewayFixture
{
    public static readonly int Port = FreePort();

    public static string Wiki => $"http://wiki.apps.localhost:{Port}";

    public static string Crm => $"http://crm.apps.localhost:{Port}";

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Urls"] = $"http://127.0.0.1:{Port}",
        ["Gateway:Session:CookieDomain"] = ".apps.localhost",
        ["Gateway:AllowedRedirectHosts:0"] = $"*.apps.localhost:{Port}",
    };

    protected override void ConfigureCognito(FakeCognito cognito)
    {
        cognito.AllowHttpLocalhostSubdomains = true;
        cognito.RegisterApp(Wiki);
        cognito.RegisterApp(Crm);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Gateway:Session:CookieDomain: one sign-in for every host under the domain, one sign-out for all of them.</summary>
public sealed class CookieDomainTests : GatewayTest<CookieDomainGatewayFixture>, IDisposable
{
    private readonly HostNameBrowser _browser = new();

    public CookieDomainTests(CookieDomainGatewayFixture fx)
        : base(fx)
    {
    }

    private static string Wiki => CookieDomainGatewayFixture.Wiki;

    private static string Crm => CookieDomainGatewayFixture.Crm;

    void IDisposable.Dispose() => _browser.Dispose();

    private async Task<Navigation> SignInOnWikiAsync()
    {
        var nav = await _browser.NavigateAsync(Wiki + "/wiki/page");
        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.ToString() == Wiki + "/wiki/page", $"{nav}\n{nav.Final.Body}\n{Fx.Gateway.Logs.Dump()}");
        return nav;
    }

    [Fact]
    public async Task SignInOnOneHost_IsSignedInOnAnotherHostUnderTheDomain()
    {
        var nav = await SignInOnWikiAsync();

        var session = nav.Hops.SelectMany(h => h.SetCookies).Select(SetCookie.Parse).Single(c => c.Name == "_gateway" && !c.IsDeletion);
        Assert.Equal("apps.localhost", session.Attributes["domain"]);
        var pending = nav.Hops[0].SetCookies.Select(SetCookie.Parse).Where(c => c.Name.StartsWith("_gateway_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(pending);
        Assert.All(pending, c => Assert.Equal("apps.localhost", c.Attributes["domain"]));

        var crm = await _browser.NavigateAsync(Crm + "/crm/page");

        Assert.True(crm.Status == HttpStatusCode.OK && crm.Hops.Count == 1, crm.ToString());
        Assert.Single(Fx.Cognito.RequestsTo("/oauth2/token"));
        Assert.Equal(TestUser.Default.Sub, Fx.Backend.LastRequestTo("/crm/page").Headers!["X-Forwarded-User"].Single());
    }

    [Fact]
    public async Task SignOutOnOneHost_EndsTheSessionOnEveryHost()
    {
        await SignInOnWikiAsync();

        var signOut = await _browser.SignOutAsync(Crm);

        Assert.Equal(HttpStatusCode.Found, signOut.Status);
        var deleted = signOut.SetCookies.Select(SetCookie.Parse).Where(c => c.Name == "_gateway" && c.IsDeletion).ToList();
        Assert.Contains(deleted, c => c.Attributes.TryGetValue("domain", out var d) && d == "apps.localhost");
        var wiki = await _browser.NavigateAsync(Wiki + "/wiki/again");
        Assert.Equal(HttpStatusCode.Found, wiki.Hops[0].Status);
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, wiki.Hops[0].Location!.ToString());
    }

    [Fact]
    public async Task SignIn_WithHostOnlySessionCookieFromBefore_DeletesTheHostOnlyCopy()
    {
        // A session cookie the browser kept from before CookieDomain was set (host-only, same name).
        _browser.Cookies.Add(new Uri(Wiki), new Cookie("_gateway", "left-over", "/"));

        var nav = await SignInOnWikiAsync();

        var callback = nav.HopAt("/oauth2/callback")!;
        var cookies = callback.SetCookies.Select(SetCookie.Parse).Where(c => c.Name == "_gateway").ToList();
        Assert.Contains(cookies, c => c.IsDeletion && !c.Attributes.ContainsKey("domain"));
        Assert.Contains(cookies, c => !c.IsDeletion && c.Attributes["domain"] == "apps.localhost");
        Assert.DoesNotContain(_browser.Cookies.GetCookies(new Uri(Wiki)), c => c.Value == "left-over");
    }

    [Fact]
    public async Task SignIn_RdOnTheOtherHost_LandsThere()
    {
        var nav = await _browser.NavigateAsync(Wiki + "/oauth2/sign_in?rd=" + Uri.EscapeDataString(Crm + "/crm/start?x=1"));

        Assert.True(nav.Status == HttpStatusCode.OK, nav.ToString());
        Assert.Equal(Crm + "/crm/start?x=1", nav.FinalUrl.ToString());
    }
}

/// <summary>Start-up validation of Gateway:Session:CookieDomain.</summary>
public sealed class CookieDomainValidationTests
{
    private static List<string> Problems(params (string Key, string? Value)[] changes) =>
        GatewayOptionsSetup.Check(new ConfigurationBuilder().AddInMemoryCollection(StartupConfig.With(StartupConfig.Minimal(), changes)).Build())
            .Where(p => p.Contains("CookieDomain", StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData(".corp.example.com", null)]
    [InlineData("corp.example.com", null)]
    [InlineData(".corp.example.com", "https://auth.corp.example.com")]
    [InlineData(".corp.example.com", "https://corp.example.com")]
    [InlineData(".apps.localhost", "http://wiki.apps.localhost:8080")]
    public void Accepted(string domain, string? publicOrigin)
    {
        Assert.Empty(Problems(("Gateway:Session:CookieDomain", domain), ("Gateway:PublicOrigin", publicOrigin)));
    }

    [Theory]
    [InlineData(".com", null, "is a single label")]
    [InlineData("localhost", null, "is a single label")]
    [InlineData("127.0.0.1", null, "is an IP address")]
    [InlineData("corp.example.com:443", null, "is not a domain name")]
    [InlineData("*.corp.example.com", null, "is not a domain name")]
    [InlineData("..corp.example.com", null, "is not a domain name")]
    [InlineData("https://corp.example.com", null, "is not a domain name")]
    [InlineData(".corp.example.com", "https://auth.other.example.net", "is not a parent of Gateway:PublicOrigin's host 'auth.other.example.net'")]
    [InlineData(".corp.example.com", "https://evilcorp.example.com", "is not a parent of Gateway:PublicOrigin's host")]
    public void Refused_WithKeyProblemAndFix(string domain, string? publicOrigin, string problem)
    {
        var found = Assert.Single(Problems(("Gateway:Session:CookieDomain", domain), ("Gateway:PublicOrigin", publicOrigin)));
        Assert.StartsWith("Gateway:Session:CookieDomain " + problem, found);
        Assert.Contains("'.corp.example.com'", found);
    }
}

/// <summary>The cookie-domain gateway with its hosts served by a <c>Gateway:Apps</c> entry (its own cookie name).</summary>
public sealed class CookieDomainAppGatewayFixture : GatewayFixture
{
    public static readonly int Port = FreePort();

    public static string Wiki => $"http://wiki.apps.localhost:{Port}";

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Urls"] = $"http://127.0.0.1:{Port}",
        ["Gateway:Session:CookieDomain"] = ".apps.localhost",
        ["Gateway:Apps:corp:Hosts:0"] = "*.apps.localhost",
        ["Gateway:Apps:corp:Cognito:Authority"] = Cognito.Authority,
        ["Gateway:Apps:corp:Cognito:ClientId"] = FakeCognito.ClientId,
        ["Gateway:Apps:corp:CookieName"] = "_corp",
    };

    protected override void ConfigureCognito(FakeCognito cognito)
    {
        cognito.AllowHttpLocalhostSubdomains = true;
        cognito.RegisterApp(Wiki);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Host-only copies of an app's session cookie are cleaned up as the default app's are.</summary>
public sealed class CookieDomainAppTests : GatewayTest<CookieDomainAppGatewayFixture>, IDisposable
{
    private readonly HostNameBrowser _browser = new();

    public CookieDomainAppTests(CookieDomainAppGatewayFixture fx)
        : base(fx)
    {
    }

    void IDisposable.Dispose() => _browser.Dispose();

    [Fact]
    public async Task SignIn_OnAnAppsHost_WithHostOnlyAppCookieFromBefore_DeletesTheHostOnlyCopy()
    {
        var wiki = CookieDomainAppGatewayFixture.Wiki;
        _browser.Cookies.Add(new Uri(wiki), new Cookie("_corp", "left-over", "/"));

        var nav = await _browser.NavigateAsync(wiki + "/wiki/page");

        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.ToString() == wiki + "/wiki/page", $"{nav}\n{Fx.Gateway.Logs.Dump()}");
        var cookies = nav.HopAt("/oauth2/callback")!.SetCookies.Select(SetCookie.Parse).Where(c => c.Name == "_corp").ToList();
        Assert.Contains(cookies, c => c.IsDeletion && !c.Attributes.ContainsKey("domain"));
        Assert.Contains(cookies, c => !c.IsDeletion && c.Attributes["domain"] == "apps.localhost");
        Assert.DoesNotContain(_browser.Cookies.GetCookies(new Uri(wiki)), c => c.Value == "left-over");
    }
}
