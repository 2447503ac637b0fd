using System.Net;
using Gateway.Paths;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary><c>ReturnUrl.TryGetAllowed</c> on its own: which absolute return URLs a host list lets through.</summary>
public sealed class AllowedRedirectHostRulesTests
{
    private static readonly RedirectHosts Hosts = RedirectHosts.From(["wiki.corp.example.com", "*.apps.example.com", "crm.corp.example.com:8443", "dev.localhost:5001"]);

    [Theory]
    [InlineData("https://wiki.corp.example.com/")]
    [InlineData("https://wiki.corp.example.com")]
    [InlineData("https://WIKI.corp.example.com/a/b?x=1&y=%2F#top")]
    [InlineData("https://wiki.corp.example.com:443/page")]
    [InlineData("https://crm.apps.example.com/page")]
    [InlineData("https://a.b.apps.example.com/page")]
    [InlineData("https://crm.corp.example.com:8443/page")]
    [InlineData("http://dev.localhost:5001/page")]
    [InlineData("/local/path?x=1")]
    public void Allowed(string rd)
    {
        Assert.True(ReturnUrl.TryGetAllowed(rd, Hosts, out var url), rd);
        Assert.Equal(rd, url);
    }

    [Theory]
    [InlineData("http://wiki.corp.example.com/page")] // plain http to a non-loopback host
    [InlineData("https://wiki.corp.example.com:8443/page")] // another port
    [InlineData("https://crm.corp.example.com/page")] // listed with a port only
    [InlineData("https://dev.localhost/page")] // listed with a port only
    [InlineData("https://apps.example.com/page")] // the wildcard's own name is not below it
    [InlineData("https://evil-apps.example.com/page")]
    [InlineData("https://evilapps.example.com/page")]
    [InlineData("https://wiki.corp.example.com.evil.com/page")]
    [InlineData("https://crm.apps.example.com.evil.com/")]
    [InlineData("https://evil.com/wiki.corp.example.com")]
    [InlineData("https://evil.com?wiki.corp.example.com")]
    [InlineData("https://evil.com#@wiki.corp.example.com")]
    [InlineData("https://user@wiki.corp.example.com/")] // user info
    [InlineData("https://wiki.corp.example.com@evil.com/")]
    [InlineData("https://wiki.corp.example.com:@evil.com/")]
    [InlineData("https://wiki.corp.example.com\\@evil.com/")] // backslashes
    [InlineData("https://evil.com\\wiki.corp.example.com/")]
    [InlineData("https:\\\\wiki.corp.example.com/")]
    [InlineData("https://wiki%2Ecorp.example.com/")] // encoded characters in the host
    [InlineData("https://wiki.corp.example.com%2F@evil.com/")]
    [InlineData("https://evil.com%23.wiki.corp.example.com/")]
    [InlineData("https://wiki.corp.example.com./page")] // trailing dot
    [InlineData("https://wiki.corp.example.com:/page")]
    [InlineData("https://wiki.corp.example.com:99999/page")]
    [InlineData("https://wiki.corp.example.com /page")]
    [InlineData("https://wiki.corp.example.com/pa\tge")]
    [InlineData("https://wikí.corp.example.com/")] // non-ASCII (IDN look-alikes)
    [InlineData("//wiki.corp.example.com/")]
    [InlineData("https:wiki.corp.example.com/")]
    [InlineData("https:/wiki.corp.example.com/")]
    [InlineData("ftp://wiki.corp.example.com/")]
    [InlineData("javascript://wiki.corp.example.com/%0aalert(1)")]
    [InlineData("https://[::1]/")]
    [InlineData("https://127.0.0.1/")]
    public void Refused(string rd)
    {
        Assert.False(ReturnUrl.TryGetAllowed(rd, Hosts, out var url), rd);
        Assert.Equal("/", url);
    }

    [Fact]
    public void NoHostsListed_RefusesEveryAbsoluteUrl()
    {
        Assert.False(ReturnUrl.TryGetAllowed("https://wiki.corp.example.com/", RedirectHosts.None, out _));
        Assert.True(ReturnUrl.TryGetAllowed("/page", RedirectHosts.None, out _));
    }

    [Theory]
    [InlineData("https://wiki.corp.example.com", "must be a host name, not a URL")]
    [InlineData("wiki.corp.example.com/path", "must be a host name, not a URL")]
    [InlineData("*", "is not a host name")]
    [InlineData("*.com", "is a wildcard over a top-level name")]
    [InlineData("wiki.*.example.com", "is not a host name")]
    [InlineData("*wiki.example.com", "is not a host name")]
    [InlineData("wiki.example.com:0", "has a port that is not a number from 1 to 65535")]
    [InlineData("wiki.example.com:", "has a port that is not a number from 1 to 65535")]
    [InlineData("user@wiki.example.com", "is not a host name")]
    [InlineData("", "is empty")]
    public void StartUp_BadEntry_IsReportedWithKeyAndFix(string entry, string problem)
    {
        var ex = StartupConfig.BuildFails(StartupConfig.With(StartupConfig.Minimal(), ("Gateway:AllowedRedirectHosts:0", "ok.example.com"), ("Gateway:AllowedRedirectHosts:1", entry)));

        Assert.Contains("Gateway:AllowedRedirectHosts:1 " + problem, ex.Message);
        Assert.Contains("'*.corp.example.com'", ex.Message);
    }
}

/// <summary>A gateway that allows absolute return URLs to two hosts and trusts 127.0.0.1 as a forward-auth proxy.</summary>
public sealed class RedirectHostsGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:AllowedRedirectHosts:0"] = "wiki.corp.example.com",
        ["Gateway:AllowedRedirectHosts:1"] = "*.apps.example.com",
        ["Gateway:TrustedProxies:0"] = "127.0.0.1",
    };
}

/// <summary>Absolute <c>rd</c> on sign-in, sign-out and the forward-auth 401: allowed hosts only, everything else refused as before.</summary>
public sealed class AllowedRedirectHostsTests : GatewayTest<RedirectHostsGatewayFixture>
{
    public AllowedRedirectHostsTests(RedirectHostsGatewayFixture fx)
        : base(fx)
    {
    }

    [Theory]
    [InlineData("https://wiki.corp.example.com/page?x=1&y=2")]
    [InlineData("https://crm.apps.example.com/")]
    public async Task SignIn_AbsoluteRdToAllowedHost_LandsThereAfterSignIn(string rd)
    {
        var nav = await Browser.NavigateAsync("/oauth2/sign_in?rd=" + Uri.EscapeDataString(rd));

        // The test browser stops at the first non-loopback host: the callback's redirect.
        var callback = nav.HopAt("/oauth2/callback");
        Assert.True(callback is not null && callback.Status == HttpStatusCode.Found, nav.ToString());
        Assert.Equal(rd, callback.Response.Headers.Location!.OriginalString);
        Assert.Contains(Browser.GatewayCookies(), c => c.Name == "_gateway");
    }

    [Theory]
    [InlineData("https://evil.com/")]
    [InlineData("http://wiki.corp.example.com/page")]
    [InlineData("https://wiki.corp.example.com:8443/page")]
    [InlineData("https://evil-corp.example.com/")]
    [InlineData("https://corp.example.com.evil.com/")]
    [InlineData("https://wiki.corp.example.com.evil.com/")]
    [InlineData("https://wiki.corp.example.com@evil.com/")]
    [InlineData("https://evil.com\\@wiki.corp.example.com/")]
    [InlineData("https://wiki.corp.example.com%2F@evil.com/")]
    [InlineData("https://apps.example.com/")]
    public async Task SignIn_AbsoluteRdToOtherHost_Returns400WithoutRedirect(string rd)
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/sign_in?rd=" + Uri.EscapeDataString(rd));

        Assert.True(hop.Status == HttpStatusCode.BadRequest, $"rd={rd}: {hop}");
        Assert.Null(hop.Response.Headers.Location);
        Assert.Contains("Only pages of this site can be returned to", hop.Body);
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/authorize"));
    }

    [Fact]
    public async Task SignOutPage_AbsoluteRdToAllowedHost_IsKeptInTheForm_OtherHostRefused()
    {
        var allowed = await Browser.NavigateOnceAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("https://crm.apps.example.com/bye"));
        var refused = await Browser.NavigateOnceAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("https://crm.apps.example.com.evil.com/bye"));

        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        Assert.Contains("name=\"rd\" value=\"https://crm.apps.example.com/bye\"", allowed.Body);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
    }

    [Fact]
    public async Task SignOutPost_AbsoluteRdToOtherHost_Returns400AndKeepsTheSession()
    {
        await Browser.SignInAsync();

        var hop = await Browser.SignOutAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("https://evil-corp.example.com/"));

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/revoke"));
        Assert.Equal(HttpStatusCode.OK, (await Browser.NavigateAsync("/app/still")).Status);
    }

    [Theory]
    [InlineData("wiki.corp.example.com", "https://wiki.corp.example.com/app/page?x=1")]
    [InlineData("evil.com", "/app/page?x=1")]
    public async Task ForwardAuth_NoSession_SignInLinkReturnsToTheOriginalRequest(string forwardedHost, string expectedRd)
    {
        var hop = await Browser.ApiGetAsync("/oauth2/auth", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Host", forwardedHost);
            r.Headers.TryAddWithoutValidation("X-Forwarded-Uri", "/app/page?x=1");
        });

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var signIn = TestBrowser.Json(hop).RootElement.GetProperty("sign_in_url").GetString()!;
        Assert.Equal(expectedRd, TestBrowser.Query(new Uri(Fx.Gateway.BaseUri, signIn))["rd"]);
    }
}
