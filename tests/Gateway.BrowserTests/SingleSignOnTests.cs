using System.Text.RegularExpressions;
using Gateway.Demo.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

/// <summary>
/// A second stack for single sign-on across host names: its own Cognito stand-in (an app client whose callback URLs are
/// <c>http://wiki.apps.localhost:PORT</c> and <c>http://crm.apps.localhost:PORT</c>; Chromium resolves every
/// <c>*.localhost</c> name to loopback), the sample app, and one gateway reached under both names with
/// <c>Gateway:Session:CookieDomain</c> <c>.apps.localhost</c> and its signed-out page on the wiki host.
/// </summary>
public sealed class SingleSignOnStackFixture : IAsyncLifetime
{
    public const string ClientId = "sso-client";
    public const string ClientSecret = "sso-secret";

    private WebApplication? _emulator;
    private WebApplication? _sampleApp;
    private WebApplication? _gateway;

    public string Wiki { get; private set; } = "";

    public string Crm { get; private set; } = "";

    public string EmulatorUrl { get; private set; } = "";

    public GatewayLog GatewayLog { get; } = new();

    public async Task InitializeAsync()
    {
        var port = Gateway.Demo.Hosting.LoopbackPorts.Reserve();
        Wiki = $"http://wiki.apps.localhost:{port}";
        Crm = $"http://crm.apps.localhost:{port}";
        const string poolId = "eu-west-1_SsoPool01";
        (_emulator, EmulatorUrl) = await HostNameStack.StartPoolAsync(poolId, new EmulatorClient
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            CallbackUrls = [Wiki + "/oauth2/callback", Crm + "/oauth2/callback"],
            SignOutUrls = [Wiki + "/oauth2/signed_out"],
        });
        var (sampleApp, sampleAddress) = await HostNameStack.StartSampleAppAsync();
        _sampleApp = sampleApp;

        var config = new Dictionary<string, string?>
        {
            ["Gateway:Cognito:UserPoolId"] = poolId,
            ["Gateway:Cognito:Region"] = "eu-west-1",
            ["Gateway:Cognito:Authority"] = $"{EmulatorUrl}/{poolId}",
            ["Gateway:Cognito:ClientId"] = ClientId,
            ["Gateway:Cognito:ClientSecret"] = ClientSecret,
            ["Gateway:Cognito:SignOutUri"] = Wiki + "/oauth2/signed_out",
            ["Gateway:Session:CookieDomain"] = ".apps.localhost",
            ["Gateway:AllowedRedirectHosts:0"] = $"*.apps.localhost:{port}",
            ["ReverseProxy:Routes:public:ClusterId"] = "sample",
            ["ReverseProxy:Routes:public:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:public:Match:Path"] = "/public/{**rest}",
            ["ReverseProxy:Routes:app:ClusterId"] = "sample",
            ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Clusters:sample:Destinations:app:Address"] = sampleAddress,
        };
        _gateway = await HostNameStack.StartGatewayAsync(port, config, GatewayLog);
    }

    public Task DisposeAsync() => HostNameStack.StopAsync(_gateway, _sampleApp, _emulator);
}

/// <summary>Real Chromium: one sign-in for two host names under one cookie domain, and a sign-out that comes back to the page.</summary>
public sealed class SingleSignOnTests(GatewayStackFixture stack, SingleSignOnStackFixture sso, ITestOutputHelper output)
    : BrowserTest(stack, output), IClassFixture<SingleSignOnStackFixture>
{
    private async Task SignInOnAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await HostNameStack.SignInAliceAsync(page, sso.EmulatorUrl, url);
    }

    private static List<string> Navigations(IPage page)
    {
        var visited = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.IsNavigationRequest)
            {
                visited.Add(request.Url);
            }
        };
        return visited;
    }

    [SkippableFact]
    public async Task Signing_in_on_one_host_signs_the_user_in_on_every_host_under_the_cookie_domain()
    {
        var page = await NewPageAsync();
        await SignInOnAsync(page, sso.Wiki + "/");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == GatewayStackFixture.SessionCookieName);
        Assert.Equal(".apps.localhost", session.Domain);
        Assert.True(session.HttpOnly);

        var visited = Navigations(page);
        await page.GotoAsync(sso.Crm + "/");

        await Expect(page).ToHaveURLAsync(sso.Crm + "/");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
        Assert.DoesNotContain(visited, u => u.StartsWith(sso.EmulatorUrl, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Signing_out_on_one_host_returns_to_the_page_and_ends_the_session_on_every_host()
    {
        var page = await NewPageAsync();
        await SignInOnAsync(page, sso.Crm + "/");

        // The app's sign-out link on the crm host, asking to come back to a public page of that host afterwards.
        await page.GotoAsync(sso.Crm + "/oauth2/sign_out?rd=" + Uri.EscapeDataString(sso.Crm + "/public/bye"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign out?");
        var visited = Navigations(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        // Cognito's /logout → the fixed SignOutUri on the wiki host → on to the kept page on the crm host.
        await Expect(page).ToHaveURLAsync(sso.Crm + "/public/bye");
        await Expect(page.Locator("#identity")).ToHaveTextAsync("No identity headers were received (anonymous request).");
        Assert.Contains(visited, u => u.StartsWith(sso.EmulatorUrl + "/logout?", StringComparison.Ordinal));
        Assert.Contains(visited, u => u == sso.Wiki + "/oauth2/signed_out");
        Assert.Empty(await SessionCookiesAsync(page));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == GatewayStackFixture.SessionCookieName + "_signout");

        // Signed out on the other host too: the wiki asks for the password again.
        await page.GotoAsync(sso.Wiki + "/");
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(sso.EmulatorUrl + "/oauth2/authorize?")));
        await Expect(page.Locator("input[name=password]")).ToBeVisibleAsync();
    }
}
