using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>
/// Refresh-token rotation with a 0-second grace period and the cookie store on two instances without Redis (they share
/// only the Data Protection keys): two requests of one browser race, and the loser must not sign the user out.
/// </summary>
public sealed class RotationRaceTests : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly GatewayFixture _fx;
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("gateway-rotation-keys-");

    public RotationRaceTests(GatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
        _fx.Cognito.RotateRefreshTokens = true;
        _fx.Cognito.RefreshTokenRotationGracePeriod = TimeSpan.Zero;
    }

    public void Dispose() => _keys.Delete(recursive: true);

    private Task<GatewayHost> StartInstanceAsync(FakeTimeProvider clock) =>
        GatewayHost.StartAsync(_fx.Cognito, _fx.Backend,
            new Dictionary<string, string?> { ["Gateway:DataProtection:KeysPath"] = _keys.FullName },
            b => b.Services.AddSingleton<TimeProvider>(clock));

    private static async Task<HttpResponseMessage> GetAsync(GatewayHost host, string cookieHeader, string path)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url + path);
        request.Headers.TryAddWithoutValidation("Cookie", cookieHeader);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "cors");
        return await client.SendAsync(request);
    }

    private static IReadOnlyList<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    [Fact]
    public async Task LosingTheRefreshRaceOnAnotherInstance_KeepsTheUserSignedIn_AndTheNewCookieWorksEverywhere()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await StartInstanceAsync(clock);
        await using var b = await StartInstanceAsync(clock);
        using var browser = new TestBrowser(a);
        await browser.SignInAsync();
        var oldCookie = browser.Cookies.GetCookieHeader(a.BaseUri);
        var original = _fx.Cognito.IssuedRefreshTokens.Single();

        // The access token is due: instance A refreshes first and rotates the refresh token (old one dead at once).
        clock.Advance(TimeSpan.FromMinutes(56));
        var first = await browser.ApiGetAsync("/race/a");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var newCookie = browser.Cookies.GetCookieHeader(a.BaseUri);
        Assert.NotEqual(oldCookie, newCookie);

        // A request of the same browser that left with the old cookie reaches instance B, which knows nothing of A's
        // refresh: its refresh gets invalid_grant, yet the user stays signed in while the access token is valid.
        using var raced = await GetAsync(b, oldCookie, "/race/b");
        Assert.Equal(HttpStatusCode.OK, raced.StatusCode);
        Assert.DoesNotContain(SetCookies(raced), c => SetCookie.Parse(c).IsDeletion);
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/race/b"), "X-Forwarded-Email").Single());
        var presented = _fx.Cognito.RefreshRequests.Select(r => FakeCognito.ParseForm(r)["refresh_token"]).ToArray();
        Assert.Equal([original, original], presented);
        Assert.Contains(b.Logs.Lines, l => l.Contains("probably rotated the refresh token first", StringComparison.Ordinal));

        // The browser's next requests carry A's new cookie: fresh on both instances, no refresh, no sign-out.
        foreach (var host in new[] { b, a, b })
        {
            using var next = await GetAsync(host, newCookie, "/race/next");
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            Assert.Empty(SetCookies(next));
        }

        Assert.Equal(2, _fx.Cognito.RefreshRequests.Count);
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(_fx.Backend.LastRequestTo("/race/next"), "X-Forwarded-Email").Single());
    }

    [Fact]
    public async Task OldCookieAfterItsAccessTokenExpired_IsSignedOut()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await StartInstanceAsync(clock);
        await using var b = await StartInstanceAsync(clock);
        using var browser = new TestBrowser(a);
        await browser.SignInAsync();
        var oldCookie = browser.Cookies.GetCookieHeader(a.BaseUri);

        clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/rotate")).Status);
        using (var raced = await GetAsync(b, oldCookie, "/raced"))
        {
            Assert.Equal(HttpStatusCode.OK, raced.StatusCode);
        }

        // A cookie whose refresh token is dead is usable only until its access token expires: after that it is refused.
        clock.Advance(TimeSpan.FromMinutes(5));
        using var stale = await GetAsync(b, oldCookie, "/stale");
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Contains(SetCookies(stale), c => SetCookie.Parse(c) is { Name: "_gateway" } sc && sc.IsDeletion);
        Assert.DoesNotContain(_fx.Backend.Requests, r => r.Path == "/stale");

        // The browser's own, rotated session is unaffected.
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/current")).Status);
    }
}
