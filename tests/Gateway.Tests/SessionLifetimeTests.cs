using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>Session expiry driven by a fake clock registered in DI (no sleeps).</summary>
public sealed class SessionLifetimeTests : GatewayTest<GatewayFixture>
{
    public SessionLifetimeTests(GatewayFixture fx)
        : base(fx)
    {
    }

    private Task<GatewayHost> StartWithClockAsync(FakeTimeProvider clock) =>
        GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:Session:Lifetime"] = "00:10:00" },
            b => b.Services.AddSingleton<TimeProvider>(clock));

    [Fact]
    public async Task Session_BeforeLifetimeEnds_IsStillValid()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartWithClockAsync(clock);
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();

        clock.Advance(TimeSpan.FromMinutes(9));

        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/still-valid")).Status);
    }

    [Fact]
    public async Task Session_AfterLifetimeEnds_IsUnauthenticated()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartWithClockAsync(clock);
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();

        clock.Advance(TimeSpan.FromMinutes(11));

        var api = await browser.ApiGetAsync("/expired");
        var page = await browser.NavigateOnceAsync("/expired");
        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
        Assert.Equal(HttpStatusCode.Found, page.Status);
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, page.Location!.ToString());
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/expired");
    }
}
