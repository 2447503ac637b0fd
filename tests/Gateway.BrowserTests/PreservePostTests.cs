using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

public sealed class PreservePostTests(GatewayStackFixture stack, ITestOutputHelper output) : BrowserTest(stack, output)
{
    [SkippableFact]
    public async Task A_form_sent_after_the_session_cookie_was_deleted_arrives_after_sign_in_with_what_was_typed()
    {
        var page = await NewPageAsync();
        await SignInAtAsync(page, "/form", GatewayStackFixture.Alice);
        await page.Locator("input[name=item]").FillAsync("Widget é & <b>bold</b>");
        await page.Locator("textarea[name=note]").FillAsync("first line\nsecond line");

        // The session ends while the user types (expiry, or the cookie is gone).
        await page.Context.ClearCookiesAsync(new() { NameRegex = new Regex("^" + Regex.Escape(GatewayStackFixture.SessionCookieName) + "(C[0-9]+)?$") });
        Assert.Empty(await SessionCookiesAsync(page));
        await page.GetByRole(AriaRole.Button, new() { Name = "Send order" }).ClickAsync();

        // The hosted UI may still know the user (no form then) or ask again.
        // Commit, not load: under a loaded CI box the chain of redirects and the auto-submitted form can take a while.
        await page.WaitForURLAsync(url => url.StartsWith(Stack.EmulatorUrl + "/oauth2/authorize", StringComparison.Ordinal) || url == Gateway + "/form",
            new() { WaitUntil = WaitUntilState.Commit, Timeout = 45_000 });
        if (page.Url.StartsWith(Stack.EmulatorUrl, StringComparison.Ordinal))
        {
            await SubmitLoginAsync(page, GatewayStackFixture.Alice, GatewayStackFixture.Password);
        }

        await Expect(page.Locator("#method")).ToHaveTextAsync("POST");
        Assert.Equal(Gateway + "/form", page.Url);
        await Expect(page.Locator("#field-item")).ToHaveTextAsync("Widget é & <b>bold</b>");
        await Expect(page.Locator("#field-note")).ToHaveTextAsync(new Regex("^first line\\s+second line$"));
        await Expect(page.Locator("#who")).ToContainTextAsync(GatewayStackFixture.Alice);
    }
}
