using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class ReturnUrlTests : GatewayTest<GatewayFixture>
{
    public ReturnUrlTests(GatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>Values of rd after one URL-decoding (each is escaped once more on the query string).</summary>
    public static TheoryData<string> OpenRedirects => new()
    {
        "//evil.com",
        "/\\evil.com",
        "https:evil.com",
        "https://evil.com",
        "%2F%2Fevil.com",
        "/%5Cevil.com",
        "javascript:alert(1)",
        "http://evil.com/a",
        "\\\\evil.com",
    };

    [Fact]
    public async Task ProtectedPath_StartingWithTwoSlashes_SignInLandsOnTheGatewayNotAnotherSite()
    {
        // Echoed back after sign-in, "//evil.com/login" would be a protocol-relative URL. The canonical path merges the
        // slashes, so the user lands on the local path /evil.com/login of the gateway itself.
        var nav = await Browser.NavigateAsync(Fx.Gateway.Url + "//evil.com/login");

        Assert.All(nav.Hops, hop => Assert.False(
            hop.Response.Headers.Location is { } l && (l.OriginalString.StartsWith("//", StringComparison.Ordinal) ||
                                                        l.OriginalString.StartsWith("/\\", StringComparison.Ordinal) ||
                                                        (l.IsAbsoluteUri && l.Host.Contains("evil.com", StringComparison.Ordinal))),
            $"redirected to {hop.Response.Headers.Location}: {nav}"));
        Assert.Equal(Fx.Gateway.BaseUri.Authority, nav.FinalUrl.Authority);
        Assert.Equal("/evil.com/login", nav.FinalUrl.AbsolutePath);
    }

    [Fact]
    public async Task ApiRequest_PathStartingWithTwoSlashes_SignInUrlInThe401IsLocal()
    {
        var hop = await Browser.ApiGetAsync(Fx.Gateway.Url + "//evil.com/api");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var signIn = TestBrowser.Json(hop).RootElement.GetProperty("sign_in_url").GetString()!;
        var rd = TestBrowser.Query(new Uri(Fx.Gateway.BaseUri, signIn))["rd"];
        Assert.Equal("/evil.com/api", rd);
    }

    [Theory]
    [MemberData(nameof(OpenRedirects))]
    public async Task SignIn_NonLocalReturnUrl_Returns400WithoutRedirect(string rd)
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/sign_in?rd=" + Uri.EscapeDataString(rd));

        Assert.True(hop.Status == HttpStatusCode.BadRequest, $"rd={rd}: {hop}\n{hop.Body}");
        Assert.DoesNotContain("evil.com", hop.Response.Headers.Location?.ToString() ?? string.Empty);
        PageAssert.NoStackTrace(hop);
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/authorize"));
    }

    [Fact]
    public async Task SignIn_LocalReturnUrl_RedirectsToAuthorizeThenLandsOnIt()
    {
        var first = await Browser.NavigateOnceAsync("/oauth2/sign_in?rd=" + Uri.EscapeDataString("/a/b?x=1"));
        Assert.Equal(HttpStatusCode.Found, first.Status);
        Assert.Equal(Fx.Cognito.AuthorizationEndpoint, first.Location!.GetLeftPart(UriPartial.Path));

        var nav = await Browser.NavigateAsync(first.Location.ToString());

        Assert.True(nav.Status == HttpStatusCode.OK, nav.ToString());
        Assert.Equal(Fx.Gateway.Url + "/a/b?x=1", nav.FinalUrl.ToString());
        Assert.Equal("?x=1", new Uri(Fx.Backend.LastRequestTo("/a/b").Url).Query);
    }

    [Fact]
    public async Task SignIn_WithoutReturnUrl_LandsOnRoot()
    {
        var nav = await Browser.NavigateAsync("/oauth2/sign_in");

        Assert.True(nav.Status == HttpStatusCode.OK, nav.ToString());
        Assert.Equal("/", nav.FinalUrl.AbsolutePath);
    }
}
