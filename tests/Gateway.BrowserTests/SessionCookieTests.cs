using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Gateway.BrowserTests;

public sealed class SessionCookieTests(GatewayStackFixture stack, ITestOutputHelper output) : BrowserTest(stack, output)
{
    [SkippableFact]
    public async Task The_session_cookie_is_HttpOnly_and_SameSite_Lax_and_invisible_to_scripts()
    {
        var page = await NewPageAsync();
        await SignInAtAsync(page, "/", GatewayStackFixture.Alice);

        var scriptCookies = await page.EvaluateAsync<string>("() => document.cookie");
        Assert.DoesNotContain(GatewayStackFixture.SessionCookieName, scriptCookies, StringComparison.Ordinal);

        var session = await SessionCookiesAsync(page);
        Assert.Contains(session, c => c.Name is "_gateway" or "_gatewayC1");
        Assert.All(session, cookie =>
        {
            Assert.True(cookie.HttpOnly, $"{cookie.Name} is not HttpOnly");
            Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
            Assert.Equal("localhost", cookie.Domain); // a host-only cookie of the gateway's origin
            Assert.True(cookie.Expires < 0, $"{cookie.Name} should be a browser-session cookie (README: Gateway:Session:Lifetime), but expires at {cookie.Expires}");
        });

        // Scripts cannot read it, yet the browser still sends it: the page's own fetch is signed in.
        var me = await page.EvaluateAsync<JsonElement>("() => fetch('/api/me').then(async r => ({ status: r.status, body: await r.json() }))");
        Assert.Equal(200, me.GetProperty("status").GetInt32());
        Assert.Equal(GatewayStackFixture.Alice, me.GetProperty("body").GetProperty("email").GetString());
    }
}
