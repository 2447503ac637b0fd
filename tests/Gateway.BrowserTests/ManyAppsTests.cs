using System.Text.RegularExpressions;
using Gateway.Demo.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

/// <summary>
/// A stack for <c>Gateway:Apps</c>: two Cognito stand-ins (two user pools, each with its own app client), the sample
/// app, and one gateway serving <c>http://wiki.many.localhost:PORT</c> as app <c>wiki</c> and
/// <c>http://crm.many.localhost:PORT</c> as app <c>crm</c> (Chromium resolves every <c>*.localhost</c> name to loopback).
/// </summary>
public sealed class ManyAppsStackFixture : IAsyncLifetime
{
    private WebApplication? _wikiPool;
    private WebApplication? _crmPool;
    private WebApplication? _sampleApp;
    private WebApplication? _gateway;

    public string Wiki { get; private set; } = "";

    public string Crm { get; private set; } = "";

    public string WikiPoolUrl { get; private set; } = "";

    public string CrmPoolUrl { get; private set; } = "";

    public GatewayLog GatewayLog { get; } = new();

    public async Task InitializeAsync()
    {
        var port = Gateway.Demo.Hosting.LoopbackPorts.Reserve();
        Wiki = $"http://wiki.many.localhost:{port}";
        Crm = $"http://crm.many.localhost:{port}";
        var config = new Dictionary<string, string?>();
        (_wikiPool, WikiPoolUrl) = await StartPoolAsync("wiki", "eu-west-1_WikiPool1", Wiki, config);
        (_crmPool, CrmPoolUrl) = await StartPoolAsync("crm", "eu-west-1_CrmPool01", Crm, config);

        string sampleAddress;
        (_sampleApp, sampleAddress) = await HostNameStack.StartSampleAppAsync();

        config["ReverseProxy:Routes:app:ClusterId"] = "sample";
        config["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}";
        config["ReverseProxy:Clusters:sample:Destinations:app:Address"] = sampleAddress;
        _gateway = await HostNameStack.StartGatewayAsync(port, config, GatewayLog);
    }

    /// <summary>Starts one stand-in pool with alice and a client for <paramref name="origin"/>; adds the app's keys to <paramref name="config"/>.</summary>
    private static async Task<(WebApplication Pool, string Url)> StartPoolAsync(string app, string poolId, string origin, Dictionary<string, string?> config)
    {
        var (pool, url) = await HostNameStack.StartPoolAsync(poolId, new EmulatorClient
        {
            ClientId = app + "-client",
            ClientSecret = app + "-secret",
            CallbackUrls = [origin + "/oauth2/callback"],
            SignOutUrls = [origin + "/"],
        });

        var key = "Gateway:Apps:" + app;
        config[key + ":Hosts:0"] = new Uri(origin).Host;
        config[key + ":Cognito:UserPoolId"] = poolId;
        config[key + ":Cognito:Region"] = "eu-west-1";
        config[key + ":Cognito:Authority"] = $"{url}/{poolId}";
        config[key + ":Cognito:ClientId"] = app + "-client";
        config[key + ":Cognito:ClientSecret"] = app + "-secret";
        return (pool, url);
    }

    public Task DisposeAsync() => HostNameStack.StopAsync(_gateway, _sampleApp, _crmPool, _wikiPool);
}

/// <summary>Real Chromium, two apps on two host names with two user pools: a session of one app is not a session of the other.</summary>
public sealed class ManyAppsTests(GatewayStackFixture stack, ManyAppsStackFixture apps, ITestOutputHelper output)
    : BrowserTest(stack, output), IClassFixture<ManyAppsStackFixture>
{
    [SkippableFact]
    public async Task Signing_in_on_app_A_leaves_app_B_asking_for_its_own_sign_in()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(apps.Wiki + "/");
        await HostNameStack.SignInAliceAsync(page, apps.WikiPoolUrl, apps.Wiki + "/");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");

        // The crm host: its own pool's sign-in form, not a session.
        await page.GotoAsync(apps.Crm + "/");
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(apps.CrmPoolUrl + "/oauth2/authorize?") + ".*client_id=crm-client"));
        await Expect(page.Locator("input[name=password]")).ToBeVisibleAsync();

        await HostNameStack.SignInAliceAsync(page, apps.CrmPoolUrl, apps.Crm + "/");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");

        // Each app's own host-only cookie; the wiki session still works without another sign-in.
        var cookies = await page.Context.CookiesAsync();
        var wiki = Assert.Single(cookies, c => c.Name == GatewayStackFixture.SessionCookieName + "_wiki");
        var crm = Assert.Single(cookies, c => c.Name == GatewayStackFixture.SessionCookieName + "_crm");
        Assert.Equal(new Uri(apps.Wiki).Host, wiki.Domain);
        Assert.Equal(new Uri(apps.Crm).Host, crm.Domain);
        await page.GotoAsync(apps.Wiki + "/");
        await Expect(page).ToHaveURLAsync(apps.Wiki + "/");
        await Expect(page.Locator("#who")).ToHaveTextAsync("Signed in as alice@example.com");
    }
}
