using Gateway.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Gateway.Health;

/// <summary>
/// The management listener (<c>Gateway:Management:Urls</c>): a second, minimal Kestrel server in the same process that
/// serves only <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>, reading the gateway's own health checks and meters.
/// A separate server rather than a port filter on the public pipeline: no route, proxy, session or authentication code
/// is reachable on it, and nothing on the public listener can reach these endpoints, whatever the Host header says.
/// Starts before the public listener and stops with the gateway.
/// </summary>
internal sealed class ManagementListener(IServiceProvider gateway, IOptions<GatewayOptions> options) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    /// <summary>The addresses bound once started (a port 0 in the configuration replaced by the port the system chose).</summary>
    public IReadOnlyList<string> Urls { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Empty builder: no configuration sources, so ASPNETCORE_URLS and the command line's --urls (the public
        // listener's) never reach this server.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Gateway.Management" });
        builder.WebHost.UseKestrelCore().UseUrls(string.Join(';', options.Value.Management.UrlList));
        builder.Services.AddRoutingCore();
        // The gateway's host decides when this server stops (it is one of its hosted services): no SIGTERM/Ctrl+C
        // handling or "Application started" lines of its own.
        builder.Services.AddSingleton<IHostLifetime, GatewayOwnedLifetime>();
        builder.Services.AddSingleton(gateway.GetRequiredService<ILoggerFactory>());
        builder.Services.AddSingleton(gateway.GetRequiredService<HealthCheckService>());
        var server = builder.Build();
        server.UseRouting();
        server.MapManagementEndpoints(gateway.GetRequiredService<MeterProvider>());
        _server = server;
        await server.StartAsync(cancellationToken);
        Urls = [.. server.Urls];
        gateway.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Management").ManagementListening(string.Join(", ", Urls));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private sealed class GatewayOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
