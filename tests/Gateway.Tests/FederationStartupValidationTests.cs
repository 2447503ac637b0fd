using Gateway.Hosting;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Start-up validation of the federation, sign-in hint and group-format keys.</summary>
public sealed class FederationStartupValidationTests
{
    private static Dictionary<string, string?> ValidConfig(params (string Key, string? Value)[] changes) =>
        StartupConfig.With(StartupConfig.Minimal(), changes);

    private static string FailureMessage(Dictionary<string, string?> config) => StartupConfig.BuildFails(config).Message;

    [Fact]
    public async Task Startup_AllFederationKeys_Build()
    {
        await StartupAssert.StartsAndAnswersAsync(ValidConfig(
            ("Gateway:Cognito:TrustedEmailProviders:0", "Google"),
            ("Gateway:Cognito:TrustedEmailProviders:1", "CorpSAML"),
            ("Gateway:Cognito:KeepProviderGroups", "true"),
            ("Gateway:Cognito:IdentityProvider", "CorpSAML"),
            ("Gateway:Cognito:AllowedIdentityProviders:0", "Google"),
            ("Gateway:Cognito:AllowedIdentityProviders:1", "COGNITO"),
            ("Gateway:IdentityHeaders:GroupsFormat", "Json"),
            ("ReverseProxy:Routes:corp:ClusterId", "backend"),
            ("ReverseProxy:Routes:corp:Match:Path", "/corp/{**rest}"),
            ("ReverseProxy:Routes:corp:Metadata:Gateway.IdentityProvider", "Google"),
            ("ReverseProxy:Routes:partner:ClusterId", "backend"),
            ("ReverseProxy:Routes:partner:Match:Path", "/partner/{**rest}"),
            ("ReverseProxy:Routes:partner:Metadata:Gateway.IdpIdentifier", "partner.example")));
    }

    [Fact]
    public async Task Startup_ShippedDemoConfig_WithItsProviderBoundRoute_Builds()
    {
        var path = RepositoryFiles.Find(Path.Combine("appsettings", "demo.json"));
        Assert.Contains("\"Gateway.IdentityProvider\": \"CorpSAML\"", await File.ReadAllTextAsync(path), StringComparison.Ordinal);

        await StartupAssert.StartsAndAnswersAsync(["--config", path], new Dictionary<string, string?>());
    }

    [Theory]
    [InlineData("Gateway:Cognito:TrustedEmailProviders:0", "Corp SAML", "Gateway:Cognito:TrustedEmailProviders:0")]
    [InlineData("Gateway:Cognito:TrustedEmailProviders:0", " ", "Gateway:Cognito:TrustedEmailProviders:0")]
    [InlineData("Gateway:Cognito:AllowedIdentityProviders:0", "ThisProviderNameIsFarTooLongForCognito", "Gateway:Cognito:AllowedIdentityProviders:0")]
    [InlineData("Gateway:Cognito:IdentityProvider", "Corp SAML", "Gateway:Cognito:IdentityProvider")]
    [InlineData("Gateway:Cognito:IdpIdentifier", "corp/example", "Gateway:Cognito:IdpIdentifier")]
    [InlineData("Gateway:Cognito:KeepProviderGroups", "sometimes", "KeepProviderGroups")]
    [InlineData("Gateway:IdentityHeaders:GroupsFormat", "Xml", "Gateway:IdentityHeaders:GroupsFormat")]
    [InlineData("Gateway:IdentityHeaders:GroupsFormat", "1", "Gateway:IdentityHeaders:GroupsFormat")]
    public void Startup_BadFederationKey_FailsNamingKey(string key, string value, string named)
    {
        var message = FailureMessage(ValidConfig((key, value)));

        Assert.Contains(named, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_IdentityProviderAndIdpIdentifierTogether_FailsNamingBoth()
    {
        var message = FailureMessage(ValidConfig(("Gateway:Cognito:IdentityProvider", "Google"), ("Gateway:Cognito:IdpIdentifier", "corp.example")));

        Assert.Contains("Gateway:Cognito:IdentityProvider and Gateway:Cognito:IdpIdentifier are both set", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway.IdentityProvider", "Corp SAML")]
    [InlineData("Gateway.IdpIdentifier", "bad/identifier")]
    public void Startup_BadRouteHint_FailsNamingRouteKey(string metadataKey, string value)
    {
        var message = FailureMessage(ValidConfig(($"ReverseProxy:Routes:app:Metadata:{metadataKey}", value)));

        Assert.Contains($"ReverseProxy:Routes:app:Metadata:{metadataKey}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_RouteWithBothHints_Fails()
    {
        var message = FailureMessage(ValidConfig(
            ("ReverseProxy:Routes:app:Metadata:Gateway.IdentityProvider", "Google"),
            ("ReverseProxy:Routes:app:Metadata:Gateway.IdpIdentifier", "corp.example")));

        Assert.Contains("ReverseProxy:Routes:app:Metadata sets both Gateway.IdentityProvider and Gateway.IdpIdentifier", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_RouteHintWithOidcProvider_Fails()
    {
        var message = FailureMessage(ValidConfig(
            ("Gateway:Cognito:Authority", null), ("Gateway:Cognito:ClientId", null),
            ("Gateway:Oidc:Authority", "https://login.example.com/realms/main"), ("Gateway:Oidc:ClientId", "gateway"),
            ("ReverseProxy:Routes:app:Metadata:Gateway.IdentityProvider", "Google")));

        Assert.Contains("Gateway.IdentityProvider is only supported with Gateway:Cognito", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_ProviderNameWithNewline_Fails()
    {
        var message = FailureMessage(ValidConfig(("Gateway:Cognito:IdentityProvider", "Google\nX")));

        Assert.Contains("Gateway:Cognito:IdentityProvider", message, StringComparison.Ordinal);
    }
}
