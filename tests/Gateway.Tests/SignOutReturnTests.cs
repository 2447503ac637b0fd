using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>
/// A gateway whose SignOutUri is its own signed-out page (as the README recommends), registered at the fake pool as an
/// allowed sign-out URL, with one other host allowed for absolute return URLs. The port is chosen before start-up so the
/// SignOutUri can name it.
/// </summary>
public sealed class SignOutReturnGatewayFixture : GatewayFixture
{
    public static readonly int Port = FreePort();

    public static string Origin => $"http://localhost:{Port}";

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Urls"] = $"http://127.0.0.1:{Port}",
        ["Gateway:Cognito:SignOutUri"] = Origin + "/oauth2/signed_out",
        ["Gateway:AllowedRedirectHosts:0"] = "crm.apps.example.com",
    };

    protected override void ConfigureCognito(FakeCognito cognito) => cognito.AllowSignOutUrl(Origin + "/oauth2/signed_out");

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Sign-out with <c>rd</c>: Cognito returns to the fixed SignOutUri, the signed-out page sends the user on, once.</summary>
public sealed class SignOutReturnTests : GatewayTest<SignOutReturnGatewayFixture>
{
    private const string ReturnCookie = "_gateway_signout";

    public SignOutReturnTests(SignOutReturnGatewayFixture fx)
        : base(fx)
    {
    }

    private async Task<Hop> SignInAndOutAsync(string? rd)
    {
        await Browser.SignInAsync();
        var hop = await Browser.SignOutAsync("/oauth2/sign_out" + (rd is null ? string.Empty : "?rd=" + Uri.EscapeDataString(rd)));
        Assert.True(hop.Status == HttpStatusCode.Found && hop.Location!.ToString().StartsWith(Fx.Cognito.LogoutEndpoint, StringComparison.Ordinal), $"{hop}\n{hop.Body}");
        Assert.Equal(SignOutReturnGatewayFixture.Origin + "/oauth2/signed_out", TestBrowser.Query(hop.Location!)["logout_uri"]);
        return hop;
    }

    private Cookie? KeptReturn() =>
        Browser.Cookies.GetCookies(new Uri(Fx.Gateway.Url + "/oauth2/signed_out")).FirstOrDefault(c => c.Name == ReturnCookie);

    [Fact]
    public async Task SignOut_WithLocalRd_ProviderLogoutReturnsToSignedOutPageWhichSendsTheUserToThePage()
    {
        var hop = await SignInAndOutAsync("/public/after?x=1");

        var kept = hop.SetCookies.Select(SetCookie.Parse).Single(c => c.Name == ReturnCookie);
        Assert.True(kept.Attributes.ContainsKey("httponly"), string.Join("; ", hop.SetCookies));
        Assert.Equal("/oauth2", kept.Attributes["path"]);
        Assert.Equal("lax", kept.Attributes["samesite"]);
        Assert.DoesNotContain("public", kept.Value, StringComparison.Ordinal); // protected, not the URL in clear

        var nav = await Browser.NavigateAsync(hop.Location!.ToString());

        Assert.True(nav.Status == HttpStatusCode.OK, nav.ToString());
        Assert.Equal(Fx.Gateway.Url + "/public/after?x=1", nav.FinalUrl.ToString());
        Assert.NotNull(nav.HopAt("/logout"));
        Assert.Equal(HttpStatusCode.Found, nav.HopAt("/oauth2/signed_out")!.Status);
        Assert.Null(KeptReturn());

        // Once: the next visit of the signed-out page just says so.
        var again = await Browser.NavigateOnceAsync("/oauth2/signed_out");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Contains("You are signed out", again.Body);
    }

    [Fact]
    public async Task SignOut_WithRdOnAllowedHost_SignedOutPageSendsTheUserThere()
    {
        var hop = await SignInAndOutAsync("https://crm.apps.example.com/bye");

        var nav = await Browser.NavigateAsync(hop.Location!.ToString());

        var signedOut = nav.HopAt("/oauth2/signed_out");
        Assert.True(signedOut is not null && signedOut.Status == HttpStatusCode.Found, nav.ToString());
        Assert.Equal("https://crm.apps.example.com/bye", signedOut.Response.Headers.Location!.OriginalString);
        Assert.Equal("no-store", signedOut.Response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task SignOut_WithoutRd_KeepsNothingAndSignedOutPageSaysSignedOut()
    {
        var hop = await SignInAndOutAsync(rd: null);

        Assert.DoesNotContain(hop.SetCookies, c => c.StartsWith(ReturnCookie + "=", StringComparison.Ordinal));
        var nav = await Browser.NavigateAsync(hop.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, nav.Status);
        Assert.Contains("You are signed out", nav.Final.Body);
    }

    [Fact]
    public async Task SignOut_WithoutRd_AfterAnUnfinishedSignOutWithRd_DoesNotFollowTheOldReturnUrl()
    {
        // The first sign-out never came back from the provider (tab closed): its return URL is still kept.
        await SignInAndOutAsync("/public/old");
        Assert.NotNull(KeptReturn());

        var second = await SignInAndOutAsync(rd: null);

        Assert.Contains(second.SetCookies.Select(SetCookie.Parse), c => c.Name == ReturnCookie && c.IsDeletion);
        var nav = await Browser.NavigateAsync(second.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, nav.Status);
        Assert.Contains("You are signed out", nav.Final.Body);
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("forged")]
    public async Task SignedOutPage_TamperedOrForgedReturnCookie_ShowsTheSignedOutPageAndDeletesIt(string kind)
    {
        string value;
        if (kind == "tampered")
        {
            var hop = await SignInAndOutAsync("/public/after");
            var kept = hop.SetCookies.Select(SetCookie.Parse).Single(c => c.Name == ReturnCookie).Value;
            value = kept[..^4] + (kept.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
            KeptReturn()!.Expired = true; // only the tampered copy is sent
        }
        else
        {
            value = Uri.EscapeDataString("4102444800|https://evil.example.com/");
        }

        var page = await Browser.NavigateOnceAsync("/oauth2/signed_out", r => r.Headers.TryAddWithoutValidation("Cookie", $"{ReturnCookie}={value}"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Null(page.Location);
        Assert.Contains("You are signed out", page.Body);
        Assert.Contains(page.SetCookies.Select(SetCookie.Parse), c => c.Name == ReturnCookie && c.IsDeletion);
    }

    [Fact]
    public async Task SignOutPage_RdToOtherHost_IsRefusedBeforeAnythingIsKept()
    {
        await Browser.SignInAsync();

        var hop = await Browser.SignOutAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("https://crm.apps.example.com.evil.com/"));

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        Assert.DoesNotContain(hop.SetCookies, c => c.StartsWith(ReturnCookie + "=", StringComparison.Ordinal));
    }
}

/// <summary>The default SignOutUri (<c>{origin}/</c>) never comes back to the signed-out page: rd cannot be honoured there.</summary>
public sealed class SignOutReturnWithoutSignedOutPageTests : GatewayTest<GatewayFixture>
{
    public SignOutReturnWithoutSignedOutPageTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public async Task SignOut_WithRd_SignOutUriElsewhere_KeepsNoCookieAndLogsHowToFix()
    {
        await Browser.SignInAsync();

        var hop = await Browser.SignOutAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("/public/after"));

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.DoesNotContain(hop.SetCookies, c => c.StartsWith("_gateway_signout=", StringComparison.Ordinal));
        Assert.Contains(Fx.Gateway.Logs.Lines, l => l.Contains("Gateway:Cognito:SignOutUri", StringComparison.Ordinal) && l.Contains("/oauth2/signed_out", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(9, true)]
    [InlineData(11, false)]
    public async Task SignedOutPage_ReturnCookieOlderThanTenMinutes_IsNotFollowed(int minutes, bool followed)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend,
            new Dictionary<string, string?> { ["Gateway:Cognito:SignOutUri"] = "http://localhost:1/oauth2/signed_out" },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();
        var signOut = await browser.SignOutAsync("/oauth2/sign_out?rd=" + Uri.EscapeDataString("/public/after"));
        Assert.Contains(signOut.SetCookies, c => c.StartsWith("_gateway_signout=", StringComparison.Ordinal));

        clock.Advance(TimeSpan.FromMinutes(minutes));
        var page = await browser.NavigateOnceAsync("/oauth2/signed_out");

        if (followed)
        {
            Assert.Equal(HttpStatusCode.Found, page.Status);
            Assert.Equal("/public/after", page.Response.Headers.Location!.OriginalString);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Contains("You are signed out", page.Body);
        }
    }
}
