using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Routes bound to a provider or an IdP identifier, and the names a sign-in link may pick.</summary>
public sealed class SignInHintGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Cognito:AllowedIdentityProviders:0"] = "Google",
        ["Gateway:Cognito:AllowedIdentityProviders:1"] = "CorpSAML",

        ["ReverseProxy:Routes:corp:ClusterId"] = "backend",
        ["ReverseProxy:Routes:corp:Match:Path"] = "/corp/{**rest}",
        ["ReverseProxy:Routes:corp:Metadata:Gateway.IdentityProvider"] = "CorpSAML",

        ["ReverseProxy:Routes:partner:ClusterId"] = "backend",
        ["ReverseProxy:Routes:partner:Match:Path"] = "/partner/{**rest}",
        ["ReverseProxy:Routes:partner:Metadata:Gateway.IdpIdentifier"] = "partner.example",
    };
}

/// <summary>What the authorize request to the hosted UI carries: identity_provider, idp_identifier, login_hint, lang, prompt.</summary>
public sealed class SignInHintTests : GatewayTest<SignInHintGatewayFixture>
{
    public SignInHintTests(SignInHintGatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>The query of the authorize URL the gateway redirects to for this navigation.</summary>
    private static async Task<Dictionary<string, string>> AuthorizeQueryAsync(TestBrowser browser, string path, FakeCognito cognito)
    {
        var hop = await browser.NavigateOnceAsync(path);
        Assert.True(hop.Status == HttpStatusCode.Found && hop.Location is not null, $"Expected a redirect to sign in: {hop}\n{hop.Body}");
        Assert.StartsWith(cognito.AuthorizationEndpoint, hop.Location!.AbsoluteUri, StringComparison.Ordinal);
        return TestBrowser.Query(hop.Location);
    }

    private Task<Dictionary<string, string>> AuthorizeQueryAsync(string path) => AuthorizeQueryAsync(Browser, path, Fx.Cognito);

    [Fact]
    public async Task PlainRoute_NoHintConfigured_SendsNoProviderHint()
    {
        var query = await AuthorizeQueryAsync("/plain");

        Assert.DoesNotContain("identity_provider", query.Keys);
        Assert.DoesNotContain("idp_identifier", query.Keys);
        Assert.DoesNotContain("login_hint", query.Keys);
        Assert.DoesNotContain("prompt", query.Keys);
    }

    [Fact]
    public async Task RouteBoundToProvider_SendsIdentityProvider_AndSignInCompletes()
    {
        var query = await AuthorizeQueryAsync("/corp/reports");

        Assert.Equal("CorpSAML", query["identity_provider"]);
        Assert.DoesNotContain("idp_identifier", query.Keys);

        // The whole round trip still works (the fake pool ignores the hint, as Cognito honours it).
        using var browser = Fx.NewBrowser();
        await browser.SignInAsync("/corp/reports");
    }

    [Fact]
    public async Task RouteWithIdpIdentifier_SendsIdpIdentifier()
    {
        var query = await AuthorizeQueryAsync("/partner/home");

        Assert.Equal("partner.example", query["idp_identifier"]);
        Assert.DoesNotContain("identity_provider", query.Keys);
    }

    [Fact]
    public async Task SignInLink_WithAllowedProvider_PassesItOn()
    {
        var query = await AuthorizeQueryAsync("/oauth2/sign_in?rd=%2Fhome&identity_provider=Google");

        Assert.Equal("Google", query["identity_provider"]);
    }

    [Fact]
    public async Task SignInLink_ReturningToBoundRoute_UsesThatRoutesProvider()
    {
        var query = await AuthorizeQueryAsync("/oauth2/sign_in?rd=%2Fcorp%2Fx%3Fa%3D1");

        Assert.Equal("CorpSAML", query["identity_provider"]);
    }

    [Fact]
    public async Task SignInLink_ExplicitProvider_WinsOverTheReturnRoutesProvider()
    {
        var query = await AuthorizeQueryAsync("/oauth2/sign_in?rd=%2Fcorp%2Fx&identity_provider=Google");

        Assert.Equal("Google", query["identity_provider"]);
    }

    [Theory]
    [InlineData("Evil")]
    [InlineData("google")]
    [InlineData("COGNITO")]
    [InlineData("Google%0d%0aX-Injected:1")]
    public async Task SignInLink_ProviderNotAllowed_Gets400Page(string provider)
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/sign_in?identity_provider=" + provider);

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Contains("unknown_identity_provider", hop.Body, StringComparison.Ordinal);
        Assert.Null(hop.Location);
        Assert.Empty(Fx.Cognito.RequestsTo("/oauth2/authorize"));
    }

    [Fact]
    public async Task SignInLink_ProviderGivenTwice_Gets400()
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/sign_in?identity_provider=Google&identity_provider=CorpSAML");

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
    }

    [Fact]
    public async Task SignInLink_LoginHintLangAndPrompt_ArePassedOn()
    {
        var query = await AuthorizeQueryAsync("/oauth2/sign_in?login_hint=jdoe%40corp.example&lang=pt-BR&prompt=login");

        Assert.Equal("jdoe@corp.example", query["login_hint"]);
        Assert.Equal("pt-BR", query["lang"]);
        Assert.Equal("login", query["prompt"]);
    }

    [Theory]
    [InlineData("login_hint=a%0d%0ab", "invalid_login_hint")]
    [InlineData("login_hint=%C3%A9l%C3%A8ve%40example.com", "invalid_login_hint")]
    [InlineData("login_hint=%20padded", "invalid_login_hint")]
    [InlineData("lang=en_US", "invalid_lang")]
    [InlineData("lang=%3Cscript%3E", "invalid_lang")]
    [InlineData("lang=english-language-please", "invalid_lang")]
    [InlineData("prompt=none", "invalid_prompt")]
    [InlineData("prompt=login%20consent", "invalid_prompt")]
    public async Task SignInLink_InvalidHint_Gets400Page(string parameter, string code)
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/sign_in?rd=%2Fhome&" + parameter);

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        PageAssert.Is4xxHtmlPage(hop, Fx.Gateway);
        Assert.Contains(code, hop.Body, StringComparison.Ordinal);
        Assert.Contains("sign_in?rd=%2Fhome", hop.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInLink_LoginHintOfMaximumLength_IsAccepted_OneMoreIsNot()
    {
        var longest = new string('a', 242) + "@example.com";
        Assert.Equal(254, longest.Length);

        var query = await AuthorizeQueryAsync("/oauth2/sign_in?login_hint=" + Uri.EscapeDataString(longest));
        var tooLong = await Browser.NavigateOnceAsync("/oauth2/sign_in?login_hint=" + Uri.EscapeDataString(longest + "x"));

        Assert.Equal(longest, query["login_hint"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.Status);
    }

    [Fact]
    public async Task SignInLink_InvalidHint_LogsOnlyTheParameterName()
    {
        await Browser.NavigateOnceAsync("/oauth2/sign_in?login_hint=secret.person%40example.com%0a");

        var lines = Fx.Gateway.Logs.Lines;
        Assert.Contains(lines, l => l.Contains("Refused a sign-in link: its login_hint parameter", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("secret.person", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GlobalIdentityProvider_SentOnEverySignIn_RouteMetadataOverridesIt()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Cognito:IdentityProvider"] = "Google",
            ["ReverseProxy:Routes:corp:ClusterId"] = "backend",
            ["ReverseProxy:Routes:corp:Match:Path"] = "/corp/{**rest}",
            ["ReverseProxy:Routes:corp:Metadata:Gateway.IdentityProvider"] = "CorpSAML",
            ["ReverseProxy:Routes:partner:ClusterId"] = "backend",
            ["ReverseProxy:Routes:partner:Match:Path"] = "/partner/{**rest}",
            ["ReverseProxy:Routes:partner:Metadata:Gateway.IdpIdentifier"] = "partner.example",
        });
        using var browser = new TestBrowser(host);

        var plain = await AuthorizeQueryAsync(browser, "/anything", Fx.Cognito);
        var signIn = await AuthorizeQueryAsync(browser, "/oauth2/sign_in", Fx.Cognito);
        var corp = await AuthorizeQueryAsync(browser, "/corp/x", Fx.Cognito);
        var partner = await AuthorizeQueryAsync(browser, "/partner/x", Fx.Cognito);

        Assert.Equal("Google", plain["identity_provider"]);
        Assert.Equal("Google", signIn["identity_provider"]);
        Assert.Equal("CorpSAML", corp["identity_provider"]);
        Assert.Equal("partner.example", partner["idp_identifier"]);
        Assert.DoesNotContain("identity_provider", partner.Keys);

        // Not listed in AllowedIdentityProviders (none are): a link cannot name even the configured default.
        var picked = await browser.NavigateOnceAsync("/oauth2/sign_in?identity_provider=Google");
        Assert.Equal(HttpStatusCode.BadRequest, picked.Status);
    }

    [Fact]
    public async Task GlobalIdpIdentifier_SentOnEverySignIn()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Cognito:IdpIdentifier"] = "corp.example",
        });
        using var browser = new TestBrowser(host);

        var query = await AuthorizeQueryAsync(browser, "/anything", Fx.Cognito);

        Assert.Equal("corp.example", query["idp_identifier"]);
        Assert.DoesNotContain("identity_provider", query.Keys);
    }
}
