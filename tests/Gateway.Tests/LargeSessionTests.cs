using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A user with 60 groups and long custom attributes, measured in cookie sizes; the size guard.</summary>
public sealed class LargeSessionTests : GatewayTest<GatewayFixture>
{
    public LargeSessionTests(GatewayFixture fx)
        : base(fx)
    {
    }

    private void UseLargeUser(int groups)
    {
        var names = Enumerable.Range(1, groups).Select(i => $"department-{i:000}-readers-eu-west").ToArray();
        Fx.Cognito.User = TestUser.Default with { Groups = names };
        Fx.Cognito.CustomizeIdToken = (token, _) =>
        {
            token.Claims["custom:biography"] = new string('b', 1024);
            token.Claims["custom:cost_centre"] = "CC-" + new string('7', 200);
            token.Claims["custom:manager_email"] = "a.very.long.manager.address@subsidiary.example.com";
        };
    }

    [Fact]
    public async Task CookieStore_UserWith60Groups_SignsInWithChunksWithinBrowserLimits()
    {
        UseLargeUser(60);
        using var browser = Fx.NewBrowser();

        var nav = await browser.SignInAsync("/large");

        var setCookies = nav.Hops.SelectMany(h => h.SetCookies).Select(SetCookie.Parse).Where(c => SetCookie.IsSessionCookieName(c.Name) && !c.IsDeletion).ToList();
        Assert.True(setCookies.Count >= 2, "a session this large is chunked");
        Assert.All(setCookies, c => Assert.True(c.Name.Length + 1 + c.Value.Length <= 4096, $"{c.Name} is {c.Value.Length} bytes"));
        var total = setCookies.Sum(c => c.Name.Length + 1 + c.Value.Length);
        Assert.True(total <= 16384, $"all session cookies together are {total} bytes (Gateway:Session:MaxCookieBytes default 16384)");

        var groups = BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/large"), "X-Forwarded-Groups").Single().Split(',');
        Assert.Equal(60, groups.Length);
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/large-again")).Status);
    }

    [Fact]
    public async Task CookieStore_SessionAboveMaxCookieBytes_ClearPageAndNoSession()
    {
        UseLargeUser(400);
        using var browser = Fx.NewBrowser();

        var nav = await browser.NavigateAsync("/huge");

        Assert.Equal(HttpStatusCode.BadRequest, nav.Status);
        Assert.Contains("Gateway:Session:Store", nav.Final.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(browser.GatewayCookies(), c => SetCookie.IsSessionCookieName(c.Name));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/huge")).Status);
    }
}
