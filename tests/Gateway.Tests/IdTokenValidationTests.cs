using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

public sealed class IdTokenValidationTests : GatewayTest<GatewayFixture>
{
    public IdTokenValidationTests(GatewayFixture fx)
        : base(fx)
    {
    }

    public static TheoryData<string> BadTokens => new()
    {
        "BadSignature", "AlgNone", "WrongIssuer", "WrongAudience", "Expired", "AccessTokenUse", "UnknownKid",
        "MissingSub", "EmptySub", "BlankSub", "MissingIat", "IatNotANumber", "IatFarInTheFuture",
    };

    /// <summary>The claim rules OpenID Connect Core adds (sub and iat required), for refreshed ID tokens too.</summary>
    public static TheoryData<string> MissingRequiredClaims => new()
    {
        "MissingSub", "EmptySub", "BlankSub", "MissingIat", "IatNotANumber", "IatFarInTheFuture",
    };

    private static void Spoil(string kind, TokenMintRequest token, FakeCognito cognito, DateTimeOffset? gatewayNow = null)
    {
        var past = DateTimeOffset.UtcNow.AddMinutes(-30);
        var now = gatewayNow ?? DateTimeOffset.UtcNow;
        switch (kind)
        {
            case "BadSignature":
                token.SigningKey = cognito.OtherKey;
                token.Kid = cognito.PrimaryKey.Kid;
                break;
            case "AlgNone":
                token.Algorithm = "none";
                token.SigningKey = null;
                break;
            case "WrongIssuer":
                token.Claims["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other";
                break;
            case "WrongAudience":
                token.Claims["aud"] = "some-other-client";
                break;
            case "Expired":
                token.Claims["exp"] = TestTokens.UnixTime(past);
                token.Claims["iat"] = TestTokens.UnixTime(past.AddHours(-1));
                token.Claims["auth_time"] = TestTokens.UnixTime(past.AddHours(-1));
                break;
            case "WrongNonce":
                token.Claims["nonce"] = "not-the-nonce-the-gateway-sent";
                break;
            case "MissingNonce":
                token.Claims.Remove("nonce");
                break;
            case "AccessTokenUse":
                token.Claims["token_use"] = "access";
                break;
            case "UnknownKid":
                token.Kid = "kid-that-is-not-published";
                break;
            case "MissingSub":
                token.Claims.Remove("sub");
                break;
            case "EmptySub":
                token.Claims["sub"] = "";
                break;
            case "BlankSub":
                token.Claims["sub"] = "   ";
                break;
            case "MissingIat":
                token.Claims.Remove("iat");
                break;
            case "IatNotANumber":
                token.Claims["iat"] = "yesterday";
                break;
            case "IatFarInTheFuture":
                // Beyond the 5 minutes of clock difference the gateway tolerates; exp stays after iat.
                token.Claims["iat"] = TestTokens.UnixTime(now.AddMinutes(10));
                token.Claims["exp"] = TestTokens.UnixTime(now.AddMinutes(70));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static void AssertRejected(Navigation nav, TestBrowser browser, GatewayHost host)
    {
        var callback = nav.HopAt("/oauth2/callback");
        Assert.True(callback is not null, "The flow never reached the callback:\n" + nav);
        var status = (int)callback.Status;
        Assert.True(status is >= 400 and < 500,
            $"Expected 4xx from the callback, got {status}:\n{nav}\n{callback.Body}\nGateway log:\n{host.Logs.Dump()}");
        Assert.Equal("text/html", TestBrowser.MediaType(callback));
        Assert.DoesNotContain(callback.SetCookies.Select(SetCookie.Parse), c => SetCookie.IsSessionCookieName(c.Name) && !c.IsDeletion);
        PageAssert.NoStackTrace(callback);
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Callback_BadIdToken_Answers4xxPageAndCreatesNoSession(string kind)
    {
        Fx.Cognito.CustomizeIdToken = (token, _) => Spoil(kind, token, Fx.Cognito);

        var nav = await Browser.NavigateAsync("/secret");

        AssertRejected(nav, Browser, Fx.Gateway);
        Assert.Single(Fx.Cognito.RequestsTo("/oauth2/token"));
        var api = await Browser.ApiGetAsync("/secret");
        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/secret");
    }

    [Theory]
    [InlineData("WrongNonce")]
    [InlineData("MissingNonce")]
    public async Task Callback_IdTokenWithBadNonce_Answers4xxPageAndCreatesNoSession(string kind)
    {
        Fx.Cognito.CustomizeIdToken = (token, _) => Spoil(kind, token, Fx.Cognito);

        var nav = await Browser.NavigateAsync("/secret");

        AssertRejected(nav, Browser, Fx.Gateway);
        var api = await Browser.ApiGetAsync("/secret");
        Assert.Equal(HttpStatusCode.Unauthorized, api.Status);
    }

    [Fact]
    public async Task Callback_IatSlightlyAhead_WithinClockSkew_CreatesSession()
    {
        // A provider clock a little ahead of ours is normal; only iat beyond the 5-minute bound is refused.
        Fx.Cognito.CustomizeIdToken = (token, _) => token.Claims["iat"] = TestTokens.UnixTime(DateTimeOffset.UtcNow.AddMinutes(3));

        var nav = await Browser.NavigateAsync("/secret");

        Assert.True(nav.Status == HttpStatusCode.OK, nav + "\n" + nav.Final.Body + "\n" + Fx.Gateway.Logs.Dump());
    }

    [Theory]
    [MemberData(nameof(MissingRequiredClaims))]
    public async Task Refresh_IdTokenWithoutRequiredClaims_EndsSession(string kind)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();
        clock.Advance(TimeSpan.FromMinutes(56)); // within the refresh margin of the one-hour access token
        Fx.Cognito.CustomizeRefreshedIdToken = token => Spoil(kind, token, Fx.Cognito, clock.GetUtcNow());

        var api = await browser.ApiGetAsync("/after-bad-refresh");

        Assert.Single(Fx.Cognito.RefreshRequests);
        Assert.True(api.Status == HttpStatusCode.Unauthorized, $"{(int)api.Status} {api.Body}\n{host.Logs.Dump()}");
        Assert.Contains(api.SetCookies, c => SetCookie.Parse(c) is { } sc && sc.Name == "_gateway" && sc.IsDeletion);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/after-bad-refresh");
    }

    [Fact]
    public async Task Refresh_ValidIdToken_KeepsSession()
    {
        // The control case for the theory above.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var browser = new TestBrowser(host);
        await browser.SignInAsync();
        clock.Advance(TimeSpan.FromMinutes(56));

        var api = await browser.ApiGetAsync("/after-good-refresh");

        Assert.Single(Fx.Cognito.RefreshRequests);
        Assert.Equal(HttpStatusCode.OK, api.Status);
    }

    [Fact]
    public async Task Callback_ValidIdToken_CreatesSession()
    {
        // The control case for the theory above: the same flow with an untouched token signs in.
        var nav = await Browser.NavigateAsync("/secret");

        Assert.Equal(HttpStatusCode.OK, nav.Status);
        Assert.Equal(HttpStatusCode.OK, (await Browser.ApiGetAsync("/secret")).Status);
    }

    [Fact]
    public async Task KeyRotation_NewKidPublishedAfterJwksCached_LoginSucceedsAfterRefetch()
    {
        // Own gateway: the JWKS refetch budget of the shared one must not be spent by other tests.
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend);
        using (var first = new TestBrowser(host))
        {
            await first.SignInAsync(); // the gateway now holds the primary key
        }

        using var rotated = TestSigningKey.Create("rotated-" + Guid.NewGuid().ToString("N")[..8]);
        Fx.Cognito.PublishKeys(rotated);
        Fx.Cognito.SigningKey = rotated;
        var jwksFetchesBefore = Fx.Cognito.RequestsTo($"/{FakeCognito.PoolId}/.well-known/jwks.json").Count;

        using var browser = new TestBrowser(host);
        var nav = await browser.NavigateAsync("/after-rotation");

        Assert.True(nav.Status == HttpStatusCode.OK, nav + "\n" + nav.Final.Body + "\n" + host.Logs.Dump());
        Assert.True(Fx.Cognito.RequestsTo($"/{FakeCognito.PoolId}/.well-known/jwks.json").Count > jwksFetchesBefore,
            "The gateway should have refetched the JWKS for the unknown kid");
    }

    [Fact]
    public async Task KeyRotation_KidStillUnknownAfterRefetch_IsRejected()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend);
        using (var first = new TestBrowser(host))
        {
            await first.SignInAsync();
        }

        using var unpublished = TestSigningKey.Create("never-published");
        Fx.Cognito.SigningKey = unpublished;

        using var browser = new TestBrowser(host);
        var nav = await browser.NavigateAsync("/unknown-kid");

        AssertRejected(nav, browser, host);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/unknown-kid")).Status);
    }
}
