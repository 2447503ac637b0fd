using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A gateway whose /ws, /sse and /upload routes go to <see cref="StreamingBackend"/>.</summary>
public sealed class StreamingFixture : IAsyncLifetime
{
    public FakeCognito Cognito { get; private set; } = null!;

    public BackendStub Backend { get; private set; } = null!;

    public StreamingBackend Streaming { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cognito = new FakeCognito();
        Backend = BackendStub.Start();
        Streaming = await StreamingBackend.StartAsync();
        Gateway = await GatewayHost.StartAsync(Cognito, Backend, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:streaming:Destinations:d1:Address"] = Streaming.Url,
            ["ReverseProxy:Routes:ws:ClusterId"] = "streaming",
            ["ReverseProxy:Routes:ws:Match:Path"] = "/ws/{**rest}",
            ["ReverseProxy:Routes:ws:Metadata:Gateway.Unauthenticated"] = "Redirect",
            ["ReverseProxy:Routes:sse:ClusterId"] = "streaming",
            ["ReverseProxy:Routes:sse:Match:Path"] = "/sse/{**rest}",
            ["ReverseProxy:Routes:upload:ClusterId"] = "streaming",
            ["ReverseProxy:Routes:upload:Match:Path"] = "/upload/{**rest}",
            ["ReverseProxy:Routes:upload:MaxRequestBodySize"] = "-1",
        });
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Streaming.DisposeAsync();
        Backend.Dispose();
        Cognito.Dispose();
    }
}

public sealed class WebSocketTests : IClassFixture<StreamingFixture>, IDisposable
{
    private readonly StreamingFixture _fx;
    private readonly TestBrowser _browser;

    public WebSocketTests(StreamingFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _browser = new TestBrowser(fx.Gateway);
    }

    public void Dispose() => _browser.Dispose();

    private Uri WsUrl(string path) => new(_fx.Gateway.Url.Replace("http://", "ws://", StringComparison.Ordinal) + path);


    [Fact]
    public async Task WebSocket_WithoutSession_Gets401NotRedirect()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("X-Forwarded-User", "forged");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(WsUrl("/ws/echo"), timeout.Token));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    [Fact]
    public async Task WebSocket_WithSession_EchoesAndBackendSeesIdentityHeaders()
    {
        await _browser.SignInAsync();
        using var socket = new ClientWebSocket();
        socket.Options.Cookies = _browser.Cookies;
        socket.Options.SetRequestHeader("X-Forwarded-Email", "forged@evil.test");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await socket.ConnectAsync(WsUrl("/ws/echo"), timeout.Token);
        var hello = (await LiveConnectionAssert.ReceiveAsync(socket, timeout.Token)).Text;
        await socket.SendAsync(Encoding.UTF8.GetBytes("ping 1"), WebSocketMessageType.Text, true, timeout.Token);
        var echo = (await LiveConnectionAssert.ReceiveAsync(socket, timeout.Token)).Text;
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Contains($"user={TestUser.Default.Sub};", hello);
        Assert.Contains($"email={TestUser.Default.Email};", hello);
        Assert.DoesNotContain("forged", hello);
        Assert.DoesNotContain("_gateway", hello);
        Assert.Equal("ping 1", echo);
    }
}

public sealed class ServerSentEventsTests : IClassFixture<StreamingFixture>, IDisposable
{
    private readonly StreamingFixture _fx;
    private readonly TestBrowser _browser;

    public ServerSentEventsTests(StreamingFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Streaming.ResetSse();
        _browser = new TestBrowser(fx.Gateway);
    }

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task Sse_ThroughGateway_FirstEventArrivesBeforeBackendFinishes()
    {
        await _browser.SignInAsync();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = _browser.Cookies, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, _fx.Gateway.Url + "/sse/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The backend cannot finish until the test has read the first event: a buffering gateway would time out here.
        var first = await reader.ReadLineAsync(timeout.Token);
        Assert.Equal("data: first", first);
        Assert.False(_fx.Streaming.SseFinished, "the backend had already finished when the first event arrived");

        _fx.Streaming.ReleaseSecondEvent.SetResult();
        var rest = await reader.ReadToEndAsync(timeout.Token);
        Assert.Contains("data: second", rest);
    }
}

[CollectionDefinition(nameof(MemoryMeasurementCollection), DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
}

/// <summary>Runs alone (no other test allocates meanwhile), so the process-wide allocation counter measures this upload.</summary>
[Collection(nameof(MemoryMeasurementCollection))]
public sealed class LargeUploadTests : IClassFixture<StreamingFixture>, IDisposable
{
    private const long UploadBytes = 100L * 1024 * 1024;

    /// <summary>
    /// Everything in this process (client, gateway, backend) may allocate at most this much while 100 MB pass through.
    /// A gateway that buffered the body would allocate at least 100 MB (the body) and typically twice that (growing
    /// buffers); streaming with pooled buffers allocates a few MB for headers, pipes and tasks.
    /// </summary>
    private const long AllocationBudgetBytes = 24L * 1024 * 1024;

    private readonly StreamingFixture _fx;
    private readonly TestBrowser _browser;

    public LargeUploadTests(StreamingFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _browser = new TestBrowser(fx.Gateway);
    }

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task Upload_100MegabytesThroughGateway_ArrivesCompleteWithBoundedAllocations()
    {
        await _browser.SignInAsync();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = _browser.Cookies, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(120),
        };

        // Warm up the route, the connection pools and the JIT so the measurement sees only the streaming.
        using (var warmUp = await client.PostAsync(_fx.Gateway.Url + "/upload/sink", new GeneratedContent(1024 * 1024)))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();

        using var response = await client.PostAsync(_fx.Gateway.Url + "/upload/sink", new GeneratedContent(UploadBytes));
        var body = await response.Content.ReadAsStringAsync();

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}\n{_fx.Gateway.Logs.Dump()}");
        Assert.Equal(UploadBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), body);
        Assert.Equal(UploadBytes, _fx.Streaming.LastUploadBytes);
        Assert.True(allocated < AllocationBudgetBytes,
            $"Allocated {allocated / (1024 * 1024)} MB while streaming 100 MB in {watch.Elapsed.TotalSeconds:F1} s (budget {AllocationBudgetBytes / (1024 * 1024)} MB): the body was buffered somewhere.");
        Assert.True(heapAfter - heapBefore < AllocationBudgetBytes, $"The managed heap grew by {(heapAfter - heapBefore) / (1024 * 1024)} MB.");
    }
}
