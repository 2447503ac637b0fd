using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class RouteAuthorizationTests : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly GatewayFixture _fx;
    private readonly TestBrowser _browser;

    public RouteAuthorizationTests(GatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
        _browser = fx.NewBrowser();
    }

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task AdminRoute_UserWithoutAdminsGroup_Gets403HtmlPage()
    {
        _fx.Cognito.User = TestUser.NoGroups;
        await _browser.SignInAsync();

        var hop = await _browser.NavigateOnceAsync("/admin/x");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Equal("text/html", TestBrowser.MediaType(hop));
        Assert.Null(hop.Response.Headers.Location);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/admin/x");
    }

    [Fact]
    public async Task AdminRoute_ApiCallerWithoutAdminsGroup_Gets403Json()
    {
        _fx.Cognito.User = TestUser.NoGroups;
        await _browser.SignInAsync();

        var hop = await _browser.ApiGetAsync("/admin/x");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        using var _ = TestBrowser.Json(hop);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/admin/x");
    }

    [Fact]
    public async Task AdminRoute_UserInAdminsGroup_IsProxied()
    {
        await _browser.SignInAsync();

        var hop = await _browser.NavigateOnceAsync("/admin/x");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(BackendStub.Body, hop.Body);
        Assert.Equal(["admins,staff"], BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/admin/x"), "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task AdminRoute_WithoutSession_RedirectsBrowserToLogin()
    {
        var hop = await _browser.NavigateOnceAsync("/admin/x");

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.StartsWith(_fx.Cognito.AuthorizationEndpoint, hop.Location!.ToString());
    }

    [Fact]
    public async Task RouteWithoutPolicy_WithoutSession_IsClosed()
    {
        var page = await _browser.NavigateOnceAsync("/no-policy");
        var api = await _browser.ApiGetAsync("/no-policy");

        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
        Assert.Empty(_fx.Backend.Requests);
    }

    [Fact]
    public async Task AnonymousRoute_WithoutSession_IsProxiedWithoutIdentity()
    {
        var hop = await _browser.NavigateOnceAsync("/public/home");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/public/home"), "X-Forwarded-User"));
    }

    [Fact]
    public async Task DenyMetadataRoute_BrowserNavigationWithoutSession_Gets401NotRedirect()
    {
        var hop = await _browser.NavigateOnceAsync("/api/things");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Null(hop.Response.Headers.Location);
        Assert.Empty(_fx.Backend.Requests);
    }

    [Fact]
    public async Task AllowMetadataRoute_WithoutSession_IsProxiedWithoutIdentity()
    {
        var hop = await _browser.NavigateOnceAsync("/open/things");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/open/things"), "X-Forwarded-User"));
    }
}
