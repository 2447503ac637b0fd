using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A standard OpenID Connect provider configured under Gateway:Oidc (not Cognito's dialect).</summary>
public sealed class OidcDialectFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Cognito:Authority"] = null,
        ["Gateway:Cognito:ClientId"] = null,
        ["Gateway:Oidc:Authority"] = Cognito.Authority,
        ["Gateway:Oidc:ClientId"] = FakeCognito.ClientId,
        ["Gateway:Oidc:ClientSecret"] = "oidc-secret",
        ["Gateway:Policies:admins:Groups:0"] = "admins",
    };
}

public sealed class OidcDialectTests : GatewayTest<OidcDialectFixture>
{
    public OidcDialectTests(OidcDialectFixture fx)
        : base(fx)
    {
        Fx.Cognito.CustomizeIdToken = (token, _) =>
        {
            token.Claims["preferred_username"] = "oidc-alice";
            token.Claims["groups"] = new[] { "admins", "readers" };
            token.Claims.Remove("token_use");
            token.Claims.Remove("cognito:groups");
            token.Claims.Remove("cognito:username");
        };
    }

    [Fact]
    public async Task OidcProvider_SignIn_BackendGetsStandardClaimsAsIdentityHeaders()
    {
        using var browser = Fx.NewBrowser();

        await browser.SignInAsync("/oidc/page?x=1");

        var request = Fx.Backend.LastRequestTo("/oidc/page");
        Assert.Equal(TestUser.Default.Sub, BackendStub.HeaderValues(request, "X-Forwarded-User").Single());
        Assert.Equal(TestUser.Default.Email, BackendStub.HeaderValues(request, "X-Forwarded-Email").Single());
        Assert.Equal("oidc-alice", BackendStub.HeaderValues(request, "X-Forwarded-Preferred-Username").Single());
        Assert.Equal("admins,readers", BackendStub.HeaderValues(request, "X-Forwarded-Groups").Single());
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/admin/reports")).Status);
    }

    [Fact]
    public async Task OidcProvider_SignOut_UsesRpInitiatedLogoutWithIdTokenHint()
    {
        using var browser = Fx.NewBrowser();
        await browser.SignInAsync();
        var idToken = Fx.Cognito.IssuedIdTokens.Last();

        var hop = await browser.SignOutAsync();

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.StartsWith(Fx.Cognito.LogoutEndpoint + "?", hop.Location!.ToString(), StringComparison.Ordinal);
        var query = TestBrowser.Query(hop.Location!);
        Assert.Equal(idToken, query["id_token_hint"]);
        Assert.Equal(Fx.Gateway.Url + "/", query["post_logout_redirect_uri"]);
        Assert.DoesNotContain("logout_uri", query.Keys);
        var revoke = Assert.Single(Fx.Cognito.RequestsTo("/oauth2/revoke"));
        Assert.Equal(Fx.Cognito.IssuedRefreshTokens.Last(), FakeCognito.ParseForm(revoke)["token"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ApiGetAsync("/after")).Status);
    }
}
