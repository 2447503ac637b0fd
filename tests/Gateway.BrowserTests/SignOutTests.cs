using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

public sealed class SignOutTests(GatewayStackFixture stack, ITestOutputHelper output) : BrowserTest(stack, output)
{
    [SkippableFact]
    public async Task Sign_out_asks_first_then_ends_the_gateway_session_and_the_hosted_ui_session()
    {
        var page = await NewPageAsync();
        await SignInAtAsync(page, "/", GatewayStackFixture.Alice);
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
        Assert.NotEmpty(await SessionCookiesAsync(page));
        // Precondition: the hosted UI remembers alice. Without its /logout the next visit would sign her straight back in.
        Assert.NotEmpty(await page.Context.CookiesAsync([Stack.EmulatorUrl]));

        var refreshToken = LatestRefreshToken("alice");
        Assert.False(Stack.EmulatorState.IsRefreshTokenRevoked(refreshToken));

        // The legacy app's own link (<a href="/oauth2/sign_out">) shows "Sign out?": nothing has happened yet.
        await page.Locator("#signout").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign out?");
        Assert.NotEmpty(await SessionCookiesAsync(page));
        Assert.False(Stack.EmulatorState.IsRefreshTokenRevoked(refreshToken));

        var visited = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.IsNavigationRequest)
            {
                visited.Add(request.Url);
            }
        };
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        // Through the hosted UI's /logout back to the sign-out URL: the gateway's "You are signed out" page.
        await Expect(page).ToHaveURLAsync(Stack.SignOutUrl);
        await Expect(page.Locator("h1")).ToHaveTextAsync("You are signed out");
        var logout = visited.FirstOrDefault(u => u.StartsWith(Stack.EmulatorUrl + "/logout?", StringComparison.Ordinal));
        Assert.True(logout is not null, "The browser never went through the hosted UI's /logout. Visited: " + string.Join(" -> ", visited));
        var query = QueryHelpers.ParseQuery(new Uri(logout).Query);
        Assert.Equal(GatewayStackFixture.ClientId, query["client_id"].ToString());
        Assert.Equal(Stack.SignOutUrl, query["logout_uri"].ToString());
        Assert.Empty(await SessionCookiesAsync(page));
        Assert.Empty(await page.Context.CookiesAsync([Stack.EmulatorUrl]));
        Assert.True(Stack.EmulatorState.IsRefreshTokenRevoked(refreshToken), "sign-out did not revoke the session's refresh token at the provider");

        // "Sign in again" asks for the password: the hosted UI's session ended too.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in again" }).ClickAsync();
        await ExpectLoginFormAsync(page);
        Assert.Empty(await SessionCookiesAsync(page));
    }

    [SkippableFact]
    public async Task A_page_on_another_origin_cannot_sign_the_user_out()
    {
        var page = await NewPageAsync();
        await SignInAtAsync(page, "/", GatewayStackFixture.Alice);
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
        var refreshToken = LatestRefreshToken("alice");

        // The attacker's site: another origin on loopback (127.0.0.1:port, the gateway is localhost:port).
        var signOut = Gateway + "/oauth2/sign_out";
        await using var attacker = await AttackerSite.StartAsync(new Dictionary<string, string>
        {
            ["/img"] = $"<img src=\"{signOut}\" onload=\"document.title='loaded'\" onerror=\"document.title='failed'\">",
            ["/form"] = $"<form method=\"post\" action=\"{signOut}\"><input type=\"hidden\" name=\"rd\" value=\"/\"></form><script>document.forms[0].submit()</script>",
            ["/link"] = $"<script>location.href = \"{signOut}\"</script>",
        });
        Assert.NotEqual(new Uri(attacker.Url).Authority, new Uri(Gateway).Authority);

        // <img src=…/oauth2/sign_out>: the browser fetches it (with cookies where they are allowed); nothing happens.
        await page.GotoAsync(attacker.Url + "/img");
        await Expect(page).ToHaveTitleAsync(new Regex("^(loaded|failed)$"));
        await ExpectStillSignedInAsync(page, refreshToken);

        // An auto-submitting form on the other site: a cross-site POST gets the 403 page.
        await page.GotoAsync(attacker.Url + "/form");
        await Expect(page).ToHaveURLAsync(signOut);
        await Expect(page.Locator("h1")).ToHaveTextAsync("You are still signed in");
        await ExpectStillSignedInAsync(page, refreshToken);

        // A top-level GET from the other site (the session cookie is SameSite=Lax, so it is sent): only "Sign out?".
        await page.GotoAsync(attacker.Url + "/link");
        await Expect(page).ToHaveURLAsync(signOut);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign out?");
        await ExpectStillSignedInAsync(page, refreshToken);
    }

    private string LatestRefreshToken(string username) =>
        Stack.EmulatorState.RefreshTokens.Where(t => t.Username == username).MaxBy(t => t.IssuedAt)!.Token;

    /// <summary>The app, reloaded, still shows who is signed in; the refresh token is alive; the hosted UI still remembers the user.</summary>
    private async Task ExpectStillSignedInAsync(IPage page, string refreshToken)
    {
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(Gateway + "/");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
        Assert.NotEmpty(await SessionCookiesAsync(page));
        Assert.NotEmpty(await page.Context.CookiesAsync([Stack.EmulatorUrl]));
        Assert.False(Stack.EmulatorState.IsRefreshTokenRevoked(refreshToken), "a page on another origin got the refresh token revoked");
    }

    /// <summary>A tiny site on another loopback origin serving the given HTML pages.</summary>
    private sealed class AttackerSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private AttackerSite(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public static async Task<AttackerSite> StartAsync(IReadOnlyDictionary<string, string> pages)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            foreach (var (path, body) in pages)
            {
                app.MapGet(path, () => Results.Content("<!doctype html><html><head><title>other site</title></head><body>" + body + "</body></html>", "text/html"));
            }

            await app.StartAsync();
            return new AttackerSite(app, app.Urls.Single().TrimEnd('/'));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
