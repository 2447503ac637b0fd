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

    [Fact]
    public async Task Metrics_FreshGateway_CountersAtZeroRuntimeMetricsAndServiceName()
    {
        await using var gateway = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend);

        var body = await MetricsScrape.ScrapeAsync(gateway);

        // Series no test of this class creates by an event: they exist because they start at 0.
        Assert.Matches(@"(?m)^gateway_sign_outs_total(\{[^}]*\})? 0", body);
        Assert.Matches(@"(?m)^gateway_token_refreshes_total\{[^}]*outcome=""rejected""[^}]*\} 0", body);
        Assert.Matches(@"(?m)^gateway_sign_in_failures_total\{[^}]*reason=""session_too_large""[^}]*\} 0", body);
        Assert.Matches(@"(?m)^gateway_session_cache_total\{[^}]*result=""miss""[^}]*\} \d", body);
        // .NET's own "System.Runtime" meter: process and runtime instruments.
        Assert.Matches(@"(?m)^dotnet_process_memory_working_set_bytes(\{[^}]*\})? [1-9]", body);
        Assert.Matches(@"(?m)^dotnet_gc_heap_total_allocated_bytes_total(\{[^}]*\})? [1-9]", body);
        // The resource: a real service name and version.
        Assert.Matches(@"(?m)^target_info\{[^}]*service_name=""gateway""[^}]*\} 1", body);
        Assert.Matches(@"(?m)^target_info\{[^}]*service_version=""\d+\.\d+\.\d+[^""]*""", body);
    }
}
