using System.Text.RegularExpressions;
using Gateway.Demo.Emulator;
using Gateway.Demo.SampleApp;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

/// <summary>
/// The pieces of the browser stacks that serve several <c>*.localhost</c> host names (single sign-on, many apps): a
/// stand-in pool with alice, the sample app, the gateway on <c>http://localhost:PORT</c>, the sign-in on a pool's form.
/// </summary>
internal static class HostNameStack
{
    /// <summary>Starts a stand-in pool whose one user is alice (group <c>staff</c>) and whose one app client is <paramref name="client"/>.</summary>
    public static async Task<(WebApplication Pool, string Url)> StartPoolAsync(string poolId, EmulatorClient client)
    {
        var options = new CognitoEmulatorOptions
        {
            Region = "eu-west-1",
            UserPoolId = poolId,
            AllowHttpLocalhostSubdomains = true,
            Users = [new EmulatorUser { Username = "alice", Email = GatewayStackFixture.Alice, Password = GatewayStackFixture.Password, Groups = ["staff"] }],
        };
        options.Clients.Add(client);
        var pool = CognitoEmulator.Build(options, "http://127.0.0.1:0", timeProvider: null, b => b.Logging.ClearProviders());
        await pool.StartAsync();
        return (pool, pool.Urls.Single().TrimEnd('/'));
    }

    /// <summary>Starts the sample app; returns it and its address as a cluster destination.</summary>
    public static async Task<(WebApplication App, string Address)> StartSampleAppAsync()
    {
        var app = SampleApp.Build("http://127.0.0.1:0");
        await app.StartAsync();
        return (app, app.Urls.Single().TrimEnd('/') + "/");
    }

    /// <summary>Starts the gateway on <c>http://localhost:<paramref name="port"/></c> (every <c>*.localhost</c> name reaches it) with <paramref name="config"/>.</summary>
    public static async Task<WebApplication> StartGatewayAsync(int port, Dictionary<string, string?> config, GatewayLog log)
    {
        var gateway = GatewayApp.Build([], b =>
        {
            b.WebHost.UseUrls($"http://localhost:{port}");
            b.Configuration.AddInMemoryCollection(config);
            b.Logging.ClearProviders();
            b.Logging.AddProvider(log);
        });
        await gateway.StartAsync();
        return gateway;
    }

    /// <summary>Stops and disposes the hosts in the order given (the gateway first), skipping those never started.</summary>
    public static async Task StopAsync(params WebApplication?[] hosts)
    {
        foreach (var host in hosts)
        {
            if (host is not null)
            {
                await host.StopAsync();
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>On <paramref name="poolUrl"/>'s sign-in form: signs alice in and waits until the browser is back on <paramref name="returnUrl"/>.</summary>
    public static async Task SignInAliceAsync(IPage page, string poolUrl, string returnUrl)
    {
        await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(poolUrl + "/oauth2/authorize?")));
        await page.Locator("input[name=username]").FillAsync("alice");
        await page.Locator("input[name=password]").FillAsync(GatewayStackFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(returnUrl);
    }
}
