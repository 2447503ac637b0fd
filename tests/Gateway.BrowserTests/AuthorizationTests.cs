using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

public sealed class AuthorizationTests(GatewayStackFixture stack, ITestOutputHelper output) : BrowserTest(stack, output)
{
    [SkippableFact]
    public async Task Bob_gets_a_clear_403_page_on_admin()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/admin");

        var landing = await page.RunAndWaitForResponseAsync(
            () => SubmitLoginAsync(page, GatewayStackFixture.Bob, GatewayStackFixture.Password),
            response => response.Url == Gateway + "/admin");

        Assert.Equal(403, landing.Status);
        await Expect(page).ToHaveURLAsync(Gateway + "/admin");
        await Expect(page.Locator("h1")).ToHaveTextAsync(new Regex("access|permission|not allowed|forbidden", RegexOptions.IgnoreCase));
        var text = await page.Locator("body").InnerTextAsync();
        Assert.DoesNotContain("Admin area", text, StringComparison.Ordinal);
        foreach (var leak in new[] { "Exception", "   at ", "Stack trace", "Microsoft.AspNetCore", "Gateway.Authorization" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }

        // Still a 403 on a plain revisit, and bob stays signed in (the rest of the app works for him).
        var again = await page.GotoAsync("/admin");
        Assert.Equal(403, again?.Status);
        var home = await page.GotoAsync("/");
        Assert.Equal(200, home?.Status);
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as bob@example.com");
    }

    [SkippableFact]
    public async Task Alice_sees_the_admin_page()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/admin");

        var landing = await page.RunAndWaitForResponseAsync(
            () => SubmitLoginAsync(page, GatewayStackFixture.Alice, GatewayStackFixture.Password),
            response => response.Url == Gateway + "/admin");

        Assert.Equal(200, landing.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Admin area");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
    }

    [SkippableFact]
    public async Task A_fetch_to_a_protected_endpoint_without_a_session_gets_401_not_a_redirect()
    {
        var page = await NewPageAsync();
        var publicPage = await page.GotoAsync("/public");
        Assert.Equal(200, publicPage?.Status);
        await Expect(page).ToHaveURLAsync(Gateway + "/public");
        await Expect(page.Locator("#identity")).ToHaveTextAsync("No identity headers were received (anonymous request).");

        var result = await page.EvaluateAsync<JsonElement>(
            "() => fetch('/api/me').then(r => ({ status: r.status, type: r.type, redirected: r.redirected, url: r.url }))");

        Assert.Equal(401, result.GetProperty("status").GetInt32());
        Assert.Equal("basic", result.GetProperty("type").GetString());
        Assert.False(result.GetProperty("redirected").GetBoolean());
        Assert.Equal(Gateway + "/api/me", result.GetProperty("url").GetString());
    }
}
