using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Routes that accept Cognito access tokens, one that forwards the token, and one that does not accept bearer tokens.</summary>
public sealed class BearerGatewayFixture : GatewayFixture
{
    public const string SecondClientId = "second-app-client-id";

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Bearer:AllowedClientIds:0"] = FakeCognito.ClientId,
        ["Gateway:Bearer:AllowedClientIds:1"] = SecondClientId,
        ["Gateway:Policies:orders:Scopes:0"] = "orders/read",
        ["Gateway:Policies:orders:Groups:0"] = "staff",

        ["ReverseProxy:Routes:bearer:ClusterId"] = "backend",
        ["ReverseProxy:Routes:bearer:Match:Path"] = "/bearer/{**rest}",
        ["ReverseProxy:Routes:bearer:Metadata:Gateway.Bearer"] = "true",

        ["ReverseProxy:Routes:scoped:ClusterId"] = "backend",
        ["ReverseProxy:Routes:scoped:Match:Path"] = "/scoped/{**rest}",
        ["ReverseProxy:Routes:scoped:AuthorizationPolicy"] = "orders",
        ["ReverseProxy:Routes:scoped:Metadata:Gateway.Bearer"] = "true",

        ["ReverseProxy:Routes:token:ClusterId"] = "backend",
        ["ReverseProxy:Routes:token:Match:Path"] = "/token/{**rest}",
        ["ReverseProxy:Routes:token:Metadata:Gateway.Bearer"] = "true",
        ["ReverseProxy:Routes:token:Metadata:Gateway.ForwardToken"] = "Access",

        ["ReverseProxy:Routes:bearer-open:ClusterId"] = "backend",
        ["ReverseProxy:Routes:bearer-open:Match:Path"] = "/bearer-open/{**rest}",
        ["ReverseProxy:Routes:bearer-open:Metadata:Gateway.Bearer"] = "true",
        ["ReverseProxy:Routes:bearer-open:Metadata:Gateway.Unauthenticated"] = "Allow",
    };
}

public sealed class BearerTokenTests : GatewayTest<BearerGatewayFixture>
{
    public BearerTokenTests(BearerGatewayFixture fx)
        : base(fx)
    {
    }

    private Task<Hop> CallAsync(string path, string token, Action<HttpRequestMessage>? customize = null) =>
        Browser.ApiGetAsync(path, r =>
        {
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            customize?.Invoke(r);
        });

    [Fact]
    public async Task Bearer_ValidAccessToken_ProxiedWithSameIdentityHeadersAsSession()
    {
        var hop = await CallAsync("/bearer/orders", Fx.Cognito.MintAccessToken());

        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{hop.Body}\n{Fx.Gateway.Logs.Dump()}");
        var received = Fx.Backend.LastRequestTo("/bearer/orders");
        var user = TestUser.Default;
        Assert.Equal([user.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.Equal([user.Username], BackendStub.HeaderValues(received, "X-Forwarded-Preferred-Username"));
        Assert.Equal([string.Join(',', user.Groups)], BackendStub.HeaderValues(received, "X-Forwarded-Groups"));
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-Email"));
        Assert.Empty(BackendStub.HeaderValues(received, "Authorization"));
    }

    [Fact]
    public async Task Bearer_TokenOfSecondAllowedClient_IsAccepted()
    {
        var token = Fx.Cognito.MintAccessToken(t => t.Claims["client_id"] = BearerGatewayFixture.SecondClientId);

        var hop = await CallAsync("/bearer/x", token);

        Assert.Equal(HttpStatusCode.OK, hop.Status);
    }

    [Fact]
    public async Task Bearer_TokenSignedWithRotatedKey_IsAcceptedAfterJwksRefetch()
    {
        Assert.Equal(HttpStatusCode.OK, (await CallAsync("/bearer/warm", Fx.Cognito.MintAccessToken())).Status);
        using var rotated = TestSigningKey.Create("rotated-" + Guid.NewGuid().ToString("N")[..8]);
        Fx.Cognito.PublishKeys(Fx.Cognito.PrimaryKey, rotated);

        var hop = await CallAsync("/bearer/rotated", Fx.Cognito.MintAccessToken(t => t.SigningKey = rotated));

        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{hop.Body}\n{Fx.Gateway.Logs.Dump()}");
    }

    public static TheoryData<string, string> RefusedTokens => new()
    {
        { "Expired", "expired" },
        { "WrongPoolIssuer", "iss" },
        { "WrongPoolKey", "key this user pool does not publish" },
        { "WrongClientId", "client_id" },
        { "NoClientId", "client_id" },
        { "IdToken", "token_use" },
        { "TamperedPayload", "signature" },
        { "AlgNone", "RS256" },
        { "NotAJwt", "well-formed" },
        { "NoExpiry", "exp" },
    };

    private string Spoil(string kind)
    {
        var cognito = Fx.Cognito;
        switch (kind)
        {
            case "Expired":
                return cognito.MintAccessToken(t =>
                {
                    t.Claims["iat"] = TestTokens.UnixTime(DateTimeOffset.UtcNow.AddHours(-2));
                    t.Claims["exp"] = TestTokens.UnixTime(DateTimeOffset.UtcNow.AddMinutes(-5));
                });
            case "WrongPoolIssuer":
                return cognito.MintAccessToken(t => t.Claims["iss"] = $"{cognito.Url}/us-east-1_OtherPool");
            case "WrongPoolKey":
                return cognito.MintAccessToken(t => t.SigningKey = cognito.OtherKey);
            case "WrongClientId":
                return cognito.MintAccessToken(t => t.Claims["client_id"] = "some-other-client");
            case "NoClientId":
                return cognito.MintAccessToken(t => t.Claims.Remove("client_id"));
            case "IdToken":
                return cognito.MintIdToken();
            case "TamperedPayload":
            {
                var parts = cognito.MintAccessToken().Split('.');
                var forged = cognito.MintAccessToken(t => t.Claims["cognito:groups"] = new[] { "admins", "root" }).Split('.');
                return parts[0] + "." + forged[1] + "." + parts[2][..^4] + (parts[2][^4..] == "AAAA" ? "BBBB" : "AAAA");
            }

            case "AlgNone":
                return cognito.MintAccessToken(t => t.Algorithm = "none");
            case "NotAJwt":
                return "not-a-jwt";
            case "NoExpiry":
                return cognito.MintAccessToken(t => t.Claims.Remove("exp"));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Bearer_RefusedToken_Gets401JsonWithInvalidTokenChallenge(string kind, string descriptionFragment)
    {
        var token = Spoil(kind);

        var hop = await CallAsync("/bearer/x", token);

        Assert.True(hop.Status == HttpStatusCode.Unauthorized, $"{kind}: {hop}\n{hop.Body}\n{Fx.Gateway.Logs.Dump()}");
        Assert.Equal("application/json", TestBrowser.MediaType(hop));
        var challenge = Assert.Single(hop.Response.Headers.WwwAuthenticate).ToString();
        Assert.StartsWith("Bearer ", challenge);
        Assert.Contains("error=\"invalid_token\"", challenge);
        Assert.Contains("error_description=\"", challenge);
        Assert.Contains(descriptionFragment, challenge, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, challenge);
        Assert.DoesNotContain(token, hop.Body);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/bearer/x");
    }

    [Fact]
    public async Task Bearer_RefusedToken_IsNotLogged()
    {
        var token = Spoil("WrongClientId");

        await CallAsync("/bearer/x", token);

        Assert.DoesNotContain(Fx.Gateway.Logs.Lines, l => l.Contains(token.Split('.')[1], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bearer_RefusedTokenOnAllowRoute_Gets401()
    {
        var hop = await CallAsync("/bearer-open/x", Spoil("Expired"));

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Contains("invalid_token", hop.Response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Bearer_ScopePresent_IsProxied()
    {
        var hop = await CallAsync("/scoped/list", Fx.Cognito.MintAccessToken(scope: "openid orders/read"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
    }

    [Fact]
    public async Task Bearer_ScopeMissing_Gets403InsufficientScope()
    {
        var hop = await CallAsync("/scoped/list", Fx.Cognito.MintAccessToken(scope: "openid orders/write"));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Equal("application/json", TestBrowser.MediaType(hop));
        var challenge = hop.Response.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains("orders/read", challenge);
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/scoped/list");
    }

    [Fact]
    public async Task Bearer_ScopeOkButGroupMissing_Gets403()
    {
        Fx.Cognito.User = TestUser.Default with { Groups = ["contractors"] };

        var hop = await CallAsync("/scoped/list", Fx.Cognito.MintAccessToken(scope: "orders/read"));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
    }

    [Fact]
    public async Task Bearer_OnRouteWithoutBearer_IsIgnoredAndNotForwarded()
    {
        var hop = await CallAsync("/protected/x", Fx.Cognito.MintAccessToken());

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.DoesNotContain("Bearer", hop.Response.Headers.WwwAuthenticate.ToString());
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task Bearer_NoCredentialsOnBearerRoute_Gets401AdvertisingBothChallenges()
    {
        var hop = await Browser.ApiGetAsync("/bearer/x");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        var challenges = hop.Response.Headers.WwwAuthenticate.Select(h => h.Scheme).ToList();
        Assert.Contains("Bearer", challenges);
        Assert.Contains("Cookie", challenges);
    }

    [Fact]
    public async Task Bearer_SessionStillWorksOnBearerRoute()
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/bearer/with-session");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal([TestUser.Default.Email], BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/bearer/with-session"), "X-Forwarded-Email"));
    }

    [Fact]
    public async Task ForwardToken_BearerCaller_BackendGetsTheCallersToken()
    {
        var token = Fx.Cognito.MintAccessToken();

        var hop = await CallAsync("/token/x", token);

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(["Bearer " + token], BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/token/x"), "Authorization"));
    }

    [Fact]
    public async Task ForwardToken_SessionCaller_BackendGetsTheSessionsAccessToken()
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/token/from-session", r => r.Headers.TryAddWithoutValidation("Authorization", "Basic Zm9yZ2VkOng="));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var authorization = Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/token/from-session"), "Authorization"));
        Assert.StartsWith("Bearer ey", authorization);
        var payload = authorization["Bearer ".Length..].Split('.')[1];
        var json = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight((payload.Length + 3) / 4 * 4, '=')));
        Assert.Contains("\"token_use\":\"access\"", json);
    }
}
