using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A gateway that trusts 127.0.0.1 as its proxy and accepts bearer tokens on /oauth2/auth.</summary>
public sealed class TrustedProxyGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:TrustedProxies:0"] = "127.0.0.1",
        ["Gateway:Bearer:ForwardAuth"] = "true",
        ["ReverseProxy:Routes:reports:ClusterId"] = "backend",
        ["ReverseProxy:Routes:reports:Match:Path"] = "/reports/{**rest}",
        ["ReverseProxy:Routes:reports:Match:Methods:0"] = "POST",
        ["ReverseProxy:Routes:reports:AuthorizationPolicy"] = "admins",
    };
}

/// <summary>Forward-auth when the caller is a trusted proxy: original URI and method pick the route's rules.</summary>
public sealed class ForwardAuthTrustedTests : GatewayTest<TrustedProxyGatewayFixture>
{
    public ForwardAuthTrustedTests(TrustedProxyGatewayFixture fx)
        : base(fx)
    {
    }

    private Task<Hop> AuthAsync(string query = "", string? originalUri = null, string? method = null, string? bearer = null) =>
        Browser.ApiGetAsync("/oauth2/auth" + query, r =>
        {
            if (originalUri is not null)
            {
                r.Headers.TryAddWithoutValidation("X-Forwarded-Uri", originalUri);
            }

            if (method is not null)
            {
                r.Headers.TryAddWithoutValidation("X-Forwarded-Method", method);
            }

            if (bearer is not null)
            {
                r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }
        });

    private static string? Header(Hop hop, string name) =>
        hop.Response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task ForwardAuth_WithSession_Answers202WithOauth2ProxyHeaders()
    {
        await Browser.SignInAsync();

        var hop = await AuthAsync();

        Assert.Equal(HttpStatusCode.Accepted, hop.Status);
        var user = TestUser.Default;
        Assert.Equal(user.Sub, Header(hop, "X-Auth-Request-User"));
        Assert.Equal(user.Email, Header(hop, "X-Auth-Request-Email"));
        Assert.Equal(string.Join(',', user.Groups), Header(hop, "X-Auth-Request-Groups"));
        Assert.Equal(user.Username, Header(hop, "X-Auth-Request-Preferred-Username"));
        Assert.Equal(user.Sub, Header(hop, "X-Forwarded-User"));
    }

    [Fact]
    public async Task ForwardAuth_WithoutSession_Answers401WithChallenge()
    {
        var hop = await AuthAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.NotEmpty(hop.Response.Headers.WwwAuthenticate);
        Assert.Null(Header(hop, "X-Auth-Request-User"));
    }

    [Fact]
    public async Task ForwardAuth_TrustedOriginalUriOfAnonymousRoute_Answers202WithoutIdentity()
    {
        var hop = await AuthAsync(originalUri: "/public/page?x=1");

        Assert.Equal(HttpStatusCode.Accepted, hop.Status);
        Assert.Null(Header(hop, "X-Auth-Request-User"));
    }

    [Fact]
    public async Task ForwardAuth_TrustedOriginalUriOfAdminRoute_UserOutsideGroupGets403()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await AuthAsync(originalUri: "/admin/x")).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await AuthAsync(originalUri: "/other/x")).Status);
    }

    [Fact]
    public async Task ForwardAuth_OriginalMethodSelectsRoute()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await AuthAsync(originalUri: "/reports/q1", method: "POST")).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await AuthAsync(originalUri: "/reports/q1", method: "GET")).Status);
    }

    [Fact]
    public async Task ForwardAuth_EncodedOriginalUri_IsDecodedBeforeMatching()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await AuthAsync(originalUri: "/%61dmin/x")).Status);
    }

    [Theory]
    [InlineData("/public/../admin/x")]
    [InlineData("/public/%2E%2e/admin/x")]
    [InlineData("//admin/x")]
    [InlineData("/public//../admin/x")]
    [InlineData("http://app.example.com/public/%2e%2e/admin/x?q=1")]
    public async Task ForwardAuth_OriginalUriIsCanonicalisedBeforeMatching(string originalUri)
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await AuthAsync(originalUri: originalUri)).Status);
    }

    [Theory]
    [InlineData("/admin;x/y")]
    [InlineData("/public/..;/admin/x")]
    [InlineData("/admin%2Fx")]
    [InlineData("/public/..%5Cadmin/x")]
    [InlineData("/admin./x")]
    [InlineData("/public/%C0%AE%C0%AE/admin/x")]
    [InlineData("/admin%00/x")]
    [InlineData("admin/x")]
    public async Task ForwardAuth_AmbiguousOriginalUri_Answers400Json(string originalUri)
    {
        var hop = await AuthAsync(originalUri: originalUri);

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        Assert.Equal("bad_path", TestBrowser.Json(hop).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("?allowed_groups=staff", HttpStatusCode.Accepted)]
    [InlineData("?allowed_groups=ops,staff", HttpStatusCode.Accepted)]
    [InlineData("?allowed_groups=ops", HttpStatusCode.Forbidden)]
    [InlineData("?policy=admins", HttpStatusCode.Forbidden)]
    [InlineData("?policy=admins&allowed_groups=staff", HttpStatusCode.Forbidden)]
    [InlineData("?policy=no-such-policy", HttpStatusCode.BadRequest)]
    [InlineData("?policy=anonymous", HttpStatusCode.BadRequest)]
    public async Task ForwardAuth_QuerySelectsRules(string query, HttpStatusCode expected)
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        var hop = await AuthAsync(query);

        Assert.Equal(expected, hop.Status);
    }

    [Fact]
    public async Task ForwardAuth_QueryPolicyMet_Answers202()
    {
        await Browser.SignInAsync();

        Assert.Equal(HttpStatusCode.Accepted, (await AuthAsync("?policy=admins")).Status);
    }

    [Fact]
    public async Task ForwardAuth_ValidBearerToken_Answers202WithSameHeadersButNoEmail()
    {
        var hop = await AuthAsync(bearer: Fx.Cognito.MintAccessToken());

        Assert.Equal(HttpStatusCode.Accepted, hop.Status);
        Assert.Equal(TestUser.Default.Sub, Header(hop, "X-Auth-Request-User"));
        Assert.Equal(TestUser.Default.Username, Header(hop, "X-Auth-Request-Preferred-Username"));
        Assert.Null(Header(hop, "X-Auth-Request-Email"));
    }

    [Fact]
    public async Task ForwardAuth_IdTokenAsBearer_Answers401InvalidToken()
    {
        var hop = await AuthAsync(bearer: Fx.Cognito.MintIdToken());

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Contains("invalid_token", hop.Response.Headers.WwwAuthenticate.ToString());
    }
}

/// <summary>Forward-auth from an address that is not a trusted proxy: original-request headers get 403, never a silently weaker rule.</summary>
public sealed class ForwardAuthUntrustedTests : IClassFixture<GatewayFixture>, IDisposable
{
    private readonly GatewayFixture _fx;
    private readonly TestBrowser _browser;

    public ForwardAuthUntrustedTests(GatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
        _browser = fx.NewBrowser();
    }

    public void Dispose() => _browser.Dispose();

    [Theory]
    [InlineData("X-Forwarded-Uri", "/public/x")]
    [InlineData("X-Original-URI", "/public/x")]
    [InlineData("X-Forwarded-Method", "OPTIONS")]
    public async Task ForwardAuth_OriginalRequestHeadersFromUntrustedCaller_Get403AndOneConfigurationError(string header, string value)
    {
        await _browser.SignInAsync();

        var first = await _browser.ApiGetAsync("/oauth2/auth", r => r.Headers.TryAddWithoutValidation(header, value));
        var second = await _browser.ApiGetAsync("/oauth2/auth", r => r.Headers.TryAddWithoutValidation(header, value));

        Assert.Equal(HttpStatusCode.Forbidden, first.Status);
        Assert.Equal(HttpStatusCode.Forbidden, second.Status);
        Assert.Equal("untrusted_proxy", TestBrowser.Json(first).RootElement.GetProperty("error").GetString());
        Assert.False(first.Response.Headers.Contains("X-Auth-Request-User"));
        // Once per address for the life of the process, however many requests (and test cases) come from it.
        var errors = _fx.Gateway.Logs.Lines.Where(l => l.Contains("Gateway:TrustedProxies", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, string.Join(Environment.NewLine, errors));
        Assert.StartsWith("Error", errors[0]);
        Assert.Contains("127.0.0.1", errors[0]);
    }

    [Fact]
    public async Task ForwardAuth_UntrustedCallerWithoutOriginalRequestHeaders_KeepsTheSignedInRule()
    {
        var anonymous = await _browser.ApiGetAsync("/oauth2/auth");
        await _browser.SignInAsync();

        var signedIn = await _browser.ApiGetAsync("/oauth2/auth");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Accepted, signedIn.Status);
    }

    [Fact]
    public async Task ForwardAuth_ForgedOriginalUriFromUntrustedCaller_CannotDodgeAdminPolicy()
    {
        _fx.Cognito.User = TestUser.NoGroups;
        await _browser.SignInAsync();

        var hop = await _browser.ApiGetAsync("/oauth2/auth?policy=admins", r => r.Headers.TryAddWithoutValidation("X-Forwarded-Uri", "/public/x"));

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
    }

    [Fact]
    public async Task ForwardAuth_BearerNotEnabled_IsIgnored()
    {
        var hop = await _browser.ApiGetAsync("/oauth2/auth", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _fx.Cognito.MintAccessToken()));

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.DoesNotContain("invalid_token", hop.Response.Headers.WwwAuthenticate.ToString());
    }
}
