using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.CognitoCheck;
using Gateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// What deploy/cognito must create for the gateway, checked on a synthesized stack: the app client through the same
/// comparison as <c>--check-cognito</c> (CognitoPoolCheck, configured from the stack's own gateway.json output), plus what
/// only the template decides (pool sign-in settings, every gateway URL, exact scopes, domain). Returns one line per mistake.
/// </summary>
public static class CognitoTemplateChecker
{
    private static readonly string[] ExpectedScopes = ["openid", "email", "profile"];

    public static List<string> Check(SynthesizedStack stack, IReadOnlyList<string> gatewayUrls)
    {
        var findings = new List<string>(stack.Errors.Select(e => "[template] " + e));
        var pools = stack.OfType("AWS::Cognito::UserPool").ToList();
        var clients = stack.OfType("AWS::Cognito::UserPoolClient").ToList();
        if (pools.Count != 1 || clients.Count != 1)
        {
            findings.Add($"[resources] expected one user pool and one app client, found {pools.Count} and {clients.Count}");
            return findings;
        }

        var pool = pools[0].Properties;
        if (Strings(pool["UsernameAttributes"]) is not ["email"])
        {
            findings.Add("[username-email] the pool must sign users in with their email address as username (UsernameAttributes: [email])");
        }

        if ((bool?)pool["UsernameConfiguration"]?["CaseSensitive"] != false)
        {
            findings.Add("[case-sensitive] usernames must be case-insensitive (UsernameConfiguration.CaseSensitive: false)");
        }

        if (!Strings(pool["AutoVerifiedAttributes"]).Contains("email"))
        {
            findings.Add("[email-verification] email must be verified (AutoVerifiedAttributes: [email]), or X-Forwarded-Email stays empty");
        }

        if ((string?)pool["DeletionProtection"] != "ACTIVE")
        {
            findings.Add("[deletion-protection] DeletionProtection must be ACTIVE");
        }

        var password = pool["Policies"]?["PasswordPolicy"];
        if (password is null || (int)password["MinimumLength"]! < 12 || (bool?)password["RequireNumbers"] != true || (bool?)password["RequireSymbols"] != true)
        {
            findings.Add("[password-policy] the password policy must ask for at least 12 characters with numbers and symbols");
        }

        var client = clients[0].Properties;
        var allowedScopes = Strings(client["AllowedOAuthScopes"]);
        if (allowedScopes.Contains("groups"))
        {
            findings.Add("[groups-scope] groups is not a scope (groups arrive in cognito:groups)");
        }
        else if (!allowedScopes.Order().SequenceEqual(ExpectedScopes.Order()))
        {
            findings.Add($"[scopes] the client must allow exactly openid email profile, not {string.Join(" ", allowedScopes)}");
        }

        foreach (var url in gatewayUrls)
        {
            if (!Strings(client["CallbackURLs"]).Contains(url + "/oauth2/callback"))
            {
                findings.Add($"[callback-url] {url}/oauth2/callback is not a callback URL");
            }

            if (!Strings(client["LogoutURLs"]).Contains(url + "/oauth2/signed_out"))
            {
                findings.Add($"[sign-out-url] {url}/oauth2/signed_out is not a sign-out URL");
            }
        }

        var domains = stack.OfType("AWS::Cognito::UserPoolDomain").ToList();
        if (domains.Count != 1 || string.IsNullOrEmpty((string?)domains[0].Properties["Domain"]))
        {
            findings.Add("[domain] the stack must create exactly one domain");
        }

        // The app client as DescribeUserPoolClient would describe it, compared like --check-cognito does.
        var described = JsonSerializer.Deserialize<JsonElement>(AsDescribed(client).ToJsonString());
        var settings = GatewaySettingsFromOutput(stack, findings);
        if (settings is not null)
        {
            findings.AddRange(CognitoPoolCheck.CheckClient(settings, described).Select(f => f.ToString()));
        }

        return findings;
    }

    /// <summary>The gateway configured from the stack's GatewayJson output and a client secret: must be a valid configuration.</summary>
    internal static CognitoCheckSettings? GatewaySettingsFromOutput(SynthesizedStack stack, List<string> findings)
    {
        if (!stack.Outputs.TryGetValue("GatewayJson", out var fragment))
        {
            findings.Add("[output] no GatewayJson output");
            return null;
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(fragment)))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Gateway:Cognito:ClientSecret"] = "from-the-secret-store",
                ["ReverseProxy:Routes:app:ClusterId"] = "backend",
                ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
                ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
            })
            .Build();
        var problems = GatewayOptionsSetup.Check(configuration);
        if (problems.Count > 0)
        {
            findings.AddRange(problems.Select(p => "[output] GatewayJson is not a valid gateway configuration: " + p));
            return null;
        }

        return CognitoCheckSettings.From(GatewayOptionsSetup.Snapshot(configuration), []);
    }

    /// <summary>Template properties have the API's names; <c>GenerateSecret</c> becomes a <c>ClientSecret</c>, Cognito's defaults fill the gaps.</summary>
    private static JsonObject AsDescribed(JsonObject properties)
    {
        var described = properties.DeepClone().AsObject();
        if ((bool?)described["GenerateSecret"] == true)
        {
            described["ClientSecret"] = "from-the-secret-store";
        }

        described.Remove("GenerateSecret");
        described["EnableTokenRevocation"] ??= true;
        described["PreventUserExistenceErrors"] ??= "LEGACY";
        return described;
    }

    private static List<string> Strings(JsonNode? node) => node is JsonArray array ? array.Select(v => v!.ToString()).ToList() : [];
}
