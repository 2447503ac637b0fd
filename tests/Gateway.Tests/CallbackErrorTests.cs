using System.Net;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class CallbackErrorTests : GatewayTest<GatewayFixture>
{
    public CallbackErrorTests(GatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>Starts a real challenge and returns the state the gateway sent to Cognito.</summary>
    private async Task<string> StartChallengeAsync(string path = "/wanted")
    {
        var hop = await Browser.NavigateOnceAsync(path);
        Assert.Equal(HttpStatusCode.Found, hop.Status);
        return TestBrowser.Query(hop.Location!)["state"];
    }

    [Fact]
    public async Task Callback_AccessDenied_Shows4xxPageWithTryAgainLink()
    {
        var state = await StartChallengeAsync();

        var hop = await Browser.NavigateOnceAsync(
            $"/oauth2/callback?error=access_denied&error_description={Uri.EscapeDataString("User cancelled")}&state={Uri.EscapeDataString(state)}");

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Matches(new Regex(@"<a\s[^>]*href=", RegexOptions.IgnoreCase), hop.Body);
        Assert.DoesNotContain(hop.SetCookies.Select(SetCookie.Parse), c => SetCookie.IsSessionCookieName(c.Name) && !c.IsDeletion);
    }

    [Fact]
    public async Task Callback_NoState_Returns400Page()
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/callback?code=abc");

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
    }

    [Fact]
    public async Task Callback_NoParametersAtAll_Returns400Page()
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/callback");

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
    }

    [Fact]
    public async Task Callback_GarbageState_Returns400Page()
    {
        await StartChallengeAsync();

        var hop = await Browser.NavigateOnceAsync("/oauth2/callback?code=abc&state=garbage-state-value");

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/token"));
    }

    [Fact]
    public async Task Callback_StateWithoutCorrelationCookie_Returns4xxPage()
    {
        // A callback URL replayed in a browser that never started the login (e.g. login CSRF).
        var state = await StartChallengeAsync();
        using var stranger = Fx.NewBrowser();

        var hop = await stranger.NavigateOnceAsync($"/oauth2/callback?code=abc&state={Uri.EscapeDataString(state)}");

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
    }

    [Fact]
    public async Task Callback_TokenEndpointReturns500_Returns502Page()
    {
        Fx.Cognito.TokenResponder = _ => FakeCognito.Json(500, new { error = "internal" });

        var nav = await Browser.NavigateAsync("/wanted");

        var callback = nav.HopAt("/oauth2/callback");
        Assert.NotNull(callback);
        Assert.True(callback.Status == HttpStatusCode.BadGateway, $"{nav}\n{callback.Body}\n{Fx.Gateway.Logs.Dump()}");
        Assert.Equal("text/html", TestBrowser.MediaType(callback));
        PageAssert.NoStackTrace(callback);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser.ApiGetAsync("/wanted")).Status);
    }

    [Fact]
    public async Task Callback_TokenEndpointUnreachable_Returns502Page()
    {
        using var cognito = new FakeCognito { TokenEndpointOverride = $"http://127.0.0.1:{BackendStub.GetClosedPort()}/oauth2/token" };
        cognito.Reset();
        await using var host = await GatewayHost.StartAsync(cognito, Fx.Backend);
        using var browser = new TestBrowser(host);

        var nav = await browser.NavigateAsync("/wanted");

        var callback = nav.HopAt("/oauth2/callback");
        Assert.NotNull(callback);
        Assert.True(callback.Status == HttpStatusCode.BadGateway, $"{nav}\n{callback.Body}\n{host.Logs.Dump()}");
        Assert.Equal("text/html", TestBrowser.MediaType(callback));
        PageAssert.NoStackTrace(callback);
    }

    [Fact]
    public async Task Callback_ReplayedCode_InvalidGrant_Shows4xxPage()
    {
        // Stop at Cognito's redirect back, burn the code (as if already redeemed), then deliver the callback.
        var challenge = await Browser.NavigateOnceAsync("/wanted");
        var authorize = await Browser.NavigateOnceAsync(challenge.Location!.ToString());
        Assert.Equal(HttpStatusCode.Found, authorize.Status);
        var callbackUrl = authorize.Location!;
        Fx.Cognito.MarkRedeemed(TestBrowser.Query(callbackUrl)["code"]);

        var hop = await Browser.NavigateOnceAsync(callbackUrl.ToString());

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Single(Fx.Cognito.RequestsTo("/oauth2/token"));
        Assert.DoesNotContain(hop.SetCookies.Select(SetCookie.Parse), c => SetCookie.IsSessionCookieName(c.Name) && !c.IsDeletion);
    }

    [Fact]
    public async Task Callback_ReplayedAfterSuccessfulLogin_DoesNotFail500()
    {
        var nav = await Browser.NavigateAsync("/wanted");
        Assert.Equal(HttpStatusCode.OK, nav.Status);
        var callbackUrl = nav.HopAt("/oauth2/callback")!.Url;

        using var attacker = Fx.NewBrowser();
        var hop = await attacker.NavigateOnceAsync(callbackUrl.ToString());

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.ApiGetAsync("/wanted")).Status);
    }
}
