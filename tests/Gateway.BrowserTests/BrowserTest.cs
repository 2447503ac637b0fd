using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

/// <summary>
/// Base of every browser test: one fresh browser context per test (isolated cookies), helpers that act like a
/// person on the stand-in's hosted UI, and the gateway's log tail in the test output.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(GatewayStackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    protected GatewayStackFixture Stack { get; } = stack;

    protected string Gateway => Stack.GatewayUrl;

    /// <summary>Skips/fails when Chromium is missing, then opens a page in a new isolated context.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        BrowserEnvironment.RequireChromium();
        var context = await Stack.NewContextAsync();
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>The stand-in's hosted-UI sign-in form is on screen, on the stand-in's own origin.</summary>
    protected async Task ExpectLoginFormAsync(IPage page)
    {
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(Stack.EmulatorUrl + "/oauth2/authorize?")));
        await Expect(page.Locator("form[name=cognitoSignInForm] input[name=username]")).ToBeVisibleAsync();
        await Expect(page.Locator("form[name=cognitoSignInForm] input[name=password]")).ToBeVisibleAsync();
    }

    /// <summary>Types the credentials into the hosted-UI form and submits it, as a person would.</summary>
    protected async Task SubmitLoginAsync(IPage page, string username, string password)
    {
        await ExpectLoginFormAsync(page);
        await page.Locator("input[name=username]").FillAsync(username);
        await page.Locator("input[name=password]").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Opens <paramref name="path"/> on the gateway, signs in on the hosted UI and waits until the browser is back on that path.</summary>
    protected async Task SignInAtAsync(IPage page, string path, string username)
    {
        await page.GotoAsync(path);
        await SubmitLoginAsync(page, username, GatewayStackFixture.Password);
        await page.WaitForURLAsync(Gateway + path);
    }

    /// <summary>The gateway's session cookie and its chunks (<c>_gateway</c>, <c>_gatewayC1</c>, …), not the sign-in correlation/nonce cookies.</summary>
    protected static async Task<IReadOnlyList<BrowserContextCookiesResult>> SessionCookiesAsync(IPage page) =>
        (await page.Context.CookiesAsync())
            .Where(c => Regex.IsMatch(c.Name, "^" + Regex.Escape(GatewayStackFixture.SessionCookieName) + "(C[0-9]+)?$"))
            .ToList();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        output.WriteLine("Gateway log (most recent lines):" + Environment.NewLine + Stack.GatewayLog.Tail());
    }
}
