using System.Net;
using System.Net.Sockets;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Gateway.Tests.Infrastructure;

/// <summary>The legacy app behind the gateway: answers 200 to everything and records what it received.</summary>
public sealed class BackendStub : IDisposable
{
    public const string Body = "hello from the legacy backend";

    private BackendStub(WireMockServer server)
    {
        Server = server;
        Url = $"http://127.0.0.1:{server.Port}";
        Reset();
    }

    public WireMockServer Server { get; }

    public string Url { get; }

    public static BackendStub Start() => new(WireMockServer.Start());

    /// <summary>Starts on a given port (used to bring a "down" backend up).</summary>
    public static BackendStub StartOnPort(int port) =>
        new(WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"] }));

    public void Reset()
    {
        Server.Reset();
        Server.Given(Request.Create().WithPath(new RegexMatcher(".*")).UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "text/plain").WithBody(Body));
    }

    public IReadOnlyList<IRequestMessage> Requests => Server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>().ToList();

    /// <summary>The last request whose path is <paramref name="path"/>; fails the test when there is none.</summary>
    public IRequestMessage LastRequestTo(string path)
    {
        var match = Requests.LastOrDefault(r => r.Path == path);
        Assert.True(match is not null,
            $"The backend received no request for {path}. It received: [{string.Join(", ", Requests.Select(r => r.Path))}]");
        return match!;
    }

    /// <summary>All values of headers whose name, with '_' read as '-', equals <paramref name="name"/> (case-insensitive).</summary>
    public static IReadOnlyList<string> HeaderValues(IRequestMessage request, string name)
    {
        static string Normalize(string n) => n.Replace('_', '-').ToLowerInvariant();
        var wanted = Normalize(name);
        return (request.Headers ?? new Dictionary<string, WireMock.Types.WireMockList<string>>())
            .Where(h => Normalize(h.Key) == wanted)
            .SelectMany(h => h.Value)
            .ToList();
    }

    public static IReadOnlyList<string> HeaderNames(IRequestMessage request) =>
        (request.Headers?.Keys ?? Enumerable.Empty<string>()).ToList();

    /// <summary>Cookie names/values from the raw Cookie header(s) the backend received.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Cookies(IRequestMessage request) =>
        HeaderValues(request, "Cookie")
            .SelectMany(v => v.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(pair =>
            {
                var eq = pair.IndexOf('=');
                return eq < 0
                    ? new KeyValuePair<string, string>(pair, string.Empty)
                    : new KeyValuePair<string, string>(pair[..eq], pair[(eq + 1)..]);
            })
            .ToList();

    /// <summary>A loopback port nobody listens on (bound then released).</summary>
    public static int GetClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
    }
}
