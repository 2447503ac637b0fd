using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Bench;

/// <summary>The minimal fast backend: Kestrel answering every request with a small fixed body, counting the requests it served.</summary>
internal sealed class Backend : IAsyncDisposable
{
    public const string Body = "hello from the bench backend\n";

    private static readonly byte[] BodyBytes = System.Text.Encoding.ASCII.GetBytes(Body);
    private readonly WebApplication _app;
    private long _served;

    private Backend(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>Requests answered so far: compared with wrk's count, it proves the gateway really forwarded (no 302/401 short-cut).</summary>
    public long Served => Interlocked.Read(ref _served);

    public static async Task<Backend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Path.GetTempPath() });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new Backend(app);
        app.Run(context =>
        {
            Interlocked.Increment(ref backend._served);
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = BodyBytes.Length;
            return context.Response.Body.WriteAsync(BodyBytes, context.RequestAborted).AsTask();
        });
        await app.StartAsync();
        backend.Url = Loopback.SingleUrl(app);
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>YARP without any authentication, configured in memory, in front of the backend: the baseline the gateway is compared with.</summary>
internal static class PlainProxy
{
    public static async Task<WebApplication> StartAsync(string backendUrl)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Path.GetTempPath() });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**catch-all}" } }],
            [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = backendUrl + "/" } } }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return app;
    }
}

internal static class Loopback
{
    /// <summary>A free port on 127.0.0.1, released at once (for URLs that must be known before a server starts).</summary>
    public static int ReservePort() => Gateway.Demo.Hosting.LoopbackPorts.Reserve();

    public static string SingleUrl(WebApplication app) => app.Urls.Single().TrimEnd('/');
}
