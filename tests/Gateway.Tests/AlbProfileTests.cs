using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A route with the ALB header profile, the load balancer ARN its app expects, and a bearer route with the same profile.</summary>
public sealed class AlbGatewayFixture : GatewayFixture
{
    public const string Signer = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/legacy-alb/50dc6c495c0c9188";

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Alb:Signer"] = Signer,

        ["ReverseProxy:Routes:alb:ClusterId"] = "backend",
        ["ReverseProxy:Routes:alb:Match:Path"] = "/alb/{**rest}",
        ["ReverseProxy:Routes:alb:Metadata:Gateway.HeaderProfile"] = "Alb",

        ["ReverseProxy:Routes:alb-api:ClusterId"] = "backend",
        ["ReverseProxy:Routes:alb-api:Match:Path"] = "/alb-api/{**rest}",
        ["ReverseProxy:Routes:alb-api:Metadata:Gateway.HeaderProfile"] = "Alb",
        ["ReverseProxy:Routes:alb-api:Metadata:Gateway.Bearer"] = "true",
    };
}

/// <summary>
/// The ALB profile, checked as an app written for an AWS ALB checks it: AWS's published recipe (decode the JWT header,
/// check <c>signer</c>, fetch the PEM public key by <c>kid</c>, verify ES256 and <c>exp</c>), with nothing of the gateway
/// but the URL that replaces <c>https://public-keys.auth.elb.REGION.amazonaws.com</c>.
/// </summary>
public sealed class AlbProfileTests : GatewayTest<AlbGatewayFixture>
{
    public AlbProfileTests(AlbGatewayFixture fx)
        : base(fx)
    {
    }

    private string KeyBaseUrl => Fx.Gateway.Url + "/oauth2/alb-keys/";

    /// <summary>ALB's segments are base64url WITH padding; a plain base64 decoder (as in AWS's sample) reads them after the alphabet swap.</summary>
    private static byte[] Segment(string value)
    {
        Assert.True(value.Length % 4 == 0, $"segment not padded: {value}");
        return Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/'));
    }

    /// <summary>The recipe: header → signer and kid, PEM from the key URL, ES256 over the (padded) signing input, exp; returns header and payload.</summary>
    private async Task<(JsonElement Header, JsonElement Payload)> VerifyLikeAnAlbAppAsync(string data, string expectedSigner)
    {
        var parts = data.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(Segment(parts[0])).RootElement.Clone();
        Assert.Equal(expectedSigner, header.GetProperty("signer").GetString());
        var kid = header.GetProperty("kid").GetString()!;

        using var http = new HttpClient();
        var pem = await http.GetStringAsync(KeyBaseUrl + kid);
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        Assert.Equal(256, key.KeySize);
        var signed = key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Segment(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.True(signed, "ES256 signature does not verify with the PEM of its kid");

        var payload = JsonDocument.Parse(Segment(parts[1])).RootElement.Clone();
        Assert.True(DateTimeOffset.FromUnixTimeSeconds(payload.GetProperty("exp").GetInt64()) > DateTimeOffset.UtcNow, "expired");
        return (header, payload);
    }

    [Fact]
    public async Task AlbProfile_SignedInUser_GetsExactlyTheThreeAlbHeaders_FieldByField()
    {
        await Browser.SignInAsync("/alb/start");

        var hop = await Browser.NavigateOnceAsync("/alb/page");

        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{Fx.Gateway.Logs.Dump()}");
        var received = Fx.Backend.LastRequestTo("/alb/page");
        var user = TestUser.Default;
        Assert.Equal([user.Sub], BackendStub.HeaderValues(received, "x-amzn-oidc-identity"));

        var accessToken = Assert.Single(BackendStub.HeaderValues(received, "x-amzn-oidc-accesstoken"));
        var accessClaims = JwksVerifier.Decode(accessToken).Payload;
        Assert.Equal("access", accessClaims.GetProperty("token_use").GetString());
        Assert.Equal(user.Sub, accessClaims.GetProperty("sub").GetString());

        var data = Assert.Single(BackendStub.HeaderValues(received, "x-amzn-oidc-data"));
        var (header, payload) = await VerifyLikeAnAlbAppAsync(data, AlbGatewayFixture.Signer);
        var issuer = Fx.Cognito.Authority.TrimEnd('/');
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal(issuer, header.GetProperty("iss").GetString());
        Assert.Equal(FakeCognito.ClientId, header.GetProperty("client").GetString());
        var exp = header.GetProperty("exp").GetInt64();
        Assert.InRange(exp - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 1, 61);
        Assert.Equal(user.Sub, payload.GetProperty("sub").GetString());
        Assert.Equal(user.Email, payload.GetProperty("email").GetString());
        Assert.Equal("true", payload.GetProperty("email_verified").GetString());
        Assert.Equal(user.Username, payload.GetProperty("username").GetString());
        Assert.Equal(exp, payload.GetProperty("exp").GetInt64());
        Assert.Equal(issuer, payload.GetProperty("iss").GetString());

        // Instead of, not besides, the gateway's identity headers.
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-Email"));
    }

    [Fact]
    public async Task AlbProfile_TamperedDataOrUnknownKid_FailsTheRecipe()
    {
        await Browser.SignInAsync("/alb/start");
        await Browser.NavigateOnceAsync("/alb/page");
        var data = Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/alb/page"), "x-amzn-oidc-data"));
        var parts = data.Split('.');

        var payload = Encoding.UTF8.GetString(Segment(parts[1])).Replace(TestUser.Default.Sub, TestUser.NoGroups.Sub, StringComparison.Ordinal);
        var tampered = parts[0] + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).Replace('+', '-').Replace('/', '_') + "." + parts[2];
        await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => VerifyLikeAnAlbAppAsync(tampered, AlbGatewayFixture.Signer));
        await Assert.ThrowsAsync<Xunit.Sdk.EqualException>(() => VerifyLikeAnAlbAppAsync(data, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/other/1"));

        using var http = new HttpClient();
        using var unknown = await http.GetAsync(KeyBaseUrl + "c2f80c8b-c05c-4068-af14-17299f7896b1");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task AlbProfile_InboundAmznHeaders_ReplacedByTheGatewaysOwn()
    {
        await Browser.SignInAsync("/alb/start");

        var hop = await Browser.NavigateOnceAsync("/alb/page", r =>
        {
            r.Headers.TryAddWithoutValidation("x-amzn-oidc-identity", "someone-else");
            r.Headers.TryAddWithoutValidation("x-amzn-oidc-data", "forged.forged.forged");
            r.Headers.TryAddWithoutValidation("x-amzn-oidc-accesstoken", "forged");
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/alb/page");
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "x-amzn-oidc-identity"));
        Assert.DoesNotContain("forged.forged.forged", BackendStub.HeaderValues(received, "x-amzn-oidc-data"));
        Assert.DoesNotContain("forged", BackendStub.HeaderValues(received, "x-amzn-oidc-accesstoken"));
    }

    [Fact]
    public async Task AlbProfile_BearerCaller_GetsItsOwnTokenAndSignedClaims()
    {
        var token = Fx.Cognito.MintAccessToken();

        var hop = await Browser.ApiGetAsync("/alb-api/orders", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token));

        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{Fx.Gateway.Logs.Dump()}");
        var received = Fx.Backend.LastRequestTo("/alb-api/orders");
        Assert.Equal([token], BackendStub.HeaderValues(received, "x-amzn-oidc-accesstoken"));
        var (_, payload) = await VerifyLikeAnAlbAppAsync(Assert.Single(BackendStub.HeaderValues(received, "x-amzn-oidc-data")), AlbGatewayFixture.Signer);
        Assert.Equal(TestUser.Default.Sub, payload.GetProperty("sub").GetString());
        Assert.Equal(TestUser.Default.Username, payload.GetProperty("username").GetString());
    }
}
