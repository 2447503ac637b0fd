using Microsoft.Playwright;
using Microsoft.AspNetCore.WebUtilities;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

public sealed class SignOutTests(GatewayStackFixture stack, ITestOutputHelper output) : BrowserTest(stack, output)
{
    [SkippableFact]
    public async Task Sign_out_ends_the_gateway_session_and_the_hosted_ui_session()
    {
        var page = await NewPageAsync();
        await SignInAtAsync(page, "/", GatewayStackFixture.Alice);
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
        Assert.NotEmpty(await SessionCookiesAsync(page));
        // Precondition: the hosted UI remembers alice. Without its /logout the next visit would sign her straight back in.
        Assert.NotEmpty(await page.Context.CookiesAsync([Stack.EmulatorUrl]));

        var refreshToken = Stack.EmulatorState.RefreshTokens.Where(t => t.Username == "alice").MaxBy(t => t.IssuedAt)!.Token;
        Assert.False(Stack.EmulatorState.IsRefreshTokenRevoked(refreshToken));

        var visited = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.IsNavigationRequest)
            {
                visited.Add(request.Url);
            }
        };
        await page.Locator("#signout").ClickAsync();

        // The chain ends on the sign-out URL (the gateway's "/"), which is protected: with both sessions gone it shows the form.
        await ExpectLoginFormAsync(page);
        var logout = visited.FirstOrDefault(u => u.StartsWith(Stack.EmulatorUrl + "/logout?", StringComparison.Ordinal));
        Assert.True(logout is not null, "The browser never went through the hosted UI's /logout. Visited: " + string.Join(" -> ", visited));
        var query = QueryHelpers.ParseQuery(new Uri(logout).Query);
        Assert.Equal(GatewayStackFixture.ClientId, query["client_id"].ToString());
        Assert.Equal(Stack.SignOutUrl, query["logout_uri"].ToString());
        Assert.Contains(Stack.SignOutUrl, visited.SkipWhile(u => u != logout));
        Assert.Empty(await SessionCookiesAsync(page));
        Assert.Empty(await page.Context.CookiesAsync([Stack.EmulatorUrl]));
        Assert.True(Stack.EmulatorState.IsRefreshTokenRevoked(refreshToken), "sign-out did not revoke the session's refresh token at the provider");

        await page.GotoAsync("/");
        await ExpectLoginFormAsync(page);
        Assert.Empty(await SessionCookiesAsync(page));
    }
}
