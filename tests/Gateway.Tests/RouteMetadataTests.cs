using System.Net;
using Gateway.Hosting;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Start-up validation of the new policy keys, Gateway.* route metadata and Gateway:Bearer.</summary>
public sealed class RouteMetadataValidationTests
{
    private static Dictionary<string, string?> ValidConfig() => new()
    {
        ["Gateway:Cognito:Authority"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz",
        ["Gateway:Cognito:ClientId"] = "3n4b5urk1ft4fl3mg5e62d9ado",
        ["Gateway:Policies:eng:Claims:custom:department:0"] = "Engineering",
        ["Gateway:Policies:eng:EmailDomains:0"] = "example.com",
        ["Gateway:Policies:eng:RequireVerifiedEmail"] = "true",
        ["Gateway:Policies:api:Scopes:0"] = "orders/read",
        ["Gateway:Bearer:AllowedClientIds:0"] = "3n4b5urk1ft4fl3mg5e62d9ado",
        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
        ["ReverseProxy:Routes:app:AuthorizationPolicy"] = "eng",
        ["ReverseProxy:Routes:api:ClusterId"] = "backend",
        ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
        ["ReverseProxy:Routes:api:AuthorizationPolicy"] = "api",
        ["ReverseProxy:Routes:api:Metadata:Gateway.Bearer"] = "true",
        ["ReverseProxy:Routes:api:Metadata:Gateway.ForwardToken"] = "access",
        ["ReverseProxy:Routes:api:Metadata:Gateway.AllowCorsPreflight"] = "True",
        ["ReverseProxy:Routes:api:Metadata:Gateway.Unauthenticated"] = "deny",
        ["ReverseProxy:Routes:api:Metadata:Gateway.PreservePost"] = "False",
        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
    };

    private static Dictionary<string, string?> With(params (string Key, string? Value)[] changes)
    {
        var config = ValidConfig();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                config.Remove(key);
            }
            else
            {
                config[key] = value;
            }
        }

        return config;
    }

    [Fact]
    public async Task Startup_AllNewKeysAndMetadataValues_Builds()
    {
        await StartupAssert.StartsAndAnswersAsync(ValidConfig());
    }

    [Fact]
    public async Task Startup_ShippedCognitoExampleConfig_Builds()
    {
        var path = RepositoryFiles.Find(Path.Combine("appsettings", "cognito.example.json"));

        await StartupAssert.StartsAndAnswersAsync(["--config", path], new Dictionary<string, string?>());
    }

    public static TheoryData<string, string?, string> Broken => new()
    {
        { "ReverseProxy:Routes:api:Metadata:Gateway.Bearer", "yes", "ReverseProxy:Routes:api:Metadata:Gateway.Bearer must be true or false" },
        { "ReverseProxy:Routes:api:Metadata:Gateway.ForwardToken", "Refresh", "ReverseProxy:Routes:api:Metadata:Gateway.ForwardToken has an unknown value" },
        { "ReverseProxy:Routes:api:Metadata:Gateway.PreservePost", "yes", "ReverseProxy:Routes:api:Metadata:Gateway.PreservePost must be true or false" },
        { "ReverseProxy:Routes:api:Metadata:Gateway.AccessLog", "off", "ReverseProxy:Routes:api:Metadata:Gateway.AccessLog must be true or false" },
        { "ReverseProxy:Routes:api:Metadata:Gateway.AllowCorsPreflight", "1", "ReverseProxy:Routes:api:Metadata:Gateway.AllowCorsPreflight must be true or false" },
        { "ReverseProxy:Routes:api:Metadata:Gateway.Unauthenticated", "Sometimes", "ReverseProxy:Routes:api:Metadata:Gateway.Unauthenticated has an unknown value" },
        { "ReverseProxy:Routes:api:Metadata:Gateway.Unauthenticate", "Allow", "ReverseProxy:Routes:api:Metadata:Gateway.Unauthenticate is not a key the gateway knows" },
        { "Gateway:Policies:empty:RequireVerifiedEmail", "false", "Gateway:Policies:empty has no requirement" },
        { "Gateway:Policies:eng:EmailDomains:0", "*.example.com", "Gateway:Policies:eng:EmailDomains:0 is not a domain name" },
        { "Gateway:Policies:eng:RequireVerifiedEmail", "maybe", "Gateway:Policies:eng:RequireVerifiedEmail must be true or false" },
        { "Gateway:Bearer:AllowedClientIds:0", " ", "Gateway:Bearer:AllowedClientIds:0 is empty" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Startup_BrokenKey_FailsNamingKeyPath(string key, string? value, string expected)
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build([], b => GatewayHost.Configure(b, With((key, value)))));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_BearerRouteWithGenericOidcProvider_Fails()
    {
        var config = With(
            ("Gateway:Cognito:Authority", null), ("Gateway:Cognito:ClientId", null), ("Gateway:Bearer:AllowedClientIds:0", null),
            ("Gateway:Oidc:Authority", "https://login.example.com/realms/main"), ("Gateway:Oidc:ClientId", "gateway"));

        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build([], b => GatewayHost.Configure(b, config)));

        Assert.Contains("ReverseProxy:Routes:api:Metadata:Gateway.Bearer is only supported with Gateway:Cognito", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_SeveralProblems_AllListedInOneMessage()
    {
        var ex = Assert.Throws<GatewayConfigurationException>(() => GatewayApp.Build([], b => GatewayHost.Configure(b, With(
            ("ReverseProxy:Routes:api:Metadata:Gateway.Bearer", "yes"),
            ("Gateway:Policies:eng:EmailDomains:0", "@example.com")))));

        Assert.Equal(2, ex.Problems.Count);
    }
}

/// <summary>Per-route unauthenticated behaviour, CORS preflight and identity headers on Allow routes.</summary>
public sealed class RouteBehaviorFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["ReverseProxy:Routes:cors:ClusterId"] = "backend",
        ["ReverseProxy:Routes:cors:Match:Path"] = "/cors/{**rest}",
        ["ReverseProxy:Routes:cors:Metadata:Gateway.AllowCorsPreflight"] = "true",
        ["ReverseProxy:Routes:redirect:ClusterId"] = "backend",
        ["ReverseProxy:Routes:redirect:Match:Path"] = "/always-redirect/{**rest}",
        ["ReverseProxy:Routes:redirect:Metadata:Gateway.Unauthenticated"] = "Redirect",
    };
}

public sealed class RouteBehaviorTests : GatewayTest<RouteBehaviorFixture>
{
    public RouteBehaviorTests(RouteBehaviorFixture fx)
        : base(fx)
    {
    }

    private static HttpRequestMessage Preflight(TestBrowser browser, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, browser.Resolve(path));
        request.Headers.TryAddWithoutValidation("Origin", "https://spa.example.com");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "PUT");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "content-type");
        return request;
    }

    [Fact]
    public async Task CorsPreflight_RouteAllowsIt_PassesWithoutSession()
    {
        var hop = await Browser.SendAsync(Preflight(Browser, "/cors/items"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/cors/items");
        Assert.Equal("OPTIONS", received.Method);
        Assert.Empty(BackendStub.HeaderValues(received, "X-Forwarded-User"));
    }

    [Fact]
    public async Task CorsPreflight_RouteDoesNotAllowIt_Gets401()
    {
        var hop = await Browser.SendAsync(Preflight(Browser, "/protected/items"));

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task CorsPreflight_OptionsWithoutPreflightHeaders_NeedsSession()
    {
        var hop = await Browser.SendAsync(new HttpRequestMessage(HttpMethod.Options, Browser.Resolve("/cors/items")));

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task CorsRoute_GetWithoutSession_StillNeedsSession()
    {
        var hop = await Browser.ApiGetAsync("/cors/items", r => r.Headers.TryAddWithoutValidation("Origin", "https://spa.example.com"));

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
    }

    [Fact]
    public async Task AllowRoute_WithSession_ForwardsIdentityHeaders()
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/open/with-session");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/open/with-session");
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.Equal([TestUser.Default.Email], BackendStub.HeaderValues(received, "X-Forwarded-Email"));
    }

    [Fact]
    public async Task RedirectRoute_ApiCallWithoutSession_IsRedirected()
    {
        var hop = await Browser.ApiGetAsync("/always-redirect/x");

        Assert.Equal(HttpStatusCode.Found, hop.Status);
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, hop.Location!.ToString());
    }
}
