using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// deploy/cognito/user-pool.json, offline: synthesized for several parameter sets (every setting the gateway needs
/// asserted), its rules, and a checker that catches each mistake seeded into the template.
/// </summary>
public sealed class CognitoTemplateTests
{
    private const string TemplatePath = "deploy/cognito/user-pool.json";
    private const string Url = "https://app.example.com";

    private static Dictionary<string, string> Minimal() => new()
    {
        ["AppName"] = "legacy-app",
        ["GatewayUrls"] = Url,
        ["DomainPrefix"] = "legacy-app-auth",
    };

    [Fact]
    public void CognitoTemplate_Defaults_CreateThePoolClientAndDomainTheGatewayNeeds()
    {
        var stack = CloudFormationTemplate.Load(TemplatePath).Synthesize(Minimal());

        Assert.Empty(stack.Errors);
        Assert.Equal(["AppClient", "Branding", "Domain", "UserPool"], stack.Resources.Keys.Order());

        var pool = stack.Properties("UserPool");
        Assert.Equal("legacy-app", (string?)pool["UserPoolName"]);
        Assert.Equal("""["email"]""", pool["UsernameAttributes"]!.ToJsonString());
        Assert.False((bool)pool["UsernameConfiguration"]!["CaseSensitive"]!);
        Assert.Equal("""["email"]""", pool["AutoVerifiedAttributes"]!.ToJsonString());
        Assert.Equal("ACTIVE", (string?)pool["DeletionProtection"]);
        Assert.Equal("Retain", (string?)stack.Resources["UserPool"]["DeletionPolicy"]);
        Assert.Equal("""{"MinimumLength":12,"RequireLowercase":true,"RequireUppercase":true,"RequireNumbers":true,"RequireSymbols":true,"TemporaryPasswordValidityDays":7}""",
            pool["Policies"]!["PasswordPolicy"]!.ToJsonString());
        Assert.Equal("OFF", (string?)pool["MfaConfiguration"]);
        Assert.Null(pool["EnabledMfas"]);
        Assert.True((bool)pool["AdminCreateUserConfig"]!["AllowAdminCreateUserOnly"]!);
        Assert.Equal("""[{"Name":"email","AttributeDataType":"String","Required":true,"Mutable":true}]""", pool["Schema"]!.ToJsonString());

        var client = stack.Properties("AppClient");
        Assert.Equal(CloudFormationTemplate.PoolIdPlaceholder, (string?)client["UserPoolId"]);
        Assert.Equal("legacy-app-gateway", (string?)client["ClientName"]);
        Assert.True((bool)client["GenerateSecret"]!);
        Assert.True((bool)client["AllowedOAuthFlowsUserPoolClient"]!);
        Assert.Equal("""["code"]""", client["AllowedOAuthFlows"]!.ToJsonString());
        Assert.Equal("""["openid","email","profile"]""", client["AllowedOAuthScopes"]!.ToJsonString());
        Assert.Equal($"""["{Url}/oauth2/callback"]""", client["CallbackURLs"]!.ToJsonString());
        Assert.Equal($"""["{Url}/oauth2/signed_out"]""", client["LogoutURLs"]!.ToJsonString());
        Assert.Equal("""["COGNITO"]""", client["SupportedIdentityProviders"]!.ToJsonString());
        Assert.Equal(60, (int)client["AccessTokenValidity"]!);
        Assert.Equal(60, (int)client["IdTokenValidity"]!);
        Assert.Equal(30, (int)client["RefreshTokenValidity"]!);
        Assert.Equal("""{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"days"}""", client["TokenValidityUnits"]!.ToJsonString());
        Assert.True((bool)client["EnableTokenRevocation"]!);
        Assert.Equal("ENABLED", (string?)client["PreventUserExistenceErrors"]);
        Assert.Equal("""{"Feature":"DISABLED"}""", client["RefreshTokenRotation"]!.ToJsonString());

        var domain = stack.Properties("Domain");
        Assert.Equal("legacy-app-auth", (string?)domain["Domain"]);
        Assert.Null(domain["CustomDomainConfig"]);
        Assert.Equal(2, (int)domain["ManagedLoginVersion"]!);
        Assert.Equal(CloudFormationTemplate.ClientIdPlaceholder, (string?)stack.Properties("Branding")["ClientId"]);

        Assert.Equal(CloudFormationTemplate.PoolIdPlaceholder, stack.Outputs["UserPoolId"]);
        Assert.Equal(CloudFormationTemplate.ClientIdPlaceholder, stack.Outputs["ClientId"]);
        Assert.Equal("https://legacy-app-auth.auth.eu-west-1.amazoncognito.com", stack.Outputs["HostedUi"]);
        var fragment = JsonNode.Parse(stack.Outputs["GatewayJson"])!;
        Assert.Equal(CloudFormationTemplate.PoolIdPlaceholder, (string?)fragment["Gateway"]!["Cognito"]!["UserPoolId"]);
        Assert.Equal(CloudFormationTemplate.ClientIdPlaceholder, (string?)fragment["Gateway"]!["Cognito"]!["ClientId"]);
        Assert.Equal("https://legacy-app-auth.auth.eu-west-1.amazoncognito.com", (string?)fragment["Gateway"]!["Cognito"]!["Domain"]);
        Assert.Equal(Url + "/oauth2/signed_out", (string?)fragment["Gateway"]!["Cognito"]!["SignOutUri"]);
        Assert.Equal(Url, (string?)fragment["Gateway"]!["PublicOrigin"]);
        Assert.Equal(
            $"aws cognito-idp describe-user-pool-client --region eu-west-1 --user-pool-id {CloudFormationTemplate.PoolIdPlaceholder} --client-id {CloudFormationTemplate.ClientIdPlaceholder} " +
            "--query UserPoolClient.ClientSecret --output text | tr -d '\\n' | aws secretsmanager create-secret --region eu-west-1 --name legacy-app/gateway/client-secret --secret-string file:///dev/stdin",
            stack.Outputs["ClientSecretToSecretsManager"]);

        Assert.Empty(CognitoTemplateChecker.Check(stack, [Url]));
    }

    [Fact]
    public void CognitoTemplate_EveryOption_CustomDomainSeveralUrlsMfaGroupsAttributesFederationRotation()
    {
        var parameters = Minimal();
        parameters.Remove("DomainPrefix");
        parameters["CustomDomain"] = "auth.example.com";
        parameters["CertificateArn"] = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c";
        parameters["GatewayUrls"] = $"{Url},https://intranet.example.com";
        parameters["Mfa"] = "ON";
        parameters["SelfSignUp"] = "true";
        parameters["Groups"] = "admins,staff,finance team";
        parameters["CustomAttributes"] = "department,employee_id";
        parameters["GoogleClientId"] = "1234.apps.googleusercontent.com";
        parameters["GoogleClientSecret"] = "google-secret";
        parameters["SamlMetadataUrl"] = "https://idp.corp.example/metadata.xml";
        parameters["RefreshTokenRotation"] = "ENABLED";
        parameters["RotationGracePeriodSeconds"] = "10";
        parameters["AccessTokenMinutes"] = "30";
        parameters["IdTokenMinutes"] = "15";
        parameters["RefreshTokenDays"] = "7";

        var stack = CloudFormationTemplate.Load(TemplatePath).Synthesize(parameters);

        Assert.Empty(stack.Errors);
        var pool = stack.Properties("UserPool");
        Assert.Equal("ON", (string?)pool["MfaConfiguration"]);
        Assert.Equal("""["SOFTWARE_TOKEN_MFA"]""", pool["EnabledMfas"]!.ToJsonString());
        Assert.False((bool)pool["AdminCreateUserConfig"]!["AllowAdminCreateUserOnly"]!);
        Assert.Equal(["email", "department", "employee_id"], pool["Schema"]!.AsArray().Select(a => (string)a!["Name"]!));
        Assert.Equal(["admins", "staff", "finance team"], stack.OfType("AWS::Cognito::UserPoolGroup").Select(g => (string)g.Properties["GroupName"]!));

        var client = stack.Properties("AppClient");
        Assert.Equal($"""["{Url}/oauth2/callback","https://intranet.example.com/oauth2/callback"]""", client["CallbackURLs"]!.ToJsonString());
        Assert.Equal($"""["{Url}/oauth2/signed_out","https://intranet.example.com/oauth2/signed_out"]""", client["LogoutURLs"]!.ToJsonString());
        Assert.Equal("""["COGNITO","Google","CorpSAML"]""", client["SupportedIdentityProviders"]!.ToJsonString());
        Assert.Equal("""{"Feature":"ENABLED","RetryGracePeriodSeconds":10}""", client["RefreshTokenRotation"]!.ToJsonString());
        Assert.Equal((30, 15, 7), ((int)client["AccessTokenValidity"]!, (int)client["IdTokenValidity"]!, (int)client["RefreshTokenValidity"]!));

        var google = stack.Properties("GoogleProvider");
        Assert.Equal(("Google", "Google"), ((string)google["ProviderName"]!, (string)google["ProviderType"]!));
        Assert.Equal("1234.apps.googleusercontent.com", (string?)google["ProviderDetails"]!["client_id"]);
        Assert.Equal("openid email profile", (string?)google["ProviderDetails"]!["authorize_scopes"]);
        var saml = stack.Properties("SamlProvider");
        Assert.Equal(("CorpSAML", "SAML"), ((string)saml["ProviderName"]!, (string)saml["ProviderType"]!));
        Assert.Equal("https://idp.corp.example/metadata.xml", (string?)saml["ProviderDetails"]!["MetadataURL"]);

        var domain = stack.Properties("Domain");
        Assert.Equal("auth.example.com", (string?)domain["Domain"]);
        Assert.Equal(parameters["CertificateArn"], (string?)domain["CustomDomainConfig"]!["CertificateArn"]);
        Assert.Equal("https://auth.example.com", stack.Outputs["HostedUi"]);

        Assert.Empty(CognitoTemplateChecker.Check(stack, [Url, "https://intranet.example.com"]));
    }

    [Fact]
    public void CognitoTemplate_ShortTokensAndRotationWithoutGrace_AreReportedAsTheCheckWould()
    {
        var parameters = Minimal();
        parameters["AccessTokenMinutes"] = "5";
        parameters["RefreshTokenRotation"] = "ENABLED";
        parameters["RotationGracePeriodSeconds"] = "0";

        var findings = CognitoTemplateChecker.Check(CloudFormationTemplate.Load(TemplatePath).Synthesize(parameters), [Url]);

        Assert.Equal(2, findings.Count);
        Assert.Contains(findings, f => f.StartsWith("warning [refresh-margin]: access tokens of app client", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.StartsWith("warning [rotation-grace]:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("both-domains", "rule OneDomain: Set exactly one of DomainPrefix and CustomDomain")]
    [InlineData("no-domain", "rule OneDomain: Set exactly one of DomainPrefix and CustomDomain")]
    [InlineData("custom-domain-without-certificate", "rule CustomDomainCertificate: CustomDomain needs CertificateArn")]
    [InlineData("google-without-secret", "rule GoogleSecret: GoogleClientId needs GoogleClientSecret")]
    [InlineData("token-lifetime-out-of-range", "parameter AccessTokenMinutes: 2 is out of range")]
    [InlineData("mfa-value", "parameter Mfa: 'SMS' is not one of the allowed values")]
    [InlineData("six-groups", "parameter Groups: 'a,b,c,d,e,f' does not match")]
    public void CognitoTemplate_BadParameters_AreRefusedBeforeAnythingIsCreated(string change, string expected)
    {
        var parameters = Minimal();
        switch (change)
        {
            case "both-domains": parameters["CustomDomain"] = "auth.example.com"; parameters["CertificateArn"] = "arn:aws:acm:us-east-1:1:certificate/x"; break;
            case "no-domain": parameters.Remove("DomainPrefix"); break;
            case "custom-domain-without-certificate": parameters.Remove("DomainPrefix"); parameters["CustomDomain"] = "auth.example.com"; break;
            case "google-without-secret": parameters["GoogleClientId"] = "1234.apps.googleusercontent.com"; break;
            case "token-lifetime-out-of-range": parameters["AccessTokenMinutes"] = "2"; break;
            case "mfa-value": parameters["Mfa"] = "SMS"; break;
            case "six-groups": parameters["Groups"] = "a,b,c,d,e,f"; break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        var stack = CloudFormationTemplate.Load(TemplatePath).Synthesize(parameters);

        Assert.Contains(stack.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    /// <summary>Each mistake the console walk-through warns about, seeded into the template, is caught by the checker.</summary>
    [Theory]
    [InlineData("public-client", "problem [client-secret]: Gateway:Cognito:ClientSecret is set but app client")]
    [InlineData("callback-path-typo", "[callback-url] https://app.example.com/oauth2/callback is not a callback URL")]
    [InlineData("groups-scope", "[groups-scope] groups is not a scope")]
    [InlineData("missing-profile-scope", "problem [scopes]: scope profile (Gateway:Cognito:Scopes) not allowed")]
    [InlineData("revocation-off", "problem [token-revocation]: token revocation is off")]
    [InlineData("sign-out-root", "[sign-out-url] https://app.example.com/oauth2/signed_out is not a sign-out URL")]
    [InlineData("implicit-grant", "warning [implicit-grant]:")]
    [InlineData("no-code-grant", "problem [code-grant]:")]
    [InlineData("user-existence-errors", "warning [user-existence-errors]:")]
    [InlineData("case-sensitive", "[case-sensitive]")]
    [InlineData("username-not-email", "[username-email]")]
    [InlineData("deletion-protection-off", "[deletion-protection]")]
    [InlineData("no-email-verification", "[email-verification]")]
    [InlineData("weak-passwords", "[password-policy]")]
    [InlineData("output-sign-out-elsewhere", "problem [sign-out-url]: https://app.example.com/ (Gateway:Cognito:SignOutUri)")]
    public void CognitoTemplate_SeededMistake_IsCaught(string mistake, string expected)
    {
        var template = CloudFormationTemplate.Load(TemplatePath);
        var pool = template.Root["Resources"]!["UserPool"]!["Properties"]!.AsObject();
        var client = template.Root["Resources"]!["AppClient"]!["Properties"]!.AsObject();
        switch (mistake)
        {
            case "public-client": client["GenerateSecret"] = false; break;
            case "callback-path-typo": Replace(client, "CallbackURLs", "/oauth2/callback", "/oauth2/callbak"); break;
            case "groups-scope": client["AllowedOAuthScopes"]!.AsArray().Add("groups"); break;
            case "missing-profile-scope": client["AllowedOAuthScopes"] = new JsonArray("openid", "email"); break;
            case "revocation-off": client["EnableTokenRevocation"] = false; break;
            case "sign-out-root": Replace(client, "LogoutURLs", "/oauth2/signed_out", "/"); break;
            case "implicit-grant": client["AllowedOAuthFlows"]!.AsArray().Add("implicit"); break;
            case "no-code-grant": client["AllowedOAuthFlows"] = new JsonArray("client_credentials"); break;
            case "user-existence-errors": client.Remove("PreventUserExistenceErrors"); break;
            case "case-sensitive": pool["UsernameConfiguration"]!["CaseSensitive"] = true; break;
            case "username-not-email": pool.Remove("UsernameAttributes"); break;
            case "deletion-protection-off": pool["DeletionProtection"] = "INACTIVE"; break;
            case "no-email-verification": pool.Remove("AutoVerifiedAttributes"); break;
            case "weak-passwords": pool["Policies"]!["PasswordPolicy"]!["MinimumLength"] = 8; break;
            case "output-sign-out-elsewhere":
                var output = template.Root["Outputs"]!["GatewayJson"]!["Value"]!["Fn::Sub"]!.AsArray();
                output[0] = ((string)output[0]!).Replace("${First}/oauth2/signed_out", "${First}/", StringComparison.Ordinal);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(mistake));
        }

        var findings = CognitoTemplateChecker.Check(template.Synthesize(Minimal()), [Url]);

        Assert.True(findings.Any(f => f.Contains(expected, StringComparison.Ordinal)), string.Join("\n", findings));
    }

    /// <summary>Replaces a path inside the Fn::Join/Fn::Sub pair that appends it to every gateway URL.</summary>
    private static void Replace(JsonObject client, string property, string from, string to)
    {
        var json = client[property]!.ToJsonString().Replace(from, to, StringComparison.Ordinal);
        client[property] = JsonNode.Parse(json);
    }
}
