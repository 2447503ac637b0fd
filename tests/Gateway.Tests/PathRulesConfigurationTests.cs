using Gateway.Hosting;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A gateway whose Gateway:Paths rules read rather than refuse: %2F and '\' as '/', ';...' stripped, trailing dots kept.</summary>
public sealed class LenientPathsGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Paths:EncodedSlash"] = "Decode",
        ["Gateway:Paths:Backslash"] = "Slash",
        ["Gateway:Paths:PathParameters"] = "Strip",
        ["Gateway:Paths:TrailingDots"] = "keep",
    };
}

/// <summary>The non-default answers of Gateway:Paths: the policy of the path as read, and the backend gets that very path.</summary>
public sealed class PathRulesConfigurationTests : GatewayTest<LenientPathsGatewayFixture>
{
    public PathRulesConfigurationTests(LenientPathsGatewayFixture fx)
        : base(fx)
    {
    }

    private async Task<RawResponse> GetAsync(string target) =>
        await RawHttp.GetAsync(Fx.Gateway.Url, target, RawHttp.BrowserHeaders(Browser.Cookies.GetCookieHeader(Fx.Gateway.BaseUri)));

    [Theory]
    [InlineData("/admin;jsessionid=1/x")]
    [InlineData("/public/..;/admin/x")]
    [InlineData("/admin%2Fx")]
    [InlineData("/public%2F..%2Fadmin/x")]
    [InlineData("/public\\..\\admin/x")]
    [InlineData("/public/..%5Cadmin/x")]
    public async Task UserOutsideAdmins_GetsTheAdminPolicyForThePathAsRead(string target)
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        var response = await GetAsync(target);

        Assert.True(response.Status == 403, $"{response}\n{response.Body}");
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path.Contains("admin", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("/app;jsessionid=1/page;v=2", "/app/page")]
    [InlineData("/app%2Fpage", "/app/page")]
    [InlineData("/app\\page", "/app/page")]
    [InlineData("/app./page", "/app./page")]
    public async Task Backend_ReceivesThePathTheRulesWereAppliedTo(string target, string received)
    {
        await Browser.SignInAsync();

        var response = await GetAsync(target);

        Assert.True(response.Status == 200, $"{response}\n{response.Body}");
        Fx.Backend.LastRequestTo(received);
    }

    [Theory]
    [InlineData("Gateway:Paths:EncodedSlash", "Maybe")]
    [InlineData("Gateway:Paths:EncodedSlash", "7")]
    [InlineData("Gateway:Paths:Backslash", "Decode")]
    [InlineData("Gateway:Paths:PathParameters", "Remove")]
    [InlineData("Gateway:Paths:TrailingDots", "5")]
    public void Startup_UnknownPathRule_FailsNamingTheKey(string key, string value)
    {
        var config = GatewayHost.DefaultConfig(Fx.Cognito, Fx.Backend.Url);
        config[key] = value;

        var ex = Record.Exception(() => ((IDisposable)GatewayApp.Build([], b => GatewayHost.Configure(b, config))).Dispose());

        var error = Assert.IsType<GatewayConfigurationException>(ex);
        Assert.Contains(key, error.Message);
    }
}
