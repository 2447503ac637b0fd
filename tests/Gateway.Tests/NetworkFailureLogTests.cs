using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// An expected network failure (backend or identity provider down) is logged as one line naming the cause
/// ("Connection refused (127.0.0.1:PORT)"), with no exception (stack trace) attached; HttpClient's per-call
/// Information lines are off by default.
/// </summary>
public sealed class NetworkFailureLogTests : GatewayTest<GatewayFixture>
{
    public NetworkFailureLogTests(GatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>The capturing sink appends " | Type: message" to a line that carries an exception.</summary>
    private static void AssertNoExceptionAttached(IEnumerable<string> lines) =>
        Assert.All(lines, l => Assert.False(System.Text.RegularExpressions.Regex.IsMatch(l, @" \| [A-Za-z.]*Exception: "), "A line carries an exception: " + l));

    [Fact]
    public async Task BackendDown_OneLineWithTheCause_NoStackTrace()
    {
        var port = BackendStub.GetClosedPort();
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, $"http://127.0.0.1:{port}");
        using var browser = new TestBrowser(host);

        var hop = await browser.ApiGetAsync("/public/thing");

        Assert.Equal(HttpStatusCode.BadGateway, hop.Status);
        var line = Assert.Single(host.Logs.Lines, l => l.Contains("The backend of route public failed", StringComparison.Ordinal));
        Assert.Contains($"(Connection refused (127.0.0.1:{port}))", line, StringComparison.Ordinal);
        AssertNoExceptionAttached(host.Logs.Lines);
    }

    [Fact]
    public async Task IdentityProviderDown_OneLineWithTheCause_NoStackTrace()
    {
        var port = BackendStub.GetClosedPort();
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Cognito:Authority"] = $"http://127.0.0.1:{port}/us-east-1_AbC123xyz",
        });
        using var browser = new TestBrowser(host);

        var hop = await browser.NavigateOnceAsync("/page");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, hop.Status);
        var line = host.Logs.Lines.First(l => l.Contains("Could not load identity provider metadata", StringComparison.Ordinal));
        Assert.Contains($"(Connection refused (127.0.0.1:{port})); sign-in is unavailable until it answers", line, StringComparison.Ordinal);

        // The access log sees the exception before the error page is written, and still logs the status that was answered.
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Information Gateway.AccessLog: 127.0.0.1 anonymous \"GET /page\" 503 ", StringComparison.Ordinal));
        AssertNoExceptionAttached(host.Logs.Lines);
    }

    [Fact]
    public async Task SignIn_HttpClientInformationLines_AreOffByDefault()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        await Browser.SignInAsync();

        var lines = Fx.Gateway.Logs.Lines.Skip(before).ToList();
        Assert.Contains(lines, l => l.Contains("Gateway.Audit: sign_in ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(" System.Net.Http.HttpClient.", StringComparison.Ordinal));
    }
}
