using System.Net;
using System.Net.WebSockets;
using System.Text;
using Gateway.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Gateway.Tests;

/// <summary>deploy/compose/nginx.conf run for real (both upstreams pointed at one test gateway) in front of the gateway.</summary>
public sealed class ComposeNginxTests : IClassFixture<StreamingFixture>, IDisposable
{
    private readonly StreamingFixture _fx;
    private readonly TestBrowser _browser;

    public ComposeNginxTests(StreamingFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
        _browser = new TestBrowser(fx.Gateway);
    }

    public void Dispose() => _browser.Dispose();

    [SkippableFact]
    public async Task WebSocket_ThroughComposeNginx_Echoes()
    {
        Skip.If(NginxProcess.MissingAndSkippable, "nginx is not installed (apt-get install nginx); skipped outside CI only.");
        using var nginx = await NginxProcess.StartComposeExampleAsync(_fx.Gateway.Url, _fx.Gateway.Url);
        await _browser.SignInAsync();
        using var socket = new ClientWebSocket();
        // Cookies are per host, not per port: the session cookie of localhost goes to nginx on localhost too.
        socket.Options.Cookies = _browser.Cookies;
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));

        await socket.ConnectAsync(new Uri(nginx.Url.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws/echo"), timeout.Token);
        var hello = (await LiveConnectionAssert.ReceiveAsync(socket, timeout.Token)).Text;
        await socket.SendAsync(Encoding.UTF8.GetBytes("through nginx"), WebSocketMessageType.Text, true, timeout.Token);
        var echo = (await LiveConnectionAssert.ReceiveAsync(socket, timeout.Token)).Text;
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Contains($"user={TestUser.Default.Sub};", hello, StringComparison.Ordinal);
        Assert.Equal("through nginx", echo);
    }

    [SkippableFact]
    public async Task BackendAnswers503_ThroughComposeNginx_IsNotRetriedOnTheOtherInstance()
    {
        Skip.If(NginxProcess.MissingAndSkippable, "nginx is not installed (apt-get install nginx); skipped outside CI only.");
        using var nginx = await NginxProcess.StartComposeExampleAsync(_fx.Gateway.Url, _fx.Gateway.Url);
        _fx.Backend.Server.Given(Request.Create().WithPath("/public/busy").UsingGet())
            .AtPriority(-10)
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("busy"));
        using var client = new HttpClient();

        using var response = await client.GetAsync(nginx.Url + "/public/busy");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(_fx.Backend.Requests, r => r.Path == "/public/busy");
    }

    [SkippableFact]
    public async Task OneInstanceDown_ThroughComposeNginx_TheOtherAnswers()
    {
        Skip.If(NginxProcess.MissingAndSkippable, "nginx is not installed (apt-get install nginx); skipped outside CI only.");
        using var nginx = await NginxProcess.StartComposeExampleAsync($"http://127.0.0.1:{BackendStub.GetClosedPort()}", _fx.Gateway.Url);
        using var client = new HttpClient();

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync(nginx.Url + $"/public/up-{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    /// <summary>Proxy mode: a client (a script on the app's origin) never reaches the forward-auth check, in any spelling.</summary>
    [SkippableTheory]
    [InlineData("/oauth2/auth")]
    [InlineData("/oauth2/auth?pass_access_token=true")]
    [InlineData("/OAuth2/Auth")]
    [InlineData("//oauth2//auth")]
    [InlineData("/oauth2/./auth")]
    [InlineData("/oauth2/%61uth")]
    [InlineData("/oauth2/auth/")]
    public async Task ForwardAuthCheck_FromAClientThroughComposeNginx_IsNotFound(string path)
    {
        Skip.If(NginxProcess.MissingAndSkippable, "nginx is not installed (apt-get install nginx); skipped outside CI only.");
        using var nginx = await NginxProcess.StartComposeExampleAsync(_fx.Gateway.Url, _fx.Gateway.Url);
        await _browser.SignInAsync();
        using var handler = new HttpClientHandler { CookieContainer = _browser.Cookies, AllowAutoRedirect = false };
        using var client = new HttpClient(handler);

        using var response = await client.GetAsync(nginx.Url + path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("X-Auth-Request-User"));
    }

}
