using System.Diagnostics;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Tests;

/// <summary>
/// Start-up checks that come from the options themselves: unknown keys with a "did you mean" hint, values the binder
/// cannot convert (enum choices listed), routes naming no cluster, JSON syntax errors with line and column; every
/// problem of every feature in the one message.
/// </summary>
public sealed class OptionsValidationTests
{
    private static Dictionary<string, string?> ValidConfig(params (string Key, string? Value)[] changes) =>
        StartupConfig.With(StartupConfig.With(StartupConfig.Minimal(), ("Gateway:Policies:admins:Groups:0", "admins")), changes);

    private static GatewayConfigurationException BuildFails(Dictionary<string, string?> config, string[]? args = null) =>
        StartupConfig.BuildFails(config, args);

    private static void AssertProblem(GatewayConfigurationException ex, params string[] fragments) =>
        Assert.True(ex.Problems.Any(p => fragments.All(f => p.Contains(f, StringComparison.Ordinal))),
            $"Expected one problem naming {string.Join(" + ", fragments.Select(f => $"'{f}'"))}:\n{ex.Message}");

    [Fact]
    public void Startup_MisspeltSection_FailsWithDidYouMean()
    {
        // Before: "Sesion" was ignored and the gateway ran on the cookie store without a word.
        var ex = BuildFails(ValidConfig(("Gateway:Sesion:Store", "Redis")));

        AssertProblem(ex, "unknown key Gateway:Sesion", "did you mean Gateway:Session?", "Fix the spelling or remove it");
        Assert.Single(ex.Problems);
    }

    [Theory]
    [InlineData("Gateway:Session:Lifetme", "08:00:00", "unknown key Gateway:Session:Lifetme", "did you mean Gateway:Session:Lifetime?")]
    [InlineData("Gateway:Cognito:ClientSecrt", "x", "unknown key Gateway:Cognito:ClientSecrt", "did you mean Gateway:Cognito:ClientSecret?")]
    [InlineData("Gateway:Polices:ops:Groups:0", "ops", "unknown key Gateway:Polices", "did you mean Gateway:Policies?")]
    [InlineData("Gateway:Policies:admins:Group:0", "admins", "unknown key Gateway:Policies:admins:Group", "did you mean Gateway:Policies:admins:Groups?")]
    [InlineData("Gateway:TrustedProxy:0", "10.0.0.0/8", "unknown key Gateway:TrustedProxy", "did you mean Gateway:TrustedProxies?")]
    [InlineData("Gateway:Paths:EncodedSlashes", "Decode", "unknown key Gateway:Paths:EncodedSlashes", "did you mean Gateway:Paths:EncodedSlash?")]
    public void Startup_MisspeltKey_FailsNamingKeyAndLikelyIntent(string key, string value, string problem, string hint)
    {
        var ex = BuildFails(ValidConfig((key, value)));

        AssertProblem(ex, problem, hint);
    }

    [Fact]
    public void Startup_UnknownKeyNothingLike_ListsTheKnownKeys()
    {
        var ex = BuildFails(ValidConfig(("Gateway:Frobnicate", "on")));

        AssertProblem(ex, "unknown key Gateway:Frobnicate", "the keys under Gateway are", "Session", "TrustedProxies", "Policies");
    }

    [Fact]
    public void Startup_FreeFormMapsAndAnyCase_Build()
    {
        // Header names, policy names and claim types (with ':') are the operator's to choose; keys are case-insensitive.
        var config = ValidConfig(
            ("Gateway:IdentityHeaders:X-Forwarded-Department", "custom:department"),
            ("Gateway:IdentityHeaders:GroupsFormat", "Json"),
            ("Gateway:Policies:any-name-at-all:Claims:custom:department:0", "Engineering"),
            ("gateway:session:cookiename", "_gw"),
            ("GATEWAY:PATHS:ENCODEDSLASH", "decode"));

        using var app = (IDisposable)GatewayApp.Build([], b => GatewayHost.Configure(b, config));

        var services = ((Microsoft.AspNetCore.Builder.WebApplication)app).Services;
        Assert.Equal("_gw", services.GetRequiredService<IOptions<SessionOptions>>().Value.CookieName);
        Assert.Equal(Paths.EncodedSlashRule.Decode, services.GetRequiredService<IOptions<Paths.PathOptions>>().Value.EncodedSlash);
    }

    [Theory]
    [InlineData("Gateway:Session:Store", "Redsi", "Gateway:Session:Store has an unknown value (got 'Redsi'); must be one of Cookie, Redis")]
    [InlineData("Gateway:Session:Store", "1", "Gateway:Session:Store has an unknown value (got '1'); must be one of Cookie, Redis")]
    [InlineData("Gateway:Paths:PathParameters", "Drop", "Gateway:Paths:PathParameters has an unknown value (got 'Drop'); must be one of Reject, Strip, Keep")]
    [InlineData("Gateway:Session:Lifetime", "8h", "Gateway:Session:Lifetime is not a duration (got '8h'); write [d.]hh:mm:ss")]
    [InlineData("Gateway:Session:MaxCookieBytes", "16k", "Gateway:Session:MaxCookieBytes must be a whole number (got '16k')")]
    [InlineData("Gateway:Bearer:ForwardAuth", "yes", "Gateway:Bearer:ForwardAuth must be true or false (got 'yes')")]
    public void Startup_ValueOfWrongKind_FailsListingTheChoices(string key, string value, string expected)
    {
        var ex = BuildFails(ValidConfig((key, value)));

        AssertProblem(ex, expected);
    }

    [Fact]
    public void Startup_ProblemsInSeveralFeatures_AllInOneMessage()
    {
        var ex = BuildFails(ValidConfig(
            ("Gateway:Session:Store", "Redsi"),
            ("Gateway:Sesion:CookieName", "x"),
            ("Gateway:PublicOrigin", "gw.example.com"),
            ("Gateway:Cognito:ClientId", null),
            ("Gateway:Paths:Backslash", "Maybe"),
            ("Gateway:Policies:ops:EmailDomains:0", "@example.com"),
            ("ReverseProxy:Routes:app:ClusterId", "bakend")));

        AssertProblem(ex, "Gateway:Session:Store", "Cookie, Redis");
        AssertProblem(ex, "unknown key Gateway:Sesion");
        AssertProblem(ex, "Gateway:PublicOrigin");
        AssertProblem(ex, "Gateway:Cognito:ClientId is missing");
        AssertProblem(ex, "Gateway:Paths:Backslash", "Reject, Slash");
        AssertProblem(ex, "Gateway:Policies:ops:EmailDomains:0");
        AssertProblem(ex, "ReverseProxy:Routes:app:ClusterId");
        Assert.Equal(7, ex.Problems.Count);
    }

    [Fact]
    public void Startup_RouteNamingNoCluster_FailsWithTheLikelyCluster()
    {
        // Before: the gateway started "Healthy" and answered every request to the route with an empty 503, logging nothing.
        var ex = BuildFails(ValidConfig(("ReverseProxy:Routes:app:ClusterId", "bakend")));

        AssertProblem(ex, "ReverseProxy:Routes:app:ClusterId names no cluster (got 'bakend')", "did you mean 'backend'?", "define ReverseProxy:Clusters:bakend");
    }

    [Fact]
    public void Startup_ConfigFileJsonSyntaxError_NamesLineAndColumn()
    {
        var file = Path.Combine(Path.GetTempPath(), "gateway-syntax-" + Guid.NewGuid().ToString("N") + ".json");
        // Line 3, column 27 is the second comma.
        File.WriteAllText(file, "{\n  \"Gateway\": {\n    \"BasePath\": \"/oauth2\",,\n  }\n}\n");
        try
        {
            var ex = BuildFails(ValidConfig(), ["--config", file]);

            AssertProblem(ex, "--config file", file, "not valid JSON (line 3, column 27", "fix the file");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task GatewayProcess_MisspeltSection_ExitsWithCode2AndTheHint()
    {
        var psi = StartupConfig.GatewayProcess().WithEnvironment(ValidConfig(("Gateway:Sesion:Store", "Redis")));

        var (exitCode, stdout, stderr) = await StartupConfig.RunToExitAsync(psi);

        var output = stdout + "\n" + stderr;
        Assert.Equal(2, exitCode);
        Assert.Contains("did you mean Gateway:Session?", output, StringComparison.Ordinal);
    }
}
