using System.Net;
using Gateway.Health;
using Gateway.Paths;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>For tests of configurations that must be accepted: accepted means the gateway starts and answers.</summary>
public static class StartupAssert
{
    /// <summary>
    /// Starts the gateway on a loopback port and proves it serves: its health endpoint answers 200 (<c>/healthz</c> on the
    /// management listener when there is one, else <c>healthz</c> under the base path), and its own
    /// <c>userinfo</c> endpoint (under the configured base path) answers 401 JSON to a caller without a session.
    /// </summary>
    public static async Task StartsAndAnswersAsync(string[] args, IReadOnlyDictionary<string, string?> config)
    {
        await using var host = await GatewayHost.StartAsync(args, config);
        using var client = new HttpClient { BaseAddress = host.BaseUri };

        var paths = host.App.Services.GetRequiredService<GatewayPaths>();
        var healthUrl = host.App.Services.GetService<ManagementListener>() is null
            ? host.Url + paths.Health
            : host.ManagementUrl + GatewayPaths.ManagementHealth;
        var health = await client.GetAsync(healthUrl);
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"{healthUrl} answered {(int)health.StatusCode}\n{host.Logs.Dump()}");

        var userInfo = paths.UserInfo;
        using var request = new HttpRequestMessage(HttpMethod.Get, userInfo);
        request.Headers.Accept.ParseAdd("application/json");
        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{userInfo} answered {(int)response.StatusCode}\n{host.Logs.Dump()}");
        Assert.Contains("\"unauthenticated\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static Task StartsAndAnswersAsync(IReadOnlyDictionary<string, string?> config) => StartsAndAnswersAsync([], config);
}
