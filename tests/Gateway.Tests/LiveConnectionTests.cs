using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>Helpers for WebSockets and event streams that must end with their session.</summary>
internal static class LiveConnectionAssert
{
    /// <summary>Generous for a loaded machine; the gateway closes within about a second.</summary>
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(8);

    public static Dictionary<string, string?> StreamingRoutes(string streamingUrl) => new()
    {
        ["ReverseProxy:Clusters:streaming:Destinations:d1:Address"] = streamingUrl,
        ["ReverseProxy:Routes:ws:ClusterId"] = "streaming",
        ["ReverseProxy:Routes:ws:Match:Path"] = "/ws/{**rest}",
        ["ReverseProxy:Routes:sse:ClusterId"] = "streaming",
        ["ReverseProxy:Routes:sse:Match:Path"] = "/sse/{**rest}",
    };

    public static Uri WsUrl(GatewayHost gateway, string path) =>
        new(gateway.Url.Replace("http://", "ws://", StringComparison.Ordinal) + path);

    public static async Task<ClientWebSocket> OpenEchoAsync(GatewayHost gateway, CookieContainer cookies)
    {
        var socket = new ClientWebSocket();
        socket.Options.Cookies = cookies;
        using var timeout = new CancellationTokenSource(Within);
        await socket.ConnectAsync(WsUrl(gateway, "/ws/echo"), timeout.Token);
        var hello = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, hello.Type);
        Assert.StartsWith("user=", hello.Text, StringComparison.Ordinal);
        return socket;
    }

    public static async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(ClientWebSocket socket, CancellationToken cancel)
    {
        var buffer = new byte[8192];
        var builder = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancel);
            builder.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);

        return (result.MessageType, builder.ToString());
    }

    public static async Task EchoAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(Within);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        var echo = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal((WebSocketMessageType.Text, text), echo);
    }

    /// <summary>Waits (bounded) for the close frame and returns its status; anything but a close frame fails.</summary>
    public static async Task<WebSocketCloseStatus?> ReceiveCloseAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(Within);
        var buffer = new byte[8192];
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"The WebSocket was still open {Within.TotalSeconds} s after its session ended.");
                throw;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatus;
            }
        }
    }

    /// <summary>A same-origin sign-out POST (works whether or not sign-out insists on same-origin POSTs).</summary>
    public static HttpRequestMessage SignOutRequest(GatewayHost gateway, string? cookieHeader = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, gateway.Url + "/oauth2/sign_out");
        TestBrowser.AddNavigationHeaders(request);
        request.Headers.Remove("Sec-Fetch-Site");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        request.Headers.TryAddWithoutValidation("Origin", gateway.Url);
        request.Content = new FormUrlEncodedContent([]);
        if (cookieHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookieHeader);
        }

        return request;
    }
}

/// <summary>WebSockets and event streams opened with a session end when the session does (cookie store, one instance).</summary>
public sealed class LiveConnectionTests : IClassFixture<StreamingFixture>, IDisposable
{
    private readonly StreamingFixture _fx;
    private readonly TestBrowser _browser;

    public LiveConnectionTests(StreamingFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _browser = new TestBrowser(fx.Gateway);
    }

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task WebSocket_SignOut_ClientReceivesClose1008()
    {
        await _browser.SignInAsync();
        using var socket = await LiveConnectionAssert.OpenEchoAsync(_fx.Gateway, _browser.Cookies);
        await LiveConnectionAssert.EchoAsync(socket, "before sign-out");

        var signOut = await _browser.SendAsync(LiveConnectionAssert.SignOutRequest(_fx.Gateway));
        Assert.Equal(HttpStatusCode.Found, signOut.Status);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await LiveConnectionAssert.ReceiveCloseAsync(socket));
    }

    [Fact]
    public async Task WebSocket_SignOutOfAnotherSession_StaysOpen()
    {
        await _browser.SignInAsync();
        using var socket = await LiveConnectionAssert.OpenEchoAsync(_fx.Gateway, _browser.Cookies);
        using var other = new TestBrowser(_fx.Gateway);
        await other.SignInAsync();

        Assert.Equal(HttpStatusCode.Found, (await other.SendAsync(LiveConnectionAssert.SignOutRequest(_fx.Gateway))).Status);

        // A close goes out before the sign-out's redirect does (see the test above), so an echo now would meet it.
        await LiveConnectionAssert.EchoAsync(socket, "still here");
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Sse_SignOut_StreamEnds()
    {
        await _browser.SignInAsync();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = _browser.Cookies, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, _fx.Gateway.Url + "/sse/forever");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var timeout = new CancellationTokenSource(LiveConnectionAssert.Within);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("data: first", await reader.ReadLineAsync(timeout.Token));

        Assert.Equal(HttpStatusCode.Found, (await _browser.SendAsync(LiveConnectionAssert.SignOutRequest(_fx.Gateway))).Status);

        // The stream ends (cut, as the backend would never end it) well before the deadline.
        var ended = false;
        try
        {
            await reader.ReadToEndAsync(timeout.Token);
            ended = true;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            ended = true;
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(ended, "the event stream was still open after sign-out");
    }
}

/// <summary>Absolute expiry and idleness of live connections, on a fake clock.</summary>
public sealed class LiveConnectionClockTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FakeCognito _cognito = null!;
    private BackendStub _backend = null!;
    private StreamingBackend _streaming = null!;

    public async Task InitializeAsync()
    {
        _cognito = new FakeCognito();
        _backend = BackendStub.Start();
        _streaming = await StreamingBackend.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _streaming.DisposeAsync();
        _backend.Dispose();
        _cognito.Dispose();
    }

    private Task<GatewayHost> StartAsync(string lifetime, string idleTimeout)
    {
        var config = LiveConnectionAssert.StreamingRoutes(_streaming.Url);
        config["Gateway:Session:Lifetime"] = lifetime;
        config["Gateway:Session:IdleTimeout"] = idleTimeout;
        return GatewayHost.StartAsync(_cognito, _backend, config, b => b.Services.AddSingleton<TimeProvider>(_clock));
    }

    [Fact]
    public async Task WebSocket_AtAbsoluteExpiry_ClientReceivesClose1008()
    {
        await using var gateway = await StartAsync(lifetime: "00:10:00", idleTimeout: "00:00:00");
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        using var socket = await LiveConnectionAssert.OpenEchoAsync(gateway, browser.Cookies);

        _clock.Advance(TimeSpan.FromMinutes(9));
        await LiveConnectionAssert.EchoAsync(socket, "minute 9");

        _clock.Advance(TimeSpan.FromMinutes(1.5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await LiveConnectionAssert.ReceiveCloseAsync(socket));
    }

    [Fact]
    public async Task WebSocket_OpenedBeforeARefresh_SignOutWithTheRefreshedCookie_ClientReceivesClose1008()
    {
        // Cookie store: a refresh re-issues the cookie (a new cache key), but the session keeps its id, and sign-out
        // revokes that id, so a connection opened with the older cookie ends too.
        await using var gateway = await StartAsync(lifetime: "08:00:00", idleTimeout: "00:00:00");
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        using var socket = await LiveConnectionAssert.OpenEchoAsync(gateway, browser.Cookies);
        var before = browser.Cookies.GetCookieHeader(gateway.BaseUri);

        _clock.Advance(TimeSpan.FromMinutes(56));
        var refreshed = await browser.ApiGetAsync("/app/after-refresh");
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.NotEqual(before, browser.Cookies.GetCookieHeader(gateway.BaseUri));
        await LiveConnectionAssert.EchoAsync(socket, "still open after the refresh");

        var signOut = await browser.SendAsync(LiveConnectionAssert.SignOutRequest(gateway));
        Assert.Equal(HttpStatusCode.Found, signOut.Status);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await LiveConnectionAssert.ReceiveCloseAsync(socket));
    }

    [Fact]
    public async Task WebSocket_WithTraffic_NotClosedForIdleness_ClosedAfterIdleWindowWithout()
    {
        await using var gateway = await StartAsync(lifetime: "08:00:00", idleTimeout: "00:02:00");
        using var browser = new TestBrowser(gateway);
        await browser.SignInAsync();
        using var socket = await LiveConnectionAssert.OpenEchoAsync(gateway, browser.Cookies);

        // Five minutes without a single HTTP request, more than twice the idle window, but a message every minute.
        for (var minute = 1; minute <= 5; minute++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await LiveConnectionAssert.EchoAsync(socket, $"minute {minute}");
        }

        Assert.Equal(WebSocketState.Open, socket.State);

        _clock.Advance(TimeSpan.FromMinutes(2.5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await LiveConnectionAssert.ReceiveCloseAsync(socket));
    }
}

/// <summary>Two instances on a real redis-server: a WebSocket opened on A is closed by a sign-out on B.</summary>
public sealed class LiveConnectionRedisTests : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly RedisFixture _fx;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";
    private StreamingBackend _streaming = null!;

    public LiveConnectionRedisTests(RedisFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
    }

    public async Task InitializeAsync() => _streaming = await StreamingBackend.StartAsync();

    public async Task DisposeAsync() => await _streaming.DisposeAsync();

    private Task<GatewayHost> StartAsync(string store)
    {
        RedisServer.SkipOrFailWhenMissing();
        var config = LiveConnectionAssert.StreamingRoutes(_streaming.Url);
        config["Gateway:Session:Store"] = store;
        config["Gateway:Redis:Configuration"] = _fx.Redis!.Configuration;
        config["Gateway:Redis:KeyPrefix"] = _prefix;
        return GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);
    }

    [SkippableTheory]
    [InlineData("Redis")]
    [InlineData("Cookie")]
    public async Task WebSocketOnA_SignOutOnB_ClosedOnAWith1008(string store)
    {
        await using var a = await StartAsync(store);
        await using var b = await StartAsync(store);
        using var browser = new TestBrowser(a);
        await browser.SignInAsync("/on-a");
        var cookie = string.Join("; ", browser.GatewayCookies().Select(c => $"{c.Name}={c.Value}"));
        using var socket = await LiveConnectionAssert.OpenEchoAsync(a, browser.Cookies);
        await LiveConnectionAssert.EchoAsync(socket, "on a");

        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var signOut = await client.SendAsync(LiveConnectionAssert.SignOutRequest(b, cookie));
        Assert.Equal(HttpStatusCode.Found, signOut.StatusCode);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await LiveConnectionAssert.ReceiveCloseAsync(socket));
    }
}
