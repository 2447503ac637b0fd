using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Gateway.Tests;

/// <summary>
/// OpenTelemetry tracing, configured by OTEL_* settings: off without an endpoint; with one, a server span per request
/// tagged with route and user, client spans for identity-provider calls, spans around Redis operations, the same trace
/// id in the backend's traceparent, and spans sent to the OTLP endpoint (a WireMock stand-in for a collector).
/// </summary>
public sealed class TracingTests : IClassFixture<RedisFixture>, IDisposable
{
    private readonly RedisFixture _fx;
    private readonly WireMockServer _collector = WireMockServer.Start();
    private readonly List<Activity> _spans = [];

    public TracingTests(RedisFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
        _collector.Given(Request.Create().WithPath("/v1/traces").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
    }

    public void Dispose() => _collector.Dispose();

    private Dictionary<string, string?> Otel(Dictionary<string, string?>? extra = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "gateway-under-test",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        };
        foreach (var (k, v) in extra ?? [])
        {
            config[k] = v;
        }

        return config;
    }

    /// <summary>Adds the in-memory exporter beside the OTLP one (and ends spans as the gateway does).</summary>
    private Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder> InMemory() =>
        b => b.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans));

    private List<Activity> Spans()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    private static async Task PollAsync(Func<bool> done, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "Timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Request_ServerSpanTaggedWithRouteAndUser_BackendGetsItsTraceparent_SpansReachTheCollector()
    {
        await using var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, Otel(), InMemory());
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();

        var hop = await browser.NavigateOnceAsync("/traced/page");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var traceparent = Assert.Single(BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/traced/page"), "traceparent"));
        var (traceId, parentId) = (traceparent.Split('-')[1], traceparent.Split('-')[2]);

        // The backend call is a client span (its id is the traceparent's parent id), child of the request's server span
        // (WireMock stand-ins in this process have server spans of their own: the one that matters is the parent).
        await PollAsync(() => Spans().Any(s => s.Kind == ActivityKind.Client && s.SpanId.ToHexString() == parentId), "the backend call's client span");
        var backendCall = Spans().Single(s => s.Kind == ActivityKind.Client && s.SpanId.ToHexString() == parentId);
        Assert.Equal(traceId, backendCall.TraceId.ToHexString());
        await PollAsync(() => Spans().Any(s => s.SpanId == backendCall.ParentSpanId), "the request's server span");
        var server = Spans().Single(s => s.SpanId == backendCall.ParentSpanId);
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal("/traced/page", server.GetTagItem("url.path"));
        Assert.Equal("app", server.GetTagItem("gateway.route"));
        Assert.Equal(TestUser.Default.Sub, server.GetTagItem("enduser.id"));
        Assert.Equal("gateway-under-test", ServiceName(host));

        // The sign-in's token exchange with the identity provider is a client span.
        var tokenUrl = new Uri(_fx.Cognito.Authority);
        Assert.Contains(Spans(), s => s.Kind == ActivityKind.Client && s.GetTagItem("url.full") is string url &&
                                      url.StartsWith(tokenUrl.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) && url.Contains("token", StringComparison.Ordinal));

        // No email and no query values in any span.
        Assert.All(Spans(), s => Assert.All(s.TagObjects, t => Assert.DoesNotContain("@", t.Value?.ToString() ?? string.Empty, StringComparison.Ordinal)));

        await PollAsync(() => _collector.LogEntries.Any(e => e.RequestMessage?.Path == "/v1/traces"), "an OTLP export to the collector");
    }

    private static string? ServiceName(GatewayHost host)
    {
        var provider = host.App.Services.GetRequiredService<TracerProvider>();
        return provider.GetResource().Attributes.FirstOrDefault(a => a.Key == "service.name").Value as string;
    }

    [Fact]
    public async Task NoEndpointConfigured_NoTracerProvider()
    {
        await using var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend);

        Assert.Null(host.App.Services.GetService<TracerProvider>());
        Assert.Equal(HttpStatusCode.OK, (await new TestBrowser(host).NavigateOnceAsync("/public/x")).Status);
    }

    [Fact]
    public void EndpointNotAUrl_StopsStartUpWithTheKeyAndAFix()
    {
        var ex = StartupConfig.BuildFails(StartupConfig.With(StartupConfig.Minimal(), ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")));

        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT is not an absolute http(s) URL (got 'collector:4317')", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task RedisSessions_SessionStoreOperationsAreSpansOfTheRequest()
    {
        RedisServer.SkipOrFailWhenMissing();
        var config = Otel(new()
        {
            ["Gateway:Session:Store"] = "Redis",
            ["Gateway:Redis:Configuration"] = _fx.Redis!.Configuration,
            ["Gateway:Redis:KeyPrefix"] = "trace" + Guid.NewGuid().ToString("N")[..8] + ":",
        });
        await using var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config, InMemory());
        using var browser = new TestBrowser(host);

        await browser.SignInAsync();

        await PollAsync(() => Spans().Any(s => s.DisplayName == "redis session.store"), "the session store span");
        var store = Spans().First(s => s.DisplayName == "redis session.store");
        Assert.Equal(ActivityKind.Client, store.Kind);
        Assert.Equal("redis", store.GetTagItem("db.system.name"));
        Assert.Contains(Spans(), s => s.Kind == ActivityKind.Server && s.SpanId == store.ParentSpanId);
    }
}
