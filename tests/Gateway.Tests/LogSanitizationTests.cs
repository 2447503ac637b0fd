using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>The default routes plus one that accepts Cognito access tokens.</summary>
public sealed class LogSanitizationGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["ReverseProxy:Routes:bearer:ClusterId"] = "backend",
        ["ReverseProxy:Routes:bearer:Match:Path"] = "/bearer/{**rest}",
        ["ReverseProxy:Routes:bearer:Metadata:Gateway.Bearer"] = "true",
    };
}

/// <summary>
/// Values taken from a request (callback error parameters, paths, a token's kid, ?policy=) reach the logs escaped and
/// bounded: nobody can forge a log line or flood the log through them, neither through the gateway's own log calls
/// nor through ASP.NET Core's.
/// </summary>
public sealed class LogSanitizationTests : GatewayTest<LogSanitizationGatewayFixture>
{
    private const string Marker = "FORGED-LOG-ENTRY";

    public LogSanitizationTests(LogSanitizationGatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>Log lines written since <paramref name="before"/> lines had been captured.</summary>
    private IReadOnlyList<string> LinesSince(int before) => Fx.Gateway.Logs.Lines.Skip(before).ToList();

    private static void AssertNoRawInjection(IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            Assert.False(line.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t') || c is '\u2028' or '\u202e'),
                "A log line carries a control character from the request:\n" + line.Replace("\r", "<CR>").Replace("\n", "<LF>").Replace("\0", "<NUL>"));
            Assert.DoesNotContain(new string('A', 1000), line, StringComparison.Ordinal);
        }
    }

    private async Task<string> StartChallengeAsync()
    {
        var hop = await Browser.NavigateOnceAsync("/wanted");
        Assert.Equal(HttpStatusCode.Found, hop.Status);
        return TestBrowser.Query(hop.Location!)["state"];
    }

    [Fact]
    public async Task Callback_ErrorParametersWithLineBreaks_AreLoggedEscapedByGatewayAndFramework()
    {
        var state = await StartChallengeAsync();
        var before = Fx.Gateway.Logs.Lines.Count;
        var injected = $"bad\r\n{Marker} user=admin\0\u2028\u202e";

        var hop = await Browser.NavigateOnceAsync("/oauth2/callback?error=invalid_request" +
            "&error_description=" + Uri.EscapeDataString(injected) +
            "&error_uri=" + Uri.EscapeDataString("https://x.example/\r\n" + Marker) +
            "&state=" + Uri.EscapeDataString(state));

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        var lines = LinesSince(before);
        AssertNoRawInjection(lines);

        // Still logged (escaped), by the gateway and by ASP.NET Core's OpenID Connect handler.
        var mentioning = lines.Where(l => l.Contains(Marker, StringComparison.Ordinal)).ToList();
        Assert.Contains(mentioning, l => l.Contains("Microsoft.AspNetCore.Authentication.OpenIdConnect", StringComparison.Ordinal));
        Assert.Contains(mentioning, l => l.Contains("Gateway.Authentication", StringComparison.Ordinal));
        Assert.All(mentioning, l => Assert.Contains("bad\\r\\n" + Marker, l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Callback_HugeErrorDescription_IsLoggedBounded()
    {
        var state = await StartChallengeAsync();
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.NavigateOnceAsync("/oauth2/callback?error=server_error&error_description=" + new string('A', 6000) +
            "&state=" + Uri.EscapeDataString(state));

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        var lines = LinesSince(before);
        Assert.Contains(lines, l => l.Contains("AAAA", StringComparison.Ordinal));
        AssertNoRawInjection(lines);
    }

    [Fact]
    public async Task Callback_ErrorWithoutState_IsLoggedEscaped()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.NavigateOnceAsync("/oauth2/callback?error=" + Uri.EscapeDataString("x\r\n" + Marker) +
            "&error_description=" + Uri.EscapeDataString("y\n" + Marker));

        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.DoesNotContain(Marker, hop.Body, StringComparison.Ordinal);
        AssertNoRawInjection(LinesSince(before));
    }

    [Fact]
    public async Task Bearer_RefusedTokenOnInjectedPathAndKid_IsLoggedEscaped()
    {
        var token = Fx.Cognito.MintAccessToken(t => t.Kid = "kid\r\n" + Marker);
        var before = Fx.Gateway.Logs.Lines.Count;

        // A path with control characters never reaches the bearer handler (the path canonicalizer refuses it with 400);
        // a long one does, and is logged bounded, next to the escaped kid.
        var controls = await Browser.ApiGetAsync("/bearer/x%0D%0A" + Marker + "%09",
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));
        var hop = await Browser.ApiGetAsync("/bearer/x" + new string('A', 3000),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.BadRequest, controls.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var lines = LinesSince(before);
        Assert.Contains(lines, l => l.Contains("Refused a bearer token on /bearer/xAAA", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("kid\\r\\n" + Marker, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(new string('A', 1000), StringComparison.Ordinal));
        AssertNoRawInjection(lines);
    }

    [Fact]
    public async Task ForwardAuth_UnknownPolicyWithLineBreaks_IsLoggedEscaped()
    {
        await Browser.SignInAsync();
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.ApiGetAsync("/oauth2/auth?policy=" + Uri.EscapeDataString("nope\r\n" + Marker));

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        var lines = LinesSince(before);
        Assert.Contains(lines, l => l.Contains("unknown policy", StringComparison.Ordinal) && l.Contains("nope\\r\\n" + Marker, StringComparison.Ordinal));
        AssertNoRawInjection(lines);
    }
}

/// <summary>
/// The <c>reason</c> label of <c>gateway_sign_in_failures_total</c> comes from a fixed set. Runs alone: /metrics
/// (OpenTelemetry listens by meter name) would otherwise mix in, or lose, the series of gateways that other test
/// classes start and stop in parallel.
/// </summary>
[Collection(nameof(MetricsScrapeCollection))]
public sealed class SignInFailureMetricTests : IClassFixture<GatewayFixture>, IDisposable
{
    private const string Metric = "gateway_sign_in_failures_total";
    private readonly GatewayFixture _fx;
    private readonly TestBrowser _browser;

    public SignInFailureMetricTests(GatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
        _browser = fx.NewBrowser();
    }

    public void Dispose() => _browser.Dispose();

    [Fact]
    public async Task CallbackErrors_ChosenByTheSender_NeverBecomeLabels()
    {
        var before = MetricsScrape.Total(await MetricsScrape.ScrapeAsync(_fx.Gateway), Metric);
        var invented = Enumerable.Range(0, 5).Select(i => $"made_up_{i}_{Guid.NewGuid():N}").ToArray();
        foreach (var error in invented)
        {
            PageAssert.Is4xxHtmlPage(await _browser.NavigateOnceAsync("/oauth2/callback?error=" + error), _fx.Gateway);
        }

        var standard = await _browser.NavigateOnceAsync("/oauth2/callback?error=invalid_scope");
        PageAssert.Is4xxHtmlPage(standard, _fx.Gateway);

        var body = await MetricsScrape.WaitForAsync(_fx.Gateway, Metric, before + invented.Length + 1);
        var reasons = MetricsScrape.LabelValues(body, Metric, "reason");
        Assert.Contains("other", reasons);
        Assert.Contains("invalid_scope", reasons);
        Assert.All(reasons, r => Assert.Contains(r, Gateway.Observability.SignInFailureReasons.All));
        Assert.DoesNotContain(invented, e => body.Contains(e, StringComparison.Ordinal));

        // The page still names a standard error, and never echoes an invented one.
        Assert.Contains("invalid_scope", standard.Body, StringComparison.Ordinal);
    }
}

public sealed class LogValueTests
{
    [Theory]
    [InlineData("plain /path?x=1", 100, "plain /path?x=1")]
    [InlineData("a\r\nb", 100, "a\\r\\nb")]
    [InlineData("nul\0tab\tbell\a", 100, "nul\\0tab\\tbell\\u0007")]
    [InlineData("line\u2028sep\u202Eevil", 100, "line\\u2028sep\\u202eevil")]
    [InlineData("abcdef", 4, "abcd…")]
    [InlineData("ab\r\ncd", 5, "ab\\r…")]
    [InlineData(null, 10, "")]
    public void Sanitize_EscapesAndBounds(string? value, int max, string expected)
    {
        Assert.Equal(expected, Gateway.Observability.LogValue.Sanitize(value, max));
    }

    [Fact]
    public void Sanitize_CleanValue_IsReturnedAsIs()
    {
        var value = "/api/orders/42";
        Assert.Same(value, Gateway.Observability.LogValue.Sanitize(value, 64));
    }

    [Fact]
    public void Sanitize_Twice_ChangesNothingMore()
    {
        var once = Gateway.Observability.LogValue.Sanitize("a\r\nb\\c", 100);
        Assert.Equal(once, Gateway.Observability.LogValue.Sanitize(once, 100));
    }
}
