using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>A pool with federated users: Google's addresses are trusted, policies on the automatic group, a domain and MFA.</summary>
public sealed class FederationGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Cognito:TrustedEmailProviders:0"] = "Google",
        ["Gateway:TrustedProxies:0"] = "127.0.0.1",
        ["Gateway:IdentityHeaders:X-Forwarded-Amr"] = "amr",
        ["Gateway:IdentityHeaders:X-Forwarded-Acr"] = "acr",

        ["Gateway:Policies:google-group:Groups:0"] = FederatedUsers.AutomaticGroup("Google"),
        ["Gateway:Policies:gmail:EmailDomains:0"] = "gmail.example",
        ["Gateway:Policies:corp:EmailDomains:0"] = "corp.example",
        ["Gateway:Policies:mfa:Claims:amr:0"] = "mfa",

        ["ReverseProxy:Routes:google-group:ClusterId"] = "backend",
        ["ReverseProxy:Routes:google-group:Match:Path"] = "/google-group/{**rest}",
        ["ReverseProxy:Routes:google-group:AuthorizationPolicy"] = "google-group",

        ["ReverseProxy:Routes:gmail:ClusterId"] = "backend",
        ["ReverseProxy:Routes:gmail:Match:Path"] = "/gmail/{**rest}",
        ["ReverseProxy:Routes:gmail:AuthorizationPolicy"] = "gmail",

        ["ReverseProxy:Routes:corp:ClusterId"] = "backend",
        ["ReverseProxy:Routes:corp:Match:Path"] = "/corp/{**rest}",
        ["ReverseProxy:Routes:corp:AuthorizationPolicy"] = "corp",

        ["ReverseProxy:Routes:mfa:ClusterId"] = "backend",
        ["ReverseProxy:Routes:mfa:Match:Path"] = "/mfa/{**rest}",
        ["ReverseProxy:Routes:mfa:AuthorizationPolicy"] = "mfa",

        ["ReverseProxy:Routes:bearer:ClusterId"] = "backend",
        ["ReverseProxy:Routes:bearer:Match:Path"] = "/bearer/{**rest}",
        ["ReverseProxy:Routes:bearer:Metadata:Gateway.Bearer"] = "true",
    };
}

/// <summary>Users who come through Google or a corporate SAML IdP via the pool, as Cognito really shapes them.</summary>
public sealed class FederationTests : GatewayTest<FederationGatewayFixture>
{
    private const string ProviderHeader = "X-Forwarded-Identity-Provider";

    public FederationTests(FederationGatewayFixture fx)
        : base(fx)
    {
    }

    private static IReadOnlyList<string> Received(BackendStub backend, string path, string header) =>
        BackendStub.HeaderValues(backend.LastRequestTo(path), header);

    private static string? Header(Hop hop, string name) =>
        hop.Response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task GoogleUser_SignIn_BackendGetsProviderNameGroupsWithoutAutomaticGroupAndTrustedEmail()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.Google, "Google", "Google");

        await Browser.SignInAsync("/federated");

        Assert.Equal(["Google"], Received(Fx.Backend, "/federated", ProviderHeader));
        Assert.Equal(["staff"], Received(Fx.Backend, "/federated", "X-Forwarded-Groups"));
        Assert.Equal([FederatedUsers.Google.Username], Received(Fx.Backend, "/federated", "X-Forwarded-Preferred-Username"));
        // email_verified is false, but Google is listed in TrustedEmailProviders.
        Assert.Equal([FederatedUsers.Google.Email], Received(Fx.Backend, "/federated", "X-Forwarded-Email"));
    }

    [Fact]
    public async Task SamlUser_ProviderNotTrustedForEmail_EmailIsNotForwarded()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.CorpSaml, "CorpSAML");

        await Browser.SignInAsync("/saml");

        Assert.Equal(["CorpSAML"], Received(Fx.Backend, "/saml", ProviderHeader));
        Assert.Equal(["staff"], Received(Fx.Backend, "/saml", "X-Forwarded-Groups"));
        Assert.Empty(Received(Fx.Backend, "/saml", "X-Forwarded-Email"));
    }

    [Fact]
    public async Task PoolUser_HasNoProviderHeader_AndAForgedOneIsStripped()
    {
        await Browser.SignInAsync("/pool");

        var hop = await Browser.NavigateOnceAsync("/pool-again", r =>
        {
            r.Headers.TryAddWithoutValidation(ProviderHeader, "Google");
            r.Headers.TryAddWithoutValidation("X_Forwarded_Identity_Provider", "Google");
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(Received(Fx.Backend, "/pool-again", ProviderHeader));
        Assert.Equal([TestUser.Default.Email], Received(Fx.Backend, "/pool-again", "X-Forwarded-Email"));
    }

    [Fact]
    public async Task ForgedProviderHeader_OnAnonymousRoute_IsStripped()
    {
        var hop = await Browser.NavigateOnceAsync("/public/x", r => r.Headers.TryAddWithoutValidation(ProviderHeader, "Google"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(Received(Fx.Backend, "/public/x", ProviderHeader));
    }

    [Fact]
    public async Task IdentitiesSentAsOneJsonString_IsReadTheSameWay()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.CorpSaml, "CorpSAML", identitiesAsString: true);

        await Browser.SignInAsync("/as-string");

        Assert.Equal(["CorpSAML"], Received(Fx.Backend, "/as-string", ProviderHeader));
        Assert.Equal(["staff"], Received(Fx.Backend, "/as-string", "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task TwoLinkedIdentities_PrimaryOneNamesTheProvider_BothAutomaticGroupsLeftOut()
    {
        var user = FederatedUsers.CorpSaml with { Groups = ["staff", FederatedUsers.AutomaticGroup("CorpSAML"), FederatedUsers.AutomaticGroup("Google")] };
        Fx.Cognito.SignInFederated(user, "CorpSAML", customize: claims => claims["identities"] = new object[]
        {
            new Dictionary<string, object?> { ["userId"] = "g-1", ["providerName"] = "Google", ["providerType"] = "Google", ["primary"] = "false" },
            new Dictionary<string, object?> { ["userId"] = "jdoe", ["providerName"] = "CorpSAML", ["providerType"] = "SAML", ["primary"] = "true" },
        });

        await Browser.SignInAsync("/linked");

        Assert.Equal(["CorpSAML"], Received(Fx.Backend, "/linked", ProviderHeader));
        Assert.Equal(["staff"], Received(Fx.Backend, "/linked", "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task PoolGroupLookingLikeAnotherProvidersGroup_IsKept()
    {
        // Only the automatic groups of the user's own providers are left out, not every "{pool}_…" name.
        var user = FederatedUsers.CorpSaml with { Groups = ["staff", FederatedUsers.AutomaticGroup("CorpSAML"), FederatedUsers.AutomaticGroup("Other")] };
        Fx.Cognito.SignInFederated(user, "CorpSAML");

        await Browser.SignInAsync("/other-group");

        Assert.Equal(["staff," + FederatedUsers.AutomaticGroup("Other")], Received(Fx.Backend, "/other-group", "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task AutomaticGroup_IsNotUsableInGroupPolicies_ByDefault()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.Google, "Google", "Google");
        await Browser.SignInAsync("/first");

        var hop = await Browser.NavigateOnceAsync("/google-group/x");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
    }

    [Fact]
    public async Task EmailDomainPolicy_TrustedProviderWithUnverifiedEmail_IsAllowed()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.Google, "Google", "Google");
        await Browser.SignInAsync("/first");

        var hop = await Browser.NavigateOnceAsync("/gmail/inbox");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
    }

    [Fact]
    public async Task EmailDomainPolicy_UntrustedProviderWithUnverifiedEmail_IsForbidden()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.CorpSaml, "CorpSAML");
        await Browser.SignInAsync("/first");

        var hop = await Browser.NavigateOnceAsync("/corp/portal");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
    }

    [Fact]
    public async Task EmailDomainPolicy_PoolUserWithUnverifiedEmail_KeepsTodaysRule()
    {
        Fx.Cognito.User = FederatedUsers.CorpSaml with { Username = "jdoe", Groups = ["staff"] };
        Fx.Cognito.CustomizeIdToken = (request, _) => request.Claims["email_verified"] = false;
        await Browser.SignInAsync("/first");

        var hop = await Browser.NavigateOnceAsync("/corp/portal");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Empty(Received(Fx.Backend, "/first", "X-Forwarded-Email"));
    }

    [Fact]
    public async Task ForwardAuth_FederatedUser_AnswersWithProviderHeaderAndGroupsWithoutAutomaticGroup()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.Google, "Google", "Google");
        await Browser.SignInAsync("/first");

        var hop = await Browser.ApiGetAsync("/oauth2/auth");

        Assert.Equal(HttpStatusCode.Accepted, hop.Status);
        Assert.Equal("Google", Header(hop, ProviderHeader));
        Assert.Equal("staff", Header(hop, "X-Auth-Request-Groups"));
        Assert.Equal("staff", Header(hop, "X-Forwarded-Groups"));
        Assert.Equal(FederatedUsers.Google.Email, Header(hop, "X-Auth-Request-Email"));
    }

    [Fact]
    public async Task UserInfo_FederatedUser_ShowsProviderAndGroupsWithoutAutomaticGroup()
    {
        Fx.Cognito.SignInFederated(FederatedUsers.Google, "Google", "Google");
        await Browser.SignInAsync("/first");

        var hop = await Browser.ApiGetAsync("/oauth2/userinfo");

        using var json = TestBrowser.Json(hop);
        Assert.Equal("Google", json.RootElement.GetProperty("identity_provider").GetString());
        Assert.Equal(["staff"], json.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetString()!).ToArray());
    }

    [Fact]
    public async Task UserInfo_PoolUser_HasNoProviderField()
    {
        await Browser.SignInAsync("/first");

        using var json = TestBrowser.Json(await Browser.ApiGetAsync("/oauth2/userinfo"));

        Assert.False(json.RootElement.TryGetProperty("identity_provider", out _));
    }

    [Fact]
    public async Task AcrAndAmr_AreKept_MappedToHeadersAndUsableInClaimPolicies()
    {
        Fx.Cognito.CustomizeIdToken = (request, _) =>
        {
            request.Claims["acr"] = "urn:amazon:cognito:mfa";
            request.Claims["amr"] = new[] { "pwd", "mfa" };
        };
        await Browser.SignInAsync("/first");

        var hop = await Browser.NavigateOnceAsync("/mfa/settings");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(["urn:amazon:cognito:mfa"], Received(Fx.Backend, "/mfa/settings", "X-Forwarded-Acr"));
        Assert.Equal(["pwd,mfa"], Received(Fx.Backend, "/mfa/settings", "X-Forwarded-Amr"));
    }

    [Fact]
    public async Task AmrPolicy_UserWithoutMfa_IsForbidden()
    {
        Fx.Cognito.CustomizeIdToken = (request, _) => request.Claims["amr"] = new[] { "pwd" };
        await Browser.SignInAsync("/first");

        var hop = await Browser.NavigateOnceAsync("/mfa/settings");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
    }

    [Fact]
    public async Task Bearer_FederatedUsersAccessToken_GetsProviderHeaderAndGroupsWithoutAutomaticGroup()
    {
        Fx.Cognito.User = FederatedUsers.Google;

        var hop = await Browser.ApiGetAsync("/bearer/orders", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fx.Cognito.MintAccessToken()));

        Assert.True(hop.Status == HttpStatusCode.OK, $"{hop}\n{hop.Body}");
        Assert.Equal(["Google"], Received(Fx.Backend, "/bearer/orders", ProviderHeader));
        Assert.Equal(["staff"], Received(Fx.Backend, "/bearer/orders", "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task Bearer_PoolUserWithUnderscoreInName_IsNotTakenForAFederatedUser()
    {
        // A pool user "Google_fan" without the automatic group: no provider, groups untouched.
        Fx.Cognito.User = TestUser.Default with { Username = "Google_fan" };

        var hop = await Browser.ApiGetAsync("/bearer/orders", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Fx.Cognito.MintAccessToken()));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Empty(Received(Fx.Backend, "/bearer/orders", ProviderHeader));
        Assert.Equal([string.Join(',', TestUser.Default.Groups)], Received(Fx.Backend, "/bearer/orders", "X-Forwarded-Groups"));
    }

    [Fact]
    public async Task KeepProviderGroups_AutomaticGroupIsForwardedAndUsableInPolicies()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Cognito:KeepProviderGroups"] = "true",
            ["Gateway:Policies:google-group:Groups:0"] = FederatedUsers.AutomaticGroup("Google"),
            ["ReverseProxy:Routes:google-group:ClusterId"] = "backend",
            ["ReverseProxy:Routes:google-group:Match:Path"] = "/google-group/{**rest}",
            ["ReverseProxy:Routes:google-group:AuthorizationPolicy"] = "google-group",
        });
        using var browser = new TestBrowser(host);
        Fx.Cognito.SignInFederated(FederatedUsers.Google, "Google", "Google");
        await browser.SignInAsync("/first");

        var hop = await browser.NavigateOnceAsync("/google-group/x");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(["staff," + FederatedUsers.AutomaticGroup("Google")], Received(Fx.Backend, "/google-group/x", "X-Forwarded-Groups"));
        Assert.Equal(["Google"], Received(Fx.Backend, "/google-group/x", ProviderHeader));
        // Google is not trusted for email in this gateway: email_verified false keeps the address back.
        Assert.Empty(Received(Fx.Backend, "/google-group/x", "X-Forwarded-Email"));
    }

    [Fact]
    public async Task ProviderHeader_IsConfigurableLikeTheOtherIdentityHeaders()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:IdentityHeaders:X-Forwarded-Identity-Provider"] = "",
            ["Gateway:IdentityHeaders:X-Idp"] = "identity_provider",
        });
        using var browser = new TestBrowser(host);
        Fx.Cognito.SignInFederated(FederatedUsers.Google, "Google", "Google");

        await browser.SignInAsync("/renamed");

        Assert.Equal(["Google"], Received(Fx.Backend, "/renamed", "X-Idp"));
        Assert.Empty(Received(Fx.Backend, "/renamed", ProviderHeader));
    }

    [Fact]
    public async Task Refresh_FederatedUser_KeepsProviderAndLeavesAutomaticGroupOut()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, null, b => b.Services.AddSingleton<TimeProvider>(clock));
        using var browser = new TestBrowser(host);
        Fx.Cognito.SignInFederated(FederatedUsers.CorpSaml, "CorpSAML");
        await browser.SignInAsync("/first");

        // The refreshed ID token adds a group: proof that the session now holds the refreshed claims.
        var refreshed = FederatedUsers.CorpSaml with { Groups = ["staff", "approvers", FederatedUsers.AutomaticGroup("CorpSAML")] };
        Fx.Cognito.TokenResponder = request =>
        {
            if (FakeCognito.ParseForm(request).GetValueOrDefault("grant_type") != "refresh_token")
            {
                return null;
            }

            var idToken = Fx.Cognito.IdTokenRequest(refreshed, DateTimeOffset.UtcNow, nonce: null);
            FederatedUsers.AddFederatedClaims(idToken.Claims, refreshed, "CorpSAML");
            return FakeCognito.Json(200, new Dictionary<string, object>
            {
                ["id_token"] = TestTokens.Mint(idToken),
                ["access_token"] = TestTokens.Mint(Fx.Cognito.AccessTokenRequest(refreshed, DateTimeOffset.UtcNow, "openid email profile")),
                ["token_type"] = "Bearer",
                ["expires_in"] = 3600,
            });
        };
        clock.Advance(TimeSpan.FromMinutes(56));

        var hop = await browser.ApiGetAsync("/after-refresh");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(["staff,approvers"], Received(Fx.Backend, "/after-refresh", "X-Forwarded-Groups"));
        Assert.Equal(["CorpSAML"], Received(Fx.Backend, "/after-refresh", ProviderHeader));
    }

    [Fact]
    public async Task ForgedIdentityProviderClaimInToken_DoesNotPoseAsTheDerivedOne()
    {
        // A pool user whose token carries an identity_provider claim (e.g. from a pre-token-generation Lambda) but no identities.
        Fx.Cognito.CustomizeIdToken = (request, _) => request.Claims["identity_provider"] = "Google";
        await Browser.SignInAsync("/claimed");

        Assert.Empty(Received(Fx.Backend, "/claimed", ProviderHeader));
        using var json = TestBrowser.Json(await Browser.ApiGetAsync("/oauth2/userinfo"));
        Assert.False(json.RootElement.TryGetProperty("identity_provider", out _), json.RootElement.ToString());
    }
}
