using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests;

/// <summary>Policies and routes in the --config file are reloaded when it changes; an invalid change keeps the old ones.</summary>
public sealed class ConfigReloadTests : IAsyncLifetime
{
    private readonly FakeCognito _cognito = new();
    private readonly BackendStub _backend = BackendStub.Start();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("gateway-reload-");
    private GatewayHost _gateway = null!;

    private string ConfigPath => Path.Combine(_dir.FullName, "gateway.json");

    private static string ConfigJson(string teamPolicy, string teamMetadata = "{}") => $$"""
        {
          "Gateway": { "Policies": { "team": {{teamPolicy}} } },
          "ReverseProxy": {
            "Routes": {
              "team": { "ClusterId": "backend", "AuthorizationPolicy": "team", "Match": { "Path": "/team/{**rest}" }, "Metadata": {{teamMetadata}} },
              "app": { "ClusterId": "backend", "Match": { "Path": "{**catch-all}" } }
            }
          }
        }
        """;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigPath, ConfigJson("""{ "Groups": [ "ops" ] }"""));
        _gateway = await GatewayHost.StartAsync(["--config", ConfigPath], new Dictionary<string, string?>
        {
            ["Gateway:Cognito:Authority"] = _cognito.Authority,
            ["Gateway:Cognito:ClientId"] = FakeCognito.ClientId,
            ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = _backend.Url,
        });
        _cognito.RegisterApp(_gateway.Url);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _backend.Dispose();
        _cognito.Dispose();
        _dir.Delete(recursive: true);
    }

    private async Task ReloadWithAsync(string json)
    {
        await File.WriteAllTextAsync(ConfigPath, json);

        // Do not wait for the file watcher: reload now (the watcher may reload the same content again later, harmlessly).
        ((IConfigurationRoot)_gateway.App.Configuration).Reload();
    }

    private static async Task<Hop> PollUntilAsync(Func<Task<Hop>> request, Func<Hop, bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        Hop hop;
        do
        {
            hop = await request();
            if (done(hop))
            {
                return hop;
            }

            await Task.Yield();
        }
        while (deadline.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Fail($"Timed out waiting for {what}; last answer {hop}");
        return hop;
    }

    [Fact]
    public async Task Reload_AddsATokenForwardingRoute_SessionWithoutAccessTokenFetchesOneWithOneRefresh()
    {
        // No route forwards tokens at sign-in, so the cookie session does not carry the access token.
        using var browser = new TestBrowser(_gateway);
        await browser.SignInAsync();

        await ReloadWithAsync(ConfigJson("""{ "Groups": [ "staff" ] }""", """{ "Gateway.ForwardToken": "Access" }"""));
        var hop = await PollUntilAsync(() => browser.ApiGetAsync("/team/token"),
            h => h.Status == HttpStatusCode.OK && BackendStub.HeaderValues(_backend.LastRequestTo("/team/token"), "Authorization").Count == 1,
            "the reloaded route to forward the session's access token");

        Assert.StartsWith("Bearer ey", BackendStub.HeaderValues(_backend.LastRequestTo("/team/token"), "Authorization").Single(), StringComparison.Ordinal);
        Assert.Single(_cognito.RefreshRequests);
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/team/again")).Status);
        Assert.Single(_cognito.RefreshRequests);
    }

    [Fact]
    public async Task Reload_FileHalfWrittenOrBroken_KeepsEveryRouteAndLogsWhy()
    {
        using var browser = new TestBrowser(_gateway);
        await browser.SignInAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.ApiGetAsync("/team/x")).Status);

        await ReloadWithAsync("{ \"Gateway\": { \"Policies\": ");

        Assert.Contains(_gateway.Logs.Lines, l => l.Contains("--config file changed but cannot be read", StringComparison.Ordinal));
        Assert.Contains(_gateway.Logs.Lines, l => l.StartsWith("Error Gateway.Audit: configuration_reload_rejected ", StringComparison.Ordinal) &&
                                                  l.Contains("--config file cannot be read", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.ApiGetAsync("/team/x")).Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/app/still-routed")).Status);
    }

    [Fact]
    public async Task Reload_ValidPolicyChange_AppliesWithoutRestart()
    {
        using var browser = new TestBrowser(_gateway);
        await browser.SignInAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.ApiGetAsync("/team/x")).Status);

        await ReloadWithAsync(ConfigJson("""{ "Groups": [ "staff" ] }"""));

        await PollUntilAsync(() => browser.ApiGetAsync("/team/x"), h => h.Status == HttpStatusCode.OK, "the new policy to admit group 'staff'");
        Assert.Contains(_gateway.Logs.Lines, l => l.Contains("Configuration reloaded", StringComparison.Ordinal));
        Assert.Contains(_gateway.Logs.Lines, l => l.StartsWith("Information Gateway.Audit: configuration_reloaded ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_InvalidPolicy_KeepsPreviousPolicyAndLogsEveryProblem()
    {
        using var browser = new TestBrowser(_gateway);
        await browser.SignInAsync();

        await ReloadWithAsync(ConfigJson("""{ "Groups": [ "staff" ], "EmailDomains": [ "@example.com" ], "Scopes": [ "a b" ] }"""));

        var deadline = Stopwatch.StartNew();
        while (!_gateway.Logs.Lines.Any(l => l.Contains("reload rejected", StringComparison.Ordinal)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await browser.ApiGetAsync("/team/x");
        }

        var rejected = _gateway.Logs.Lines.Where(l => l.Contains("reload rejected", StringComparison.Ordinal)).ToList();
        Assert.Contains(rejected, l => l.Contains("Gateway:Policies:team:EmailDomains:0", StringComparison.Ordinal));
        Assert.Contains(rejected, l => l.Contains("Gateway:Policies:team:Scopes:0", StringComparison.Ordinal));
        Assert.Contains(_gateway.Logs.Lines, l => l.StartsWith("Error Gateway.Audit: configuration_reload_rejected ", StringComparison.Ordinal) &&
                                                  l.Contains("the previous policies stay in force", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.ApiGetAsync("/team/x")).Status);
    }

    [Fact]
    public async Task Reload_RouteNamingUnknownPolicy_KeepsPreviousConfiguration()
    {
        using var browser = new TestBrowser(_gateway);
        await browser.SignInAsync();

        await ReloadWithAsync(ConfigJson("""{ "Groups": [ "ops" ] }""").Replace("\"AuthorizationPolicy\": \"team\"", "\"AuthorizationPolicy\": \"nobody-defined-this\"", StringComparison.Ordinal));

        var deadline = Stopwatch.StartNew();
        while (!_gateway.Logs.Lines.Any(l => l.Contains("nobody-defined-this", StringComparison.Ordinal)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await browser.ApiGetAsync("/team/x");
        }

        Assert.Contains(_gateway.Logs.Lines, l => l.Contains("nobody-defined-this", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.ApiGetAsync("/team/x")).Status);
    }

    [Fact]
    public async Task Reload_UnknownMetadataValue_YarpKeepsPreviousRoutes()
    {
        using var browser = new TestBrowser(_gateway);

        await ReloadWithAsync(ConfigJson("""{ "Groups": [ "ops" ] }""", """{ "Gateway.Unauthenticated": "Sometimes" }"""));

        var deadline = Stopwatch.StartNew();
        while (!_gateway.Logs.Lines.Any(l => l.Contains("Sometimes", StringComparison.Ordinal)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await browser.ApiGetAsync("/team/x");
        }

        Assert.Contains(_gateway.Logs.Lines, l => l.Contains("Sometimes", StringComparison.Ordinal));
        var hop = await browser.NavigateOnceAsync("/team/x");
        Assert.Equal(HttpStatusCode.Found, hop.Status);
    }

    [Fact]
    public async Task Reload_RouteNamingNoCluster_YarpKeepsPreviousRoutesAndLogsWhy()
    {
        using var browser = new TestBrowser(_gateway);
        await browser.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/app/x")).Status);

        // Accepted, this would answer every /app request with an empty 503.
        await ReloadWithAsync(ConfigJson("""{ "Groups": [ "ops" ] }""").Replace("\"app\": { \"ClusterId\": \"backend\"", "\"app\": { \"ClusterId\": \"bakend\"", StringComparison.Ordinal));

        var deadline = Stopwatch.StartNew();
        while (!_gateway.Logs.Lines.Any(l => l.Contains("ReverseProxy:Routes:app:ClusterId names no cluster", StringComparison.Ordinal)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await browser.ApiGetAsync("/app/x");
        }

        Assert.Contains(_gateway.Logs.Lines, l => l.Contains("ReverseProxy:Routes:app:ClusterId names no cluster (got 'bakend')", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/app/still-routed")).Status);
    }

    [Fact]
    public async Task Reload_StartupOnlyKeyChanged_LogsRestartNeededOnceWhilePoliciesApplyLive()
    {
        using var browser = new TestBrowser(_gateway);
        await browser.SignInAsync();
        var json = ConfigJson("""{ "Groups": [ "staff" ] }""")
            .Replace("\"Gateway\": { \"Policies\"", "\"Gateway\": { \"Session\": { \"Lifetime\": \"04:00:00\" }, \"Policies\"", StringComparison.Ordinal);

        await ReloadWithAsync(json);
        await ReloadWithAsync(json);

        await PollUntilAsync(() => browser.ApiGetAsync("/team/x"), h => h.Status == HttpStatusCode.OK, "the new policy to apply without a restart");
        // One line for the one start-up-only key, none for the policy that changed in the same reload, none for the second reload.
        var restart = _gateway.Logs.Lines.Where(l => l.Contains("restart needed", StringComparison.Ordinal)).ToList();
        Assert.Single(restart);
        Assert.Contains("Gateway:Session:Lifetime", restart[0], StringComparison.Ordinal);
        Assert.DoesNotContain("04:00:00", restart[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_JsonSyntaxError_LogNamesLineAndColumn()
    {
        await ReloadWithAsync("{\n  \"Gateway\": {\n    \"Policies\": ]\n}\n");

        Assert.Contains(_gateway.Logs.Lines, l => l.Contains("--config file changed but cannot be read (line 3, column 17", StringComparison.Ordinal));
    }
}
