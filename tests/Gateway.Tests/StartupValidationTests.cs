using System.Diagnostics;
using Gateway.Hosting;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class StartupValidationTests
{
    private const string Secret = "TopSecretClientSecretValue-7f3a9c";

    /// <summary>A configuration that builds; each test breaks one thing.</summary>
    private static Dictionary<string, string?> ValidConfig() => new()
    {
        ["Gateway:Cognito:Authority"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz",
        ["Gateway:Cognito:ClientId"] = "3n4b5urk1ft4fl3mg5e62d9ado",
        ["Gateway:Policies:admins:Groups:0"] = "admins",
        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
        ["ReverseProxy:Routes:admin:ClusterId"] = "backend",
        ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
        ["ReverseProxy:Routes:admin:AuthorizationPolicy"] = "admins",
        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
    };

    private static Dictionary<string, string?> With(Dictionary<string, string?> config, params (string Key, string? Value)[] changes) =>
        StartupConfig.With(config, changes);

    private static GatewayConfigurationException BuildFails(Dictionary<string, string?> config) => StartupConfig.BuildFails(config);

    private static void AssertNames(GatewayConfigurationException ex, params string[] fragments)
    {
        foreach (var fragment in fragments)
        {
            Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal),
                $"Expected the message to name '{fragment}':\n{ex.Message}");
        }
    }

    [Fact]
    public async Task Startup_ValidConfig_Builds()
    {
        await StartupAssert.StartsAndAnswersAsync(ValidConfig());
    }

    [Fact]
    public async Task Startup_UserPoolIdWithoutAuthority_Builds()
    {
        var config = With(ValidConfig(), ("Gateway:Cognito:Authority", null), ("Gateway:Cognito:UserPoolId", "eu-west-1_AbC123xyz"));

        await StartupAssert.StartsAndAnswersAsync(config);
    }

    [Fact]
    public void Startup_MissingClientId_FailsWithConfigPathInMessage()
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:ClientId", null)));

        AssertNames(ex, "Gateway:Cognito:ClientId");
    }

    [Fact]
    public void Startup_NeitherCognitoNorOidc_FailsNamingBothSections()
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:Authority", null), ("Gateway:Cognito:ClientId", null)));

        AssertNames(ex, "Gateway:Cognito", "Gateway:Oidc");
    }

    [Fact]
    public void Startup_BothCognitoAndOidc_FailsNamingBothSections()
    {
        var ex = BuildFails(With(ValidConfig(),
            ("Gateway:Oidc:Authority", "https://login.example.com/realms/main"),
            ("Gateway:Oidc:ClientId", "gateway")));

        AssertNames(ex, "Gateway:Cognito", "Gateway:Oidc");
    }

    [Fact]
    public void Startup_CognitoWithoutUserPoolIdOrAuthority_FailsNamingUserPoolId()
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:Authority", null)));

        AssertNames(ex, "Gateway:Cognito:UserPoolId");
    }

    [Theory]
    [InlineData("AbC123xyz")]
    [InlineData("us-east-1_")]
    [InlineData("not a pool id")]
    public void Startup_MalformedUserPoolId_FailsNamingUserPoolId(string poolId)
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:Authority", null), ("Gateway:Cognito:UserPoolId", poolId)));

        AssertNames(ex, "Gateway:Cognito:UserPoolId");
    }

    [Fact]
    public void Startup_HttpAuthorityOnNonLoopbackHost_FailsNamingAuthority()
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:Authority", "http://cognito.example.com/us-east-1_AbC123xyz")));

        AssertNames(ex, "Gateway:Cognito:Authority");
    }

    [Fact]
    public void Startup_OidcHttpAuthorityOnNonLoopbackHost_FailsNamingAuthority()
    {
        var ex = BuildFails(With(ValidConfig(),
            ("Gateway:Cognito:Authority", null), ("Gateway:Cognito:ClientId", null),
            ("Gateway:Oidc:Authority", "http://login.example.com/realms/main"), ("Gateway:Oidc:ClientId", "gateway")));

        AssertNames(ex, "Gateway:Oidc:Authority");
    }

    [Fact]
    public async Task Startup_HttpAuthorityOnLoopback_Builds()
    {
        var config = With(ValidConfig(), ("Gateway:Cognito:Authority", "http://127.0.0.1:5999/us-east-1_AbC123xyz"));

        await StartupAssert.StartsAndAnswersAsync(config);
    }

    [Theory]
    [InlineData("http://auth.example.com")]
    [InlineData("my domain!")]
    [InlineData("ftp://auth.example.com")]
    public void Startup_DomainNeitherPrefixNorHttpsUrl_FailsNamingDomain(string domain)
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:Domain", domain)));

        AssertNames(ex, "Gateway:Cognito:Domain");
    }

    [Theory]
    [InlineData("myapp")]
    [InlineData("https://auth.example.com")]
    public async Task Startup_DomainPrefixOrHttpsUrl_Builds(string domain)
    {
        // A prefix needs a region: give it through the pool id.
        var config = With(ValidConfig(), ("Gateway:Cognito:Domain", domain), ("Gateway:Cognito:UserPoolId", "us-east-1_AbC123xyz"));

        await StartupAssert.StartsAndAnswersAsync(config);
    }

    [Fact]
    public void Startup_RedisStoreWithoutRedisConfiguration_FailsNamingBothKeys()
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Session:Store", "Redis")));

        AssertNames(ex, "Gateway:Redis:Configuration", "Gateway:Session:Store");
    }

    [Theory]
    [InlineData("Gateway:Session:Store", "Memcached", "Gateway:Session:Store")]
    [InlineData("Gateway:Session:IdleTimeout", "00:00:10", "Gateway:Session:IdleTimeout")]
    [InlineData("Gateway:Session:RefreshMargin", "01:00:00", "Gateway:Session:RefreshMargin")]
    [InlineData("Gateway:Session:CacheDuration", "01:00:00", "Gateway:Session:CacheDuration")]
    [InlineData("Gateway:Session:MaxCookieBytes", "100", "Gateway:Session:MaxCookieBytes")]
    [InlineData("Gateway:Session:MaxRevokedSessions", "10", "Gateway:Session:MaxRevokedSessions")]
    [InlineData("Gateway:DataProtection:KeysPath", "relative/keys", "Gateway:DataProtection:KeysPath")]
    [InlineData("Gateway:BackchannelTimeout", "00:10:00", "Gateway:BackchannelTimeout")]
    public void Startup_BadSessionSetting_FailsNamingKey(string key, string value, string named)
    {
        var ex = BuildFails(With(ValidConfig(), (key, value)));

        AssertNames(ex, named);
    }

    [Fact]
    public void Startup_RedisPasswordInConfiguration_NeverAppearsInMessage()
    {
        var ex = BuildFails(With(ValidConfig(),
            ("Gateway:Session:Store", "Redis"),
            ("Gateway:Redis:Configuration", "127.0.0.1:6379,password=" + Secret + ",unknownOption=x"),
            ("Gateway:Cognito:ClientId", null)));

        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_AllowOnARouteWithANamedPolicy_FailsNamingTheRoute()
    {
        var ex = BuildFails(With(ValidConfig(), ("ReverseProxy:Routes:admin:Metadata:Gateway.Unauthenticated", "Allow")));

        AssertNames(ex, "ReverseProxy:Routes:admin:Metadata:Gateway.Unauthenticated", "admins");
    }

    [Fact]
    public void Startup_ConfigFileNotJson_FailsNamingTheFile()
    {
        var file = Path.Combine(Path.GetTempPath(), "gateway-bad-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, "{ \"Gateway\": { \"Cognito\": ");
        try
        {
            var ex = Assert.IsType<GatewayConfigurationException>(Record.Exception(() => GatewayApp.Build(["--config", file], b => GatewayHost.Configure(b, ValidConfig()))));
            AssertNames(ex, "--config file", "not valid JSON");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Startup_GroupsScopeRequested_FailsNamingScopes()
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:Scopes", "openid email groups")));

        AssertNames(ex, "Gateway:Cognito:Scopes", "groups");
    }

    [Fact]
    public void Startup_UnknownRoutePolicy_FailsNamingRoute()
    {
        var ex = BuildFails(With(ValidConfig(),
            ("ReverseProxy:Routes:reports:ClusterId", "backend"),
            ("ReverseProxy:Routes:reports:Match:Path", "/reports/{**rest}"),
            ("ReverseProxy:Routes:reports:AuthorizationPolicy", "superusers")));

        AssertNames(ex, "reports", "superusers");
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("10.0.0.0/99")]
    [InlineData("300.1.1.1")]
    public void Startup_BadTrustedProxyEntry_FailsNamingKey(string entry)
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:TrustedProxies:0", entry)));

        AssertNames(ex, "Gateway:TrustedProxies");
    }

    [Theory]
    [InlineData("gw.example.com")]
    [InlineData("ftp://gw.example.com")]
    [InlineData("not a url")]
    public void Startup_BadPublicOrigin_FailsNamingKey(string origin)
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:PublicOrigin", origin)));

        AssertNames(ex, "Gateway:PublicOrigin");
    }

    [Fact]
    public void Startup_BadUnauthenticatedMetadata_FailsNamingRouteAndKey()
    {
        var ex = BuildFails(With(ValidConfig(),
            ("ReverseProxy:Routes:legacyapi:ClusterId", "backend"),
            ("ReverseProxy:Routes:legacyapi:Match:Path", "/legacy-api/{**rest}"),
            ("ReverseProxy:Routes:legacyapi:Metadata:Gateway.Unauthenticated", "Sometimes")));

        AssertNames(ex, "legacyapi", "Gateway.Unauthenticated");
    }

    [Fact]
    public void Startup_SeveralProblems_AllListedInOneMessage()
    {
        var ex = BuildFails(With(ValidConfig(),
            ("Gateway:Cognito:ClientId", null),
            ("Gateway:PublicOrigin", "gw.example.com"),
            ("Gateway:TrustedProxies:0", "not-an-ip"),
            ("Gateway:Cognito:Scopes", "openid groups")));

        AssertNames(ex, "Gateway:Cognito:ClientId", "Gateway:PublicOrigin", "Gateway:TrustedProxies", "Gateway:Cognito:Scopes");
        Assert.True(ex.Problems.Count >= 4, string.Join("\n", ex.Problems));
    }

    [Fact]
    public void Startup_Problems_FormattedAsHeaderLineThenOneDashLinePerProblem()
    {
        var ex = BuildFails(With(ValidConfig(), ("Gateway:Cognito:ClientId", null), ("Gateway:PublicOrigin", "gw.example.com")));

        var lines = ex.Message.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        Assert.False(lines[0].StartsWith("- ", StringComparison.Ordinal), ex.Message);
        Assert.Equal(ex.Problems.Count, lines.Count - 1);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("- ", l));
        Assert.All(ex.Problems, p => Assert.Contains("- " + p, ex.Message));
    }

    [Fact]
    public void Startup_ClientSecretConfigured_NeverAppearsInMessage()
    {
        var ex = BuildFails(With(ValidConfig(),
            ("Gateway:Cognito:ClientId", null),
            ("Gateway:Cognito:ClientSecret", Secret),
            ("Gateway:Cognito:Domain", "http://auth.example.com"),
            ("Gateway:Oidc:ClientSecret", Secret)));

        Assert.DoesNotContain(Secret, ex.Message);
        Assert.All(ex.Problems, p => Assert.DoesNotContain(Secret, p));
    }

    [Fact]
    public async Task GatewayProcess_BadConfigFromEnvironment_ExitsNonZeroWithMessage()
    {
        var psi = StartupConfig.GatewayProcess();
        psi.Environment["Gateway__Cognito__Authority"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz";
        psi.Environment["Gateway__TrustedProxies__0"] = "not-an-ip";
        psi.Environment["Gateway__Cognito__ClientSecret"] = Secret;

        var (exitCode, stdout, stderr) = await StartupConfig.RunToExitAsync(psi);

        var output = stdout + "\n" + stderr;
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Gateway:Cognito:ClientId", output);
        Assert.Contains("Gateway:TrustedProxies", output);
        Assert.DoesNotContain(Secret, output);
    }
}
