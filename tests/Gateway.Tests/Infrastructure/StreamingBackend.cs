using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A small Kestrel backend for what WireMock cannot do: a WebSocket echo (its first message reports the identity
/// headers and cookie names it received), a server-sent-events stream the test paces, and an upload sink that
/// counts bytes without keeping them.
/// </summary>
public sealed class StreamingBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StreamingBackend(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Completed by the test once it has read the first event; the SSE endpoint then sends the second and ends.</summary>
    public TaskCompletionSource ReleaseSecondEvent { get; private set; } = NewSignal();

    /// <summary>Set when the SSE endpoint has written its last event.</summary>
    public volatile bool SseFinished;

    public long LastUploadBytes { get; private set; } = -1;

    public void ResetSse()
    {
        ReleaseSecondEvent = NewSignal();
        SseFinished = false;
    }

    public static async Task<StreamingBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        StreamingBackend? self = null;
        app.UseWebSockets();

        app.Map("/ws/echo", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var headers = context.Request.Headers;
            var cookies = string.Join(",", context.Request.Cookies.Keys);
            var hello = $"user={headers["X-Forwarded-User"]};email={headers["X-Forwarded-Email"]};cookies={cookies};authorization={headers.Authorization}";
            await socket.SendAsync(Encoding.UTF8.GetBytes(hello), WebSocketMessageType.Text, true, context.RequestAborted);
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        });

        app.MapGet("/sse/events", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.WriteAsync("data: first\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await self!.ReleaseSecondEvent.Task.WaitAsync(TimeSpan.FromSeconds(15), context.RequestAborted);
            await context.Response.WriteAsync("data: second\n\n", context.RequestAborted);
            self.SseFinished = true;
        });

        // An event stream that only ends when the client (or the gateway) goes away.
        app.MapGet("/sse/forever", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.WriteAsync("data: first\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });

        app.MapPost("/upload/sink", async context =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                total += read;
            }

            self!.LastUploadBytes = total;
            await context.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture), context.RequestAborted);
        });

        await app.StartAsync();
        var url = app.Urls.Single(u => u.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)).TrimEnd('/');
        self = new StreamingBackend(app, url);
        return self;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A request body of <paramref name="length"/> generated bytes, streamed from one reused buffer (never held in memory).</summary>
public sealed class GeneratedContent(long length) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(i * 31);
        }

        var remaining = length;
        while (remaining > 0)
        {
            var chunk = (int)Math.Min(buffer.Length, remaining);
            await stream.WriteAsync(buffer.AsMemory(0, chunk));
            remaining -= chunk;
        }
    }

    protected override bool TryComputeLength(out long length1)
    {
        length1 = length;
        return true;
    }
}
