using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class RouteAuthorizationTests : GatewayTest<GatewayFixture>
{
    public RouteAuthorizationTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public async Task AdminRoute_UserWithoutAdminsGroup_Gets403HtmlPage()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        var hop = await Browser.NavigateOnceAsync("/admin/x");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Equal("text/html", TestBrowser.MediaType(hop));
        Assert.Null(hop.Response.Headers.Location);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/admin/x");
    }

    [Fact]
    public async Task AdminRoute_ApiCallerWithoutAdminsGroup_Gets403Json()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/admin/x");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        using var _ = TestBrowser.Json(hop);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/admin/x");
    }

    [Fact]
    public async Task AdminRoute_UserInAdminsGroup_IsProxied()
    {
        await Browser.SignInAsync();

        var hop = await Browser.NavigateOnceAsync("/admin/x");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(BackendStub.Body, hop.Body);
        Assert.Equal(["admins,staff"], BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/admin/x"), "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task AdminRoute_WithoutSession_RedirectsBrowserToLogin()
    {
        var hop = await Browser.NavigateOnceAsync("/admin/x");

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, hop.Location!.ToString());
    }

    [Fact]
    public async Task RouteWithoutPolicy_WithoutSession_IsClosed()
    {
        var page = await Browser.NavigateOnceAsync("/no-policy");
        var api = await Browser.ApiGetAsync("/no-policy");

        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task AnonymousRoute_WithoutSession_IsProxiedWithoutIdentity()
    {
        var hop = await Browser.NavigateOnceAsync("/public/home");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/public/home"), "X-Forwarded-User"));
    }

    [Fact]
    public async Task DenyMetadataRoute_BrowserNavigationWithoutSession_Gets401NotRedirect()
    {
        var hop = await Browser.NavigateOnceAsync("/api/things");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Null(hop.Response.Headers.Location);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task AllowMetadataRoute_WithoutSession_IsProxiedWithoutIdentity()
    {
        var hop = await Browser.NavigateOnceAsync("/open/things");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/open/things"), "X-Forwarded-User"));
    }
}
