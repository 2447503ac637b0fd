using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>The default routes plus one whose requests are not access-logged.</summary>
public sealed class AccessLogGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["ReverseProxy:Routes:quiet:ClusterId"] = "backend",
        ["ReverseProxy:Routes:quiet:Match:Path"] = "/quiet/{**rest}",
        ["ReverseProxy:Routes:quiet:Metadata:Gateway.AccessLog"] = "false",
    };
}

/// <summary>
/// One access-log line per proxied request (category Gateway.AccessLog): method, path, route, status, duration, bytes,
/// user, client address and trace id, with the values of secret-carrying query parameters, cookies and emails left out.
/// </summary>
public sealed class AccessLogTests : GatewayTest<AccessLogGatewayFixture>
{
    private const string Category = "Information Gateway.AccessLog: ";

    public AccessLogTests(AccessLogGatewayFixture fx)
        : base(fx)
    {
    }

    private List<string> AccessLinesSince(int before) =>
        Fx.Gateway.Logs.Lines.Skip(before).Where(l => l.StartsWith(Category, StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task SignedInRequest_OneLineWithEveryField_AndNoSecrets()
    {
        await Browser.SignInAsync();
        var cookieValues = Browser.GatewayCookies().Select(c => c.Value).ToList();
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.NavigateOnceAsync("/reports/q1?code=SECRETCODE123&state=STATEVALUE&id_token=eyJIDTOKEN&access_token=eyJACCESS" +
            "&client_secret=CLIENTSECRET&contact=alice%40example.com&page=2");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var line = Assert.Single(AccessLinesSince(before));
        Assert.Contains("\"GET /reports/q1?code=REDACTED&state=REDACTED&id_token=REDACTED&access_token=REDACTED&client_secret=REDACTED&contact=REDACTED&page=2\" 200 ", line, StringComparison.Ordinal);
        Assert.Contains($"{BackendStub.Body.Length} bytes", line, StringComparison.Ordinal);
        Assert.Matches(@" \d+(\.\d)? ms ", line);
        Assert.Contains("route=app ", line, StringComparison.Ordinal);
        Assert.StartsWith(Category + "127.0.0.1 " + TestUser.Default.Sub + " ", line, StringComparison.Ordinal);
        Assert.Matches("trace=[0-9a-f]{32} ", line);
        Assert.Matches(@"time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line);
        foreach (var secret in new[] { "SECRETCODE123", "STATEVALUE", "eyJ", "CLIENTSECRET", "alice", "example.com" })
        {
            Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
        }

        Assert.All(cookieValues, v => Assert.DoesNotContain(v, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnonymousApiRequest_RefusedWith401_IsLoggedAsAnonymous()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.ApiGetAsync("/api/orders");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var line = Assert.Single(AccessLinesSince(before));
        Assert.Contains(" anonymous \"GET /api/orders\" 401 ", line, StringComparison.Ordinal);
        Assert.Contains("route=api ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0 bytes", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteWithAccessLogFalse_WritesNoLine_OtherRoutesStillDo()
    {
        await Browser.SignInAsync();
        var before = Fx.Gateway.Logs.Lines.Count;

        var quiet = await Browser.NavigateOnceAsync("/quiet/page");
        var open = await Browser.NavigateOnceAsync("/open/page");

        Assert.Equal(HttpStatusCode.OK, quiet.Status);
        Assert.Equal(HttpStatusCode.OK, open.Status);
        var line = Assert.Single(AccessLinesSince(before));
        Assert.Contains("\"GET /open/page\" 200", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayOwnEndpoints_AreNotAccessLogged()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.ApiGetAsync("/oauth2/userinfo");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Empty(AccessLinesSince(before));
    }

    [Fact]
    public async Task CallbackWithHugeQuery_NotAProxiedRequest_NotLogged_AndLongPathsAreCut()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        await Browser.NavigateOnceAsync("/oauth2/callback?code=SECRETCODE&state=x");
        var hop = await Browser.ApiGetAsync("/api/" + new string('A', 3000));

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var line = Assert.Single(AccessLinesSince(before));
        Assert.Contains("\"GET /api/AAAA", line, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('A', 600), line, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETCODE", string.Join('\n', Fx.Gateway.Logs.Lines.Skip(before)), StringComparison.Ordinal);
    }
}
