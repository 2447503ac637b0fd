using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>
/// The audit trail (category Gateway.Audit): sign-in, sign-in failure, sign-out, refresh failure, every 401 and 403 with
/// its reason, spoofed identity headers; each line with event, user, route and client address, and no token, cookie or email.
/// </summary>
public sealed class AuditTrailTests : GatewayTest<GatewayFixture>
{
    public AuditTrailTests(GatewayFixture fx)
        : base(fx)
    {
    }

    private static List<string> AuditLines(IEnumerable<string> lines, string @event) =>
        lines.Where(l => l.Contains(" Gateway.Audit: " + @event + " ", StringComparison.Ordinal)).ToList();

    private List<string> Since(int before) => Fx.Gateway.Logs.Lines.Skip(before).ToList();

    private static void AssertNothingSecret(IEnumerable<string> lines, TestBrowser browser)
    {
        var cookies = browser.GatewayCookies().Select(c => c.Value).Where(v => v.Length > 8).ToList();
        foreach (var line in lines.Where(l => l.Contains("Gateway.Audit", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain("@", line, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ", line, StringComparison.Ordinal);
            Assert.DoesNotContain("code=", line, StringComparison.Ordinal);
            Assert.All(cookies, c => Assert.DoesNotContain(c, line, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task SignInAndSignOut_AreAudited_WithUserAndClient()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        await Browser.SignInAsync();
        var signOut = await Browser.SignOutAsync();

        Assert.Equal(HttpStatusCode.Found, signOut.Status);
        var lines = Since(before);
        var signIn = Assert.Single(AuditLines(lines, "sign_in"));
        Assert.StartsWith("Information Gateway.Audit: sign_in user=" + TestUser.Default.Sub + " route=- client=127.0.0.1: ", signIn, StringComparison.Ordinal);
        var signedOut = Assert.Single(AuditLines(lines, "sign_out"));
        Assert.Contains("user=" + TestUser.Default.Sub + " ", signedOut, StringComparison.Ordinal);
        Assert.Contains("refresh token revoked", signedOut, StringComparison.Ordinal);
        AssertNothingSecret(lines, Browser);
    }

    [Fact]
    public async Task UserOutsidePolicy_403IsAudited_WithPolicyAndFailedRequirement()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.NavigateOnceAsync("/admin/settings");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        var line = Assert.Single(AuditLines(Since(before), "forbidden"));
        Assert.StartsWith("Warning Gateway.Audit: forbidden user=" + TestUser.NoGroups.Sub + " route=admin client=127.0.0.1: policy 'admins' not met: failed ", line, StringComparison.Ordinal);
        Assert.Contains("(admins)", line, StringComparison.Ordinal);
        AssertNothingSecret(Since(before), Browser);
    }

    [Fact]
    public async Task AnonymousApiCall_401IsAudited_WithRouteAndReason()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.ApiGetAsync("/api/orders?code=SECRETCODE");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var line = Assert.Single(AuditLines(Since(before), "unauthenticated"));
        Assert.Equal("Information Gateway.Audit: unauthenticated user=anonymous route=api client=127.0.0.1: no session; the route denies anonymous callers", line);
    }

    [Fact]
    public async Task BrowserRedirectedToSignIn_IsNotA401_AndNotAudited()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.NavigateOnceAsync("/somewhere");

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.Empty(AuditLines(Since(before), "unauthenticated"));
    }

    [Fact]
    public async Task SpoofedIdentityHeader_IsAudited_WithHeaderNameButNotItsValue()
    {
        await Browser.SignInAsync();
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.NavigateOnceAsync("/page", r => r.Headers.TryAddWithoutValidation("X-Forwarded-Email", "mallory@evil.example"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var line = Assert.Single(AuditLines(Since(before), "spoofed_header_stripped"));
        Assert.Contains("user=" + TestUser.Default.Sub + " route=app client=127.0.0.1: inbound header X-Forwarded-Email removed", line, StringComparison.Ordinal);
        Assert.DoesNotContain("mallory", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallbackWithProviderError_SignInFailureIsAudited()
    {
        var first = await Browser.NavigateOnceAsync("/wanted");
        var state = TestBrowser.Query(first.Location!)["state"];
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.NavigateOnceAsync("/oauth2/callback?error=access_denied&state=" + Uri.EscapeDataString(state));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        var line = Assert.Single(AuditLines(Since(before), "sign_in_failed"));
        Assert.Contains("user=anonymous route=- client=127.0.0.1: access_denied", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshRejectedAfterExpiry_RefreshFailureIsAudited()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();
        Fx.Cognito.RejectedRefreshTokens.Add(Fx.Cognito.IssuedRefreshTokens.Single());

        clock.Advance(TimeSpan.FromMinutes(61));
        var api = await browser.ApiGetAsync("/data");

        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
        var line = Assert.Single(AuditLines(host.Logs.Lines, "refresh_failed"));
        Assert.StartsWith("Warning Gateway.Audit: refresh_failed user=" + TestUser.Default.Sub + " ", line, StringComparison.Ordinal);
        Assert.Contains("refused the refresh token (invalid_grant); session ended", line, StringComparison.Ordinal);
        AssertNothingSecret(host.Logs.Lines, browser);
    }

    [Fact]
    public async Task UserInfoWithoutSession_401IsAudited()
    {
        var before = Fx.Gateway.Logs.Lines.Count;

        var hop = await Browser.ApiGetAsync("/oauth2/userinfo");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var line = Assert.Single(AuditLines(Since(before), "unauthenticated"));
        Assert.EndsWith("user=anonymous route=- client=127.0.0.1: no session at /oauth2/userinfo", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedBearerToken_401IsAuditedWithTheReason_NeverTheToken()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:bearer:ClusterId"] = "backend",
            ["ReverseProxy:Routes:bearer:Match:Path"] = "/bearer/{**rest}",
            ["ReverseProxy:Routes:bearer:Metadata:Gateway.Bearer"] = "true",
        });
        using var browser = new TestBrowser(host);
        var token = Fx.Cognito.MintAccessToken(t => t.Kid = "unknown-kid");

        var hop = await browser.ApiGetAsync("/bearer/orders", r => r.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var line = Assert.Single(AuditLines(host.Logs.Lines, "unauthenticated"));
        Assert.StartsWith("Information Gateway.Audit: unauthenticated user=anonymous route=bearer client=127.0.0.1: bearer token refused: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1][..20], line, StringComparison.Ordinal);
    }
}
