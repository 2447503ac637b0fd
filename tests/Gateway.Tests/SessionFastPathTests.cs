using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Authentication;
using Gateway.Configuration;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>
/// The validated-session fast path behind the default authentication scheme (cookie store, one instance): a session
/// validated moments ago is served from the cache (<c>gateway.session_cache</c>, result=hit) without the cookie handler;
/// sign-out, refresh and a tampered cookie never get the cached principal; the pipeline has exactly one authentication step.
/// </summary>
public sealed class SessionFastPathTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _fx;

    public SessionFastPathTests(GatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
    }

    private async Task<(GatewayHost Host, FakeTimeProvider Clock, TestBrowser Browser, CacheLookups Lookups)> SignedInAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, customize: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Services.AddSingleton<IAuthenticationSchemeProvider, CountingSchemeProvider>();
        });
        var browser = new TestBrowser(host);
        await browser.SignInAsync();
        return (host, clock, browser, new CacheLookups(host));
    }

    private static string SessionCookieHeader(TestBrowser browser) =>
        string.Join("; ", browser.GatewayCookies().Select(c => c.Name + "=" + c.Value));

    private static async Task<HttpStatusCode> GetWithCookieAsync(GatewayHost host, string path, string cookieHeader)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url + path);
        request.Headers.TryAddWithoutValidation("Cookie", cookieHeader);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task SecondRequestWithinCacheDuration_IsServedFromTheCache_WithTheSessionsIdentity()
    {
        var (host, _, browser, lookups) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        using var ___ = lookups;

        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/first")).Status);
        var hits = lookups.Hits;
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/second")).Status);

        Assert.Equal(hits + 1, lookups.Hits);
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/second"), "X-Forwarded-Email").Single());
    }

    [Fact]
    public async Task AfterCacheDuration_TheHandlersValidateTheSessionAgain()
    {
        var (host, clock, browser, lookups) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        using var ___ = lookups;
        await browser.ApiGetAsync("/warm");

        clock.Advance(TimeSpan.FromSeconds(6));
        var misses = lookups.Misses;
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/later")).Status);

        Assert.Equal(misses + 1, lookups.Misses);
    }

    [Fact]
    public async Task SignOut_DropsTheCachedPrincipal_ReplayedCookieIsNotServedFromTheCache()
    {
        var (host, _, browser, lookups) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        using var ___ = lookups;
        await browser.ApiGetAsync("/warm");
        var cookie = SessionCookieHeader(browser);
        Assert.Equal(HttpStatusCode.OK, await GetWithCookieAsync(host, "/cached", cookie));
        var hits = lookups.Hits;

        Assert.Equal(HttpStatusCode.Found, (await browser.SignOutAsync()).Status);
        await GetWithCookieAsync(host, "/replayed", cookie);

        Assert.Equal(hits, lookups.Hits);
    }

    [Fact]
    public async Task Refresh_DropsTheCachedPrincipal_OldCookieIsNotServedFromTheCache()
    {
        var (host, clock, browser, lookups) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        using var ___ = lookups;
        clock.Advance(TimeSpan.FromMinutes(56));
        var old = SessionCookieHeader(browser);

        var refreshed = await browser.ApiGetAsync("/refreshed");
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Single(_fx.Cognito.RefreshRequests);
        var hits = lookups.Hits;
        await GetWithCookieAsync(host, "/old-cookie", old);

        Assert.Equal(hits, lookups.Hits);
    }

    [Fact]
    public async Task TamperedCookie_IsNotServedTheCachedPrincipal()
    {
        var (host, _, browser, lookups) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        using var ___ = lookups;
        await browser.ApiGetAsync("/warm");
        var session = browser.GatewayCookies().Single(c => c.Name == "_gateway");
        var middle = session.Value.Length / 2;
        var tampered = session.Value[..middle] + (session.Value[middle] == 'A' ? 'B' : 'A') + session.Value[(middle + 1)..];
        var hits = lookups.Hits;

        var status = await GetWithCookieAsync(host, "/api/tampered", "_gateway=" + tampered);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(hits, lookups.Hits);
    }

    [Fact]
    public async Task EveryRequest_PassesExactlyOneAuthenticationMiddleware()
    {
        var (host, _, browser, lookups) = await SignedInAsync();
        await using var _ = host;
        using var __ = browser;
        using var ___ = lookups;
        var provider = (CountingSchemeProvider)host.App.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        var before = provider.RequestHandlerLookups;

        await browser.ApiGetAsync("/one");
        await browser.ApiGetAsync("/two");
        await browser.ApiGetAsync("/public/three");
        using var anonymous = new HttpClient();
        await anonymous.GetAsync(host.Url + "/public/four");

        Assert.Equal(before + 4, provider.RequestHandlerLookups);
    }

    /// <summary>
    /// The authentication middleware asks the scheme provider for the request-handler schemes once per request, and
    /// nothing else does: the count of those questions is the number of authentication middlewares a request passed.
    /// </summary>
    private sealed class CountingSchemeProvider(IOptions<AuthenticationOptions> options, IOptions<GatewayOptions> gateway, IHttpContextAccessor accessor)
        : GatewayAuthenticationSchemeProvider(options, gateway, accessor)
    {
        private long _requestHandlerLookups;

        public long RequestHandlerLookups => Interlocked.Read(ref _requestHandlerLookups);

        public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
        {
            Interlocked.Increment(ref _requestHandlerLookups);
            return base.GetRequestHandlerSchemesAsync();
        }
    }

    /// <summary>This host's <c>gateway.session_cache</c> counter by result, from its own meter (see <see cref="GatewayCounter"/>).</summary>
    private sealed class CacheLookups : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _hits;
        private long _misses;

        public CacheLookups(GatewayHost host)
        {
            var factory = host.App.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "gateway.session_cache")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "result", Value: "hit" })
                    {
                        Interlocked.Add(ref _hits, value);
                    }
                    else if (tag is { Key: "result", Value: "miss" })
                    {
                        Interlocked.Add(ref _misses, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Hits => Interlocked.Read(ref _hits);

        public long Misses => Interlocked.Read(ref _misses);

        public void Dispose() => _listener.Dispose();
    }
}
