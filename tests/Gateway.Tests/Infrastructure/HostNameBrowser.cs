using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A browser that reaches the gateway under several names below <c>.localhost</c> (as Chromium does: every such name is
/// loopback), with a real cookie jar that applies the browser's domain rules. Follows redirects to loopback hosts only.
/// </summary>
public sealed class HostNameBrowser : IDisposable
{
    private readonly HttpClient _client;

    public HostNameBrowser()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = Cookies,
            ConnectCallback = async (context, cancel) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    var host = context.DnsEndPoint.Host;
                    if (host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) || host == "localhost")
                    {
                        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancel);
                    }
                    else
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, cancel);
                    }

                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler);
    }

    public CookieContainer Cookies { get; } = new();

    public async Task<Hop> SendAsync(HttpRequestMessage request)
    {
        var response = await _client.SendAsync(request);
        return new Hop(request.RequestUri!, response, await response.Content.ReadAsStringAsync());
    }

    public async Task<Navigation> NavigateAsync(string url)
    {
        var hops = new List<Hop>();
        var current = new Uri(url);
        for (var i = 0; i < 10; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, current);
            TestBrowser.AddNavigationHeaders(request);
            var hop = await SendAsync(request);
            hops.Add(hop);
            if ((int)hop.Status is < 300 or >= 400 || hop.Location is not { } next ||
                !(next.IsLoopback || next.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)))
            {
                return new Navigation(hops);
            }

            current = next;
        }

        Assert.Fail("Too many redirects:" + Environment.NewLine + new Navigation(hops));
        return null!;
    }

    /// <summary>A same-origin form POST of the sign-out path on <paramref name="origin"/>, as the site's own page sends it.</summary>
    public Task<Hop> SignOutAsync(string origin, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, origin + "/oauth2/sign_out" + query) { Content = new FormUrlEncodedContent([]) };
        TestBrowser.AddNavigationHeaders(request);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        request.Headers.TryAddWithoutValidation("Origin", origin);
        return SendAsync(request);
    }

    public void Dispose() => _client.Dispose();
}
