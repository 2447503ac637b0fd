using System.Text.Json.Nodes;
using Gateway.Hosting;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Gateway.Tests;

/// <summary>
/// <c>--check-cognito</c> with <c>Gateway:Apps</c>: every app with a Cognito section (and the top-level one) is checked
/// against its own pool and client, each line prefixed with its app, the exit code the worst. The WireMock stand-in
/// answers each pool, client and domain by the ids in the request, as cognito-idp does.
/// </summary>
public sealed class CognitoCheckAppsTests : IDisposable
{
    private readonly WireMockServer api = WireMockServer.Start();

    // Pool id → (client id, domain prefix, the client's registered callback and sign-out URLs).
    private readonly Dictionary<string, JsonObject> clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> domains = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string?> environment = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    };

    private readonly Dictionary<string, string?> config = new()
    {
        ["Gateway:Cognito:UserPoolId"] = "eu-west-1_Main111aa",
        ["Gateway:Cognito:ClientId"] = "mainclient1234567890abcdef",
        ["Gateway:Cognito:SignOutUri"] = "https://portal.example.com/",

        ["Gateway:Apps:wiki:Hosts:0"] = "wiki.example.com",
        ["Gateway:Apps:wiki:Cognito:UserPoolId"] = "eu-west-1_Wiki222bb",
        ["Gateway:Apps:wiki:Cognito:ClientId"] = "wikiclient1234567890abcdef",

        ["Gateway:Apps:crm:Hosts:0"] = "crm.example.com",
        ["Gateway:Apps:crm:Hosts:1"] = "*.crm.example.com",
        ["Gateway:Apps:crm:Cognito:UserPoolId"] = "eu-west-1_Crm333cc",
        ["Gateway:Apps:crm:Cognito:ClientId"] = "crmclient12345678900abcdef",
        ["Gateway:Apps:crm:SignOutUri"] = "https://crm.example.com/oauth2/signed_out",

        // No Cognito section: not a pool to check.
        ["Gateway:Apps:ops:Hosts:0"] = "ops.example.com",
        ["Gateway:Apps:ops:Oidc:Authority"] = "https://login.example.com",
        ["Gateway:Apps:ops:Oidc:ClientId"] = "opsclient",

        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
    };

    public CognitoCheckAppsTests()
    {
        environment["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = api.Url;
        Pool("eu-west-1_Main111aa", "mainclient1234567890abcdef", "main-auth", ["https://portal.example.com/oauth2/callback"], ["https://portal.example.com/"]);
        Pool("eu-west-1_Wiki222bb", "wikiclient1234567890abcdef", "wiki-auth", ["https://wiki.example.com/oauth2/callback"], ["https://wiki.example.com/"]);
        Pool("eu-west-1_Crm333cc", "crmclient12345678900abcdef", "crm-auth",
            ["https://crm.example.com/oauth2/callback", "https://eu.crm.example.com/oauth2/callback"], ["https://crm.example.com/oauth2/signed_out"]);

        Answer("DescribeUserPool", body => Json($$"""
            { "UserPool": { "Id": "{{body["UserPoolId"]}}", "Name": "pool", "Status": "Enabled", "Domain": "{{domains[(string)body["UserPoolId"]!]}}" } }
            """));
        Answer("DescribeUserPoolClient", body => new JsonObject { ["UserPoolClient"] = clients[(string)body["UserPoolId"]!].DeepClone() });
        Answer("DescribeUserPoolDomain", body => Json($$"""
            { "DomainDescription": { "UserPoolId": "{{domains.Single(d => d.Value == (string)body["Domain"]!).Key}}", "Domain": "{{body["Domain"]}}", "Status": "ACTIVE" } }
            """));
    }

    public void Dispose() => api.Dispose();

    [Fact]
    public void CheckCognito_Apps_EachPoolCheckedWithItsOwnClient_LinesPrefixed()
    {
        var (exit, output) = Check();

        Assert.True(exit == 0, output);
        Assert.Contains("[top level] Checking user pool eu-west-1_Main111aa and app client mainclient1234567890abcdef", output);
        Assert.Contains("[app wiki] Checking user pool eu-west-1_Wiki222bb and app client wikiclient1234567890abcdef", output);
        Assert.Contains("[app crm] Checking user pool eu-west-1_Crm333cc and app client crmclient12345678900abcdef", output);
        foreach (var label in new[] { "[top level]", "[app wiki]", "[app crm]" })
        {
            Assert.Contains($"{label} OK: the pool and app client match the gateway's configuration (0 warnings).", output);
        }

        Assert.DoesNotContain("ops", output);
        Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("[", line));

        // Three calls for each of the three pools, each asking for its own client.
        var clientsAsked = api.LogEntries.Where(e => e.RequestMessage!.Headers!["X-Amz-Target"].Single().EndsWith("Client", StringComparison.Ordinal))
            .Select(e => (string)JsonNode.Parse(e.RequestMessage!.Body!)!["ClientId"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["crmclient12345678900abcdef", "mainclient1234567890abcdef", "wikiclient1234567890abcdef"], clientsAsked);
        Assert.Equal(9, api.LogEntries.Count());
    }

    [Fact]
    public void CheckCognito_Apps_ProblemsNameTheAppAndItsKeys_ExitIsTheWorst()
    {
        // wiki: its host has no callback URL; crm: its own SignOutUri is not registered, and a route of crm names an
        // identity provider its client does not support.
        clients["eu-west-1_Wiki222bb"]["CallbackURLs"] = new JsonArray("https://old-wiki.example.com/oauth2/callback");
        clients["eu-west-1_Crm333cc"]["LogoutURLs"] = new JsonArray("https://crm.example.com/");
        config["ReverseProxy:Routes:google:ClusterId"] = "backend";
        config["ReverseProxy:Routes:google:Match:Path"] = "/google/{**rest}";
        config["ReverseProxy:Routes:google:Metadata:Gateway.App"] = "crm";
        config["ReverseProxy:Routes:google:Metadata:Gateway.IdentityProvider"] = "Google";

        var (exit, output) = Check();

        Assert.True(exit == 1, output);
        Assert.Contains("[app wiki] problem [callback-url]: no allowed callback URL of app client wikiclient1234567890abcdef is on wiki.example.com (Gateway:Apps:wiki:Hosts:0) (registered: https://old-wiki.example.com/oauth2/callback): Cognito refuses every sign-in there; add https://wiki.example.com/oauth2/callback", output);
        Assert.Contains("[app crm] problem [sign-out-url]: https://crm.example.com/oauth2/signed_out (Gateway:Apps:crm:SignOutUri) is not an allowed sign-out URL of app client crmclient12345678900abcdef", output);
        Assert.Contains("[app crm] problem [identity-provider]: ReverseProxy:Routes:google:Metadata:Gateway.IdentityProvider names identity provider 'Google', which app client crmclient12345678900abcdef does not support", output);
        Assert.Contains("[app crm] 2 problems, 0 warnings.", output);
        Assert.Contains("[top level] OK: the pool and app client match the gateway's configuration (0 warnings).", output);
        Assert.DoesNotContain("[app wiki] problem [identity-provider]", output);
        Assert.DoesNotContain("[top level] problem", output);
    }

    [Fact]
    public void CheckCognito_AppsWithoutTopLevel_WildcardHostWithoutAnyCallback_IsAProblem()
    {
        foreach (var key in config.Keys.Where(k => k.StartsWith("Gateway:Cognito:", StringComparison.Ordinal)).ToList())
        {
            config.Remove(key);
        }

        clients["eu-west-1_Crm333cc"]["CallbackURLs"] = new JsonArray("https://crm.example.com/oauth2/callback");

        var (exit, output) = Check();

        Assert.True(exit == 1, output);
        Assert.DoesNotContain("[top level]", output);
        Assert.Contains("[app wiki] OK:", output);
        Assert.Contains("[app crm] problem [callback-url]: no allowed callback URL of app client crmclient12345678900abcdef is on *.crm.example.com (Gateway:Apps:crm:Hosts:1)", output);
        Assert.Contains("add https://EACH-HOST.crm.example.com/oauth2/callback", output);
    }

    [Fact]
    public void CheckCognito_AppsWithoutAnyCognitoSection_ExitsTwo()
    {
        var oidcOnly = config.Where(kv => kv.Key.StartsWith("Gateway:Apps:ops:", StringComparison.Ordinal) || kv.Key.StartsWith("ReverseProxy:", StringComparison.Ordinal)).ToList();
        config.Clear();
        foreach (var (key, value) in oidcOnly)
        {
            config[key] = value;
        }

        var (exit, output) = Check();

        Assert.True(exit == 2, output);
        Assert.Contains("no Gateway:Cognito section and no app with a Gateway:Apps:NAME:Cognito section", output);
        Assert.Empty(api.LogEntries);
    }

    private void Pool(string poolId, string clientId, string domain, string[] callbacks, string[] logouts)
    {
        domains[poolId] = domain;
        clients[poolId] = Json($$"""
            { "UserPoolId": "{{poolId}}", "ClientId": "{{clientId}}", "ClientName": "gateway",
              "SupportedIdentityProviders": [ "COGNITO" ], "AllowedOAuthFlows": [ "code" ],
              "AllowedOAuthScopes": [ "openid", "email", "profile" ], "AllowedOAuthFlowsUserPoolClient": true,
              "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": true,
              "RefreshTokenValidity": 30, "AccessTokenValidity": 60,
              "TokenValidityUnits": { "AccessToken": "minutes", "RefreshToken": "days" } }
            """);
        clients[poolId]["CallbackURLs"] = new JsonArray(callbacks.Select(c => (JsonNode)c).ToArray());
        clients[poolId]["LogoutURLs"] = new JsonArray(logouts.Select(c => (JsonNode)c).ToArray());
    }

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private (int Exit, string Output) Check()
    {
        var args = new List<string> { CheckCognitoCommand.Flag };
        args.AddRange(config.Select(kv => $"--{kv.Key}={kv.Value}"));
        using var output = new StringWriter();
        var exit = CheckCognitoCommand.Run(args.ToArray(), output, output, name => environment.GetValueOrDefault(name), new SocketsHttpHandler(), TimeProvider.System);
        return (exit, output.ToString());
    }

    private void Answer(string action, Func<JsonObject, JsonObject> body) =>
        api.Given(Request.Create().UsingPost().WithPath("/").WithHeader("X-Amz-Target", "AWSCognitoIdentityProviderService." + action))
            .RespondWith(Response.Create().WithCallback(request => new ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/x-amz-json-1.1") },
                BodyData = new WireMock.Util.BodyData { BodyAsString = body(JsonNode.Parse(request.Body!)!.AsObject()).ToJsonString(), DetectedBodyType = WireMock.Types.BodyType.String },
            }));
}
