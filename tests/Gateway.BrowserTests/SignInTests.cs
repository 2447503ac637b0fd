using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

public sealed class SignInTests(GatewayStackFixture stack, ITestOutputHelper output) : BrowserTest(stack, output)
{
    [SkippableFact]
    public async Task Alice_signs_in_on_the_hosted_ui_and_the_app_shows_her_email_and_groups()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("/");
        await ExpectLoginFormAsync(page);
        await SubmitLoginAsync(page, GatewayStackFixture.Alice, GatewayStackFixture.Password);

        await Expect(page).ToHaveURLAsync(Gateway + "/");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sample legacy app");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
        await Expect(page.Locator("#groups")).ToHaveTextAsync("admins, staff");
        // The app checked the gateway's signed assertion itself, with the JWKS URL only.
        await Expect(page.Locator("#assertion")).ToContainTextAsync("assertion verified (ES256, kid ");
    }

    [SkippableFact]
    public async Task Carol_signs_in_with_Google_through_the_hosted_ui_and_the_app_receives_her_federated_identity()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("/");
        await ExpectLoginFormAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue with Google" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in with Google (demo)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue as " + GatewayStackFixture.Carol }).ClickAsync();

        await Expect(page).ToHaveURLAsync(Gateway + "/");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sample legacy app");
        await Expect(page.Locator("#headers tr", new() { HasText = "X-Forwarded-Preferred-Username" }).Locator("td").Nth(1))
            .ToHaveTextAsync("Google_" + GatewayStackFixture.GoogleUserId);
    }

    [SkippableFact]
    public async Task A_route_bound_to_the_corporate_idp_skips_the_cognito_page_and_the_app_sees_the_provider()
    {
        var page = await NewPageAsync();

        // Gateway.IdentityProvider: CorpSAML on /corp sends identity_provider=CorpSAML: the upstream IdP's page, not Cognito's form.
        await page.GotoAsync("/corp/reports");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in with CorpSAML (demo)");
        Assert.Equal(0, await page.Locator("input[name=password]").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue as " + GatewayStackFixture.Jdoe }).ClickAsync();

        await Expect(page).ToHaveURLAsync(Gateway + "/corp/reports");
        await Expect(HeaderCell(page, "X-Forwarded-Identity-Provider")).ToHaveTextAsync("CorpSAML");
        await Expect(HeaderCell(page, "X-Forwarded-Preferred-Username")).ToHaveTextAsync("CorpSAML_jdoe");
        // The automatic {pool}_CorpSAML group is left out; the email is forwarded because CorpSAML is a trusted email provider.
        await Expect(HeaderCell(page, "X-Forwarded-Groups")).ToHaveTextAsync("admins");
        await Expect(HeaderCell(page, "X-Forwarded-Email")).ToHaveTextAsync(GatewayStackFixture.Jdoe);
    }

    private static ILocator HeaderCell(IPage page, string header) =>
        page.Locator("#headers tr", new() { HasText = header }).Locator("td").Nth(1);

    [SkippableFact]
    public async Task A_deep_link_with_a_query_string_survives_the_login()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("/a/b?x=1&y=two");
        await SubmitLoginAsync(page, GatewayStackFixture.Alice, GatewayStackFixture.Password);

        await Expect(page).ToHaveURLAsync(Gateway + "/a/b?x=1&y=two");
        await Expect(page.Locator("#path")).ToHaveTextAsync("/a/b?x=1&y=two");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
    }

    [SkippableFact]
    public async Task A_wrong_password_shows_the_login_error_and_creates_no_session()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("/");
        await SubmitLoginAsync(page, GatewayStackFixture.Alice, "not-her-password");

        await Expect(page.Locator("#loginErrorMessage")).ToHaveTextAsync("Incorrect username or password.");
        await Expect(page.Locator("input[name=password]")).ToBeVisibleAsync();
        Assert.Empty(await SessionCookiesAsync(page));

        await page.GotoAsync("/");
        await ExpectLoginFormAsync(page);
        await Expect(page.Locator("#loginErrorMessage")).ToHaveCountAsync(0);
        Assert.Empty(await SessionCookiesAsync(page));
    }
}
