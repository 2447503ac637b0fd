using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

/// <summary>Routes that send the signed identity assertion (one with its own audience, one for bearer callers) and one that does not.</summary>
public sealed class AssertionGatewayFixture : GatewayFixture
{
    public const string OrdersAudience = "urn:orders";

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["ReverseProxy:Routes:assert:ClusterId"] = "backend",
        ["ReverseProxy:Routes:assert:Match:Path"] = "/assert/{**rest}",
        ["ReverseProxy:Routes:assert:Metadata:Gateway.Assertion"] = "true",

        ["ReverseProxy:Routes:orders:ClusterId"] = "backend",
        ["ReverseProxy:Routes:orders:Match:Path"] = "/orders/{**rest}",
        ["ReverseProxy:Routes:orders:Metadata:Gateway.Assertion"] = "true",
        ["ReverseProxy:Routes:orders:Metadata:Gateway.AssertionAudience"] = OrdersAudience,

        ["ReverseProxy:Routes:bearer:ClusterId"] = "backend",
        ["ReverseProxy:Routes:bearer:Match:Path"] = "/bearer/{**rest}",
        ["ReverseProxy:Routes:bearer:Metadata:Gateway.Bearer"] = "true",
        ["ReverseProxy:Routes:bearer:Metadata:Gateway.Assertion"] = "true",
    };
}

public sealed class AssertionTests : GatewayTest<AssertionGatewayFixture>
{
    private const string Header = "X-Gateway-Assertion";

    public AssertionTests(AssertionGatewayFixture fx)
        : base(fx)
    {
    }

    private string Origin => Fx.Gateway.Url;

    private JwksVerifier Verifier(string? audience = null) => new(Origin + "/.well-known/gateway/jwks.json", Origin, audience ?? Origin);

    private async Task<string> AssertionReceivedAsync(string path)
    {
        var hop = await Browser.NavigateOnceAsync(path);
        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{Fx.Gateway.Logs.Dump()}");
        return Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo(path), Header));
    }

    [Fact]
    public async Task Assertion_SignedInUser_VerifiedByCodeThatKnowsOnlyTheJwksUrl()
    {
        await Browser.SignInAsync("/assert/start");

        var token = await AssertionReceivedAsync("/assert/page");

        var result = await Verifier().VerifyAsync(token);
        Assert.True(result.IsValid, result.Exception?.ToString());
        var (header, payload) = JwksVerifier.Decode(token);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Contains(header.GetProperty("kid").GetString(), await Verifier().KeyIdsAsync());
        var user = TestUser.Default;
        Assert.Equal(Origin, payload.GetProperty("iss").GetString());
        Assert.Equal(Origin, payload.GetProperty("aud").GetString());
        Assert.Equal(user.Sub, payload.GetProperty("sub").GetString());
        Assert.Equal(user.Email, payload.GetProperty("email").GetString());
        Assert.Equal(user.Username, payload.GetProperty("cognito:username").GetString());
        Assert.Equal(user.Groups, payload.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.False(payload.TryGetProperty("identity_provider", out _));
        Assert.Equal(60, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("jti").GetString()));
    }

    [Fact]
    public async Task Assertion_Jwks_PublishedAtWellKnownAndUnderBasePath_AnonymousAndCacheable()
    {
        using var client = new HttpClient();
        using var wellKnown = await client.GetAsync(Origin + "/.well-known/gateway/jwks.json");
        using var underBase = await client.GetAsync(Origin + "/oauth2/jwks.json");

        Assert.Equal(HttpStatusCode.OK, wellKnown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, underBase.StatusCode);
        Assert.Equal("application/json", wellKnown.Content.Headers.ContentType?.MediaType);
        Assert.True(wellKnown.Headers.CacheControl is { Public: true, MaxAge: { } maxAge } && maxAge > TimeSpan.Zero && maxAge <= TimeSpan.FromMinutes(5),
            wellKnown.Headers.CacheControl?.ToString());
        var keys = new JsonWebKeySet(await wellKnown.Content.ReadAsStringAsync()).Keys;
        var key = Assert.Single(keys);
        Assert.Equal(("EC", "P-256", "ES256", "sig"), (key.Kty, key.Crv, key.Alg, key.Use));
        Assert.False(key.HasPrivateKey);
        Assert.Equal(await wellKnown.Content.ReadAsStringAsync(), await underBase.Content.ReadAsStringAsync());
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task Assertion_RouteAudience_IsTheRoutesAndOtherAudiencesRefuseIt()
    {
        await Browser.SignInAsync("/assert/start");

        var token = await AssertionReceivedAsync("/orders/list");

        Assert.True((await Verifier(AssertionGatewayFixture.OrdersAudience).VerifyAsync(token)).IsValid);
        var elsewhere = await Verifier().VerifyAsync(token);
        Assert.False(elsewhere.IsValid);
        Assert.IsType<SecurityTokenInvalidAudienceException>(elsewhere.Exception);
    }

    [Fact]
    public async Task Assertion_SameSession_ReusedWithinItsLifetimeNotSignedPerRequest()
    {
        await Browser.SignInAsync("/assert/start");

        var first = await AssertionReceivedAsync("/assert/one");
        var second = await AssertionReceivedAsync("/assert/two");

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Assertion_ForgedOrReplayedAfterExpiry_FailsVerification()
    {
        await Browser.SignInAsync("/assert/start");
        var token = await AssertionReceivedAsync("/assert/page");
        var parts = token.Split('.');
        var verifier = Verifier();

        // Another user's sub under the gateway's signature.
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(TestUser.Default.Sub, TestUser.NoGroups.Sub, StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        Assert.IsType<SecurityTokenInvalidSignatureException>((await verifier.VerifyAsync(tampered)).Exception);

        // The same claims and kid, signed with an attacker's own P-256 key.
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = attacker.SignData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), HashAlgorithmName.SHA256);
        var forged = $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}";
        Assert.IsType<SecurityTokenInvalidSignatureException>((await verifier.VerifyAsync(forged)).Exception);

        // alg none with the original claims.
        var none = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""") + "." + parts[1] + ".";
        Assert.False((await verifier.VerifyAsync(none)).IsValid);

        // The genuine assertion, replayed once its lifetime is over.
        var exp = DateTimeOffset.FromUnixTimeSeconds(JwksVerifier.Decode(token).Payload.GetProperty("exp").GetInt64());
        Assert.True((await verifier.VerifyAsync(token, at: exp - TimeSpan.FromSeconds(10))).IsValid);
        Assert.IsType<SecurityTokenInvalidLifetimeException>((await verifier.VerifyAsync(token, at: exp + TimeSpan.FromSeconds(30))).Exception);
    }

    [Fact]
    public async Task Assertion_InboundCopies_StrippedOnEveryRoute()
    {
        const string Forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.";
        await Browser.SignInAsync("/assert/start");

        foreach (var path in new[] { "/public/x", "/open/x", "/plain/x", "/assert/x" })
        {
            var hop = await Browser.NavigateOnceAsync(path, r =>
            {
                r.Headers.TryAddWithoutValidation(Header, Forged);
                r.Headers.TryAddWithoutValidation("X_Gateway_Assertion", Forged);
            });
            Assert.Equal(HttpStatusCode.OK, hop.Status);
            var received = Fx.Backend.LastRequestTo(path);
            Assert.DoesNotContain(Forged, BackendStub.HeaderValues(received, Header));
            Assert.DoesNotContain(Forged, BackendStub.HeaderValues(received, "X_Gateway_Assertion"));
        }

        Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/assert/x"), Header));
        Assert.Empty(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/plain/x"), Header));
    }

    [Fact]
    public async Task Assertion_BearerCaller_GetsOneBuiltFromTheAccessTokensClaims()
    {
        var hop = await Browser.ApiGetAsync("/bearer/orders", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fx.Cognito.MintAccessToken()));

        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{Fx.Gateway.Logs.Dump()}");
        var token = Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/bearer/orders"), Header));
        Assert.True((await Verifier().VerifyAsync(token)).IsValid);
        var payload = JwksVerifier.Decode(token).Payload;
        Assert.Equal(TestUser.Default.Sub, payload.GetProperty("sub").GetString());
        Assert.Equal(TestUser.Default.Username, payload.GetProperty("cognito:username").GetString());
        Assert.Equal(TestUser.Default.Groups, payload.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        Assert.False(payload.TryGetProperty("email", out _));
    }
}
