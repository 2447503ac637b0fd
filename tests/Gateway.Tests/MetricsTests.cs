using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Scrapes /metrics, so it runs alone (see <see cref="MetricsScrapeCollection"/>).</summary>
[Collection(nameof(MetricsScrapeCollection))]
public sealed class MetricsTests : GatewayTest<GatewayFixture>
{
    public MetricsTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public async Task Metrics_AfterSignInAndForgedHeader_ExposesGatewayCountersInPrometheusFormat()
    {
        using var browser = Fx.NewBrowser();
        await browser.SignInAsync();
        await browser.ApiGetAsync("/forged", r => r.Headers.TryAddWithoutValidation("X-Forwarded-Email", "evil@example.com"));

        using var client = new HttpClient();
        using var response = await client.GetAsync(Fx.Gateway.ManagementUrl + "/metrics");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^gateway_sign_ins_total(\{[^}]*\})? [1-9]", body);
        Assert.Matches(@"(?m)^gateway_spoofed_headers_stripped_total(\{[^}]*\})? [1-9]", body);
        Assert.Contains("http_server_request_duration_seconds", body, StringComparison.Ordinal);
        Assert.DoesNotContain("evil@example.com", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthEndpoints_OnTheManagementListener_AnswerWithoutSignIn()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Fx.Gateway.ManagementUrl + "/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Fx.Gateway.ManagementUrl + "/readyz")).StatusCode);
    }
}
