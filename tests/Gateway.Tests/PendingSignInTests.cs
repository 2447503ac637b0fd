using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// Every started sign-in leaves a correlation and a nonce cookie until its callback. Sign-ins a browser abandons (closed
/// tabs, a user who clicks "sign in" again and again) must not pile up until the browser's requests are too large to be
/// answered (431), locking that browser out.
/// </summary>
public sealed class PendingSignInTests : GatewayTest<GatewayFixture>
{
    private const int Cap = 5;

    public PendingSignInTests(GatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>Cookie limits of a real browser (Chrome keeps 180 cookies per site, each up to 4 KB).</summary>
    private TestBrowser BrowserLikeJar() => new(Fx.Gateway, new CookieContainer(3000, 180, 4096));

    private static int Pending(TestBrowser browser, string kind) =>
        browser.Cookies.GetAllCookies().Count(c => !c.Expired && c.Name.StartsWith("_gateway_" + kind + ".", StringComparison.Ordinal));

    private async Task<Uri> StartSignInAsync(TestBrowser browser, int i)
    {
        // Both ways a sign-in starts: a protected page, and the sign-in endpoint.
        var hop = i % 2 == 0
            ? await browser.NavigateOnceAsync($"/abandoned/{i}")
            : await browser.NavigateOnceAsync($"/oauth2/sign_in?rd=/abandoned/{i}");
        Assert.True(hop.Status == HttpStatusCode.Found, $"sign-in {i}: {hop}\n{hop.Body}");
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, hop.Location!.ToString(), StringComparison.Ordinal);
        return hop.Location!;
    }

    [Fact]
    public async Task ManyAbandonedSignIns_AtMostFivePending_AndTheLatestStillCompletes()
    {
        using var browser = BrowserLikeJar();
        Uri? latest = null;
        var mostPending = 0;
        for (var i = 0; i < 120; i++)
        {
            latest = await StartSignInAsync(browser, i);
            mostPending = Math.Max(mostPending, Math.Max(Pending(browser, "corr"), Pending(browser, "nonce")));
        }

        var nav = await browser.NavigateAsync(latest!.ToString());

        var callback = nav.HopAt("/oauth2/callback");
        Assert.True(callback is not null && callback.Status == HttpStatusCode.Found,
            $"up to {mostPending} pending sign-ins:\n{nav}\n{callback?.Body}\n{Fx.Gateway.Logs.Dump()}");
        Assert.Equal(HttpStatusCode.OK, nav.Status);
        Assert.Equal("/abandoned/119", nav.FinalUrl.PathAndQuery);
        Assert.True(mostPending <= Cap, $"up to {mostPending} correlation or nonce cookies were pending at once");
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/abandoned/after")).Status);
    }

    [Fact]
    public async Task SixthPendingSignIn_DropsTheOldest_TheOthersStillComplete()
    {
        using var browser = BrowserLikeJar();
        var started = new List<Uri>();
        for (var i = 0; i < Cap + 1; i++)
        {
            started.Add(await StartSignInAsync(browser, i));
        }

        Assert.Equal(Cap, Pending(browser, "corr"));
        Assert.Equal(Cap, Pending(browser, "nonce"));

        // The oldest was dropped: its callback is a stale sign-in (4xx page with a retry link, no session).
        var oldest = await browser.NavigateAsync(started[0].ToString());
        var staleCallback = oldest.HopAt("/oauth2/callback");
        Assert.NotNull(staleCallback);
        PageAssert.Is4xxHtmlPage(staleCallback, Fx.Gateway);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/abandoned/check")).Status);

        // The second oldest was kept.
        var kept = await browser.NavigateAsync(started[1].ToString());
        Assert.True(kept.Status == HttpStatusCode.OK, $"{kept}\n{kept.Final.Body}\n{Fx.Gateway.Logs.Dump()}");
        Assert.Equal("/abandoned/1", kept.FinalUrl.PathAndQuery);
    }

    [Fact]
    public async Task OversizedPendingCookies_AreDeletedWhenTheNextSignInStarts()
    {
        // Pending-cookie names the gateway did not write this size (planted from a sibling subdomain, or left by a bug):
        // the next sign-in must not carry them on, whatever their count.
        using var browser = BrowserLikeJar();
        for (var i = 0; i < 3; i++)
        {
            browser.Cookies.Add(Fx.Gateway.BaseUri, new Cookie($"_gateway_nonce.planted{i}", new string('x', 3000), "/"));
        }

        await StartSignInAsync(browser, 0);

        var pendingBytes = browser.Cookies.GetAllCookies()
            .Where(c => !c.Expired && c.Name.StartsWith("_gateway_", StringComparison.Ordinal))
            .Sum(c => c.Name.Length + c.Value.Length);
        Assert.True(pendingBytes <= 4096, $"{pendingBytes} bytes of pending sign-in cookies remain");
        Assert.Equal(1, Pending(browser, "corr"));
        var nav = await browser.NavigateAsync("/after-planted");
        Assert.Equal(HttpStatusCode.OK, nav.Status);
    }
}
