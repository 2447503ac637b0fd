using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class HeaderSpoofingTests : GatewayTest<GatewayFixture>
{
    private const string Forged = "forged-by-client";

    public HeaderSpoofingTests(GatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>Spelling sent by the client → canonical identity header it tries to forge.</summary>
    public static TheoryData<string, string> ForgedHeaders => new()
    {
        { "X-Forwarded-User", "X-Forwarded-User" },
        { "X-Forwarded-Email", "X-Forwarded-Email" },
        { "X-Forwarded-Groups", "X-Forwarded-Groups" },
        { "X-Forwarded-Preferred-Username", "X-Forwarded-Preferred-Username" },
        { "X_Forwarded_Email", "X-Forwarded-Email" },
        { "X_Forwarded_User", "X-Forwarded-User" },
        { "X_Forwarded_Groups", "X-Forwarded-Groups" },
        { "x-forwarded-user", "X-Forwarded-User" },
        { "X-FORWARDED-GROUPS", "X-Forwarded-Groups" },
        { "x_FORWARDED-preferred_USERNAME", "X-Forwarded-Preferred-Username" },
    };

    private static string RealValue(string canonical)
    {
        var user = TestUser.Default;
        return canonical switch
        {
            "X-Forwarded-User" => user.Sub,
            "X-Forwarded-Email" => user.Email,
            "X-Forwarded-Groups" => string.Join(',', user.Groups),
            "X-Forwarded-Preferred-Username" => user.Username,
            _ => throw new ArgumentOutOfRangeException(nameof(canonical)),
        };
    }

    [Theory]
    [MemberData(nameof(ForgedHeaders))]
    public async Task IdentityHeaders_ForgedOnProtectedRoute_BackendSeesOnlyRealValue(string sent, string canonical)
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/protected/page", r => r.Headers.TryAddWithoutValidation(sent, Forged));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/protected/page");
        Assert.Equal([RealValue(canonical)], BackendStub.HeaderValues(received, canonical));
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
    }

    [Theory]
    [MemberData(nameof(ForgedHeaders))]
    public async Task IdentityHeaders_ForgedOnAnonymousRoute_AreStripped(string sent, string canonical)
    {
        var hop = await Browser.ApiGetAsync("/public/page", r => r.Headers.TryAddWithoutValidation(sent, Forged));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/public/page");
        Assert.Empty(BackendStub.HeaderValues(received, canonical));
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
    }

    [Fact]
    public async Task IdentityHeaders_AnonymousRouteWithSession_CarryNoForgedValues()
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/public/page", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-User", Forged);
            r.Headers.TryAddWithoutValidation("X_Forwarded_Email", Forged);
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/public/page");
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
    }

    [Fact]
    public async Task IdentityHeaders_AllForgedAtOnceWithoutSessionOnAllowRoute_AreStripped()
    {
        var hop = await Browser.ApiGetAsync("/open/page", r =>
        {
            foreach (var name in new[] { "X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups", "X-Forwarded-Preferred-Username", "X_Forwarded_Email" })
            {
                r.Headers.TryAddWithoutValidation(name, Forged);
            }
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/open/page");
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-User"));
    }

    [Fact]
    public async Task Cookies_ProtectedRoute_GatewayCookiesAndAuthorizationNotForwardedButAppCookiesAre()
    {
        await Browser.SignInAsync();
        Browser.Cookies.Add(Browser.Gateway.BaseUri, new Cookie("app_pref", "1"));
        Browser.Cookies.Add(Browser.Gateway.BaseUri, new Cookie("theme", "dark"));

        var hop = await Browser.ApiGetAsync("/protected/cookies",
            r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer forged-token"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/protected/cookies");
        var cookies = BackendStub.Cookies(received);
        Assert.DoesNotContain(cookies, c => c.Key.StartsWith("_gateway", StringComparison.Ordinal));
        Assert.Contains(new KeyValuePair<string, string>("app_pref", "1"), cookies);
        Assert.Contains(new KeyValuePair<string, string>("theme", "dark"), cookies);
        Assert.Empty(BackendStub.HeaderValues(received, "Authorization"));
    }

    [Fact]
    public async Task Cookies_AnonymousRouteWithSession_GatewayCookiesNotForwarded()
    {
        await Browser.SignInAsync();
        Browser.Cookies.Add(Browser.Gateway.BaseUri, new Cookie("app_pref", "1"));

        var hop = await Browser.ApiGetAsync("/public/cookies");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var cookies = BackendStub.Cookies(Fx.Backend.LastRequestTo("/public/cookies"));
        Assert.DoesNotContain(cookies, c => c.Key.StartsWith("_gateway", StringComparison.Ordinal));
        Assert.Contains(new KeyValuePair<string, string>("app_pref", "1"), cookies);
    }

    [Fact]
    public async Task Cookies_OnlyGatewayCookies_BackendReceivesNoCookieHeaderValues()
    {
        await Browser.SignInAsync();

        await Browser.ApiGetAsync("/protected/only-session");

        var cookies = BackendStub.Cookies(Fx.Backend.LastRequestTo("/protected/only-session"));
        Assert.DoesNotContain(cookies, c => c.Key.StartsWith("_gateway", StringComparison.Ordinal));
    }
}
