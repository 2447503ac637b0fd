using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class BackendFailureTests : GatewayTest<GatewayFixture>
{
    public BackendFailureTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public async Task Proxy_BackendDown_Returns502PageAndSessionSurvives()
    {
        var port = BackendStub.GetClosedPort();
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, $"http://127.0.0.1:{port}");
        using var browser = new TestBrowser(host);

        var nav = await browser.NavigateAsync("/app/page");

        Assert.True(nav.Status == HttpStatusCode.BadGateway, $"{nav}\n{nav.Final.Body}\n{host.Logs.Dump()}");
        Assert.Equal("/app/page", nav.FinalUrl.AbsolutePath);
        Assert.True(nav.Final.Body.Length < 4096, "expected a short error page");
        PageAssert.NoStackTrace(nav.Final);
        Assert.DoesNotContain(nav.Final.SetCookies.Select(SetCookie.Parse), c => SetCookie.IsSessionCookieName(c.Name) && c.IsDeletion);

        using var backend = BackendStub.StartOnPort(port);
        var again = await browser.NavigateOnceAsync("/app/page");

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(BackendStub.Body, again.Body);
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(backend.LastRequestTo("/app/page"), "X-Forwarded-User"));
    }

    [Fact]
    public async Task Proxy_BackendDown_ApiCallerGets502()
    {
        var port = BackendStub.GetClosedPort();
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, $"http://127.0.0.1:{port}");
        using var browser = new TestBrowser(host);

        var hop = await browser.ApiGetAsync("/public/thing");

        Assert.Equal(HttpStatusCode.BadGateway, hop.Status);
        PageAssert.NoStackTrace(hop);
    }
}
