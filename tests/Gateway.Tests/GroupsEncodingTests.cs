using System.Net;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Cognito group names may contain ',' and '%': the groups header must still split into exactly the names.</summary>
public sealed class GroupsEncodingTests : GatewayTest<GatewayFixture>
{
    private static readonly string[] Groups = ["a,b", "50%", "staff", "Équipe"];

    public GroupsEncodingTests(GatewayFixture fx)
        : base(fx)
    {
        Fx.Cognito.User = TestUser.Default with { Groups = Groups };
    }

    private static string? Header(Hop hop, string name) =>
        hop.Response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static async Task<(string Backend, string? ForwardAuth, string? AuthRequest)> GroupsHeadersAsync(GatewayHost host, BackendStub backend)
    {
        using var browser = new TestBrowser(host);
        await browser.SignInAsync("/groups");
        var auth = await browser.ApiGetAsync("/oauth2/auth");
        Assert.Equal(HttpStatusCode.Accepted, auth.Status);
        var received = BackendStub.HeaderValues(backend.LastRequestTo("/groups"), "X-Forwarded-Groups");
        return (Assert.Single(received), Header(auth, "X-Forwarded-Groups"), Header(auth, "X-Auth-Request-Groups"));
    }

    [Fact]
    public async Task CommaFormat_CommaAndPercentInsideNames_ArePercentEncodedPerName()
    {
        var (backend, forwardAuth, authRequest) = await GroupsHeadersAsync(Fx.Gateway, Fx.Backend);

        Assert.Equal("a%2Cb,50%25,staff,%C3%89quipe", backend);
        Assert.Equal(Groups, backend.Split(',').Select(Uri.UnescapeDataString).ToArray());
        Assert.Equal(backend, forwardAuth);
        Assert.Equal(backend, authRequest);
    }

    [Fact]
    public async Task JsonFormat_IsAJsonArrayOfTheExactNames_InPrintableAscii()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:IdentityHeaders:GroupsFormat"] = "Json",
        });

        var (backend, forwardAuth, authRequest) = await GroupsHeadersAsync(host, Fx.Backend);

        Assert.Equal(Groups, JsonSerializer.Deserialize<string[]>(backend));
        Assert.True(backend.All(c => c is >= ' ' and <= '~'), backend);
        Assert.StartsWith("[\"a,b\",\"50%\",", backend, StringComparison.Ordinal);
        Assert.Equal(backend, forwardAuth);
        Assert.Equal(backend, authRequest);
    }

    [Fact]
    public async Task JsonFormat_KeyIsASettingNotAHeader()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:IdentityHeaders:GroupsFormat"] = "json",
        });
        using var browser = new TestBrowser(host);
        await browser.SignInAsync("/x");

        // A request header of that name is an ordinary header: not reserved, so it reaches the backend.
        var hop = await browser.NavigateOnceAsync("/y", r => r.Headers.TryAddWithoutValidation("GroupsFormat", "client-value"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(["client-value"], BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/y"), "GroupsFormat"));
    }

    [Fact]
    public async Task GroupWithComma_MatchesAGroupPolicyByItsRealName()
    {
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:Policies:ab:Groups:0"] = "a,b",
            ["ReverseProxy:Routes:ab:ClusterId"] = "backend",
            ["ReverseProxy:Routes:ab:Match:Path"] = "/ab/{**rest}",
            ["ReverseProxy:Routes:ab:AuthorizationPolicy"] = "ab",
        });
        using var browser = new TestBrowser(host);
        await browser.SignInAsync("/x");

        Assert.Equal(HttpStatusCode.OK, (await browser.NavigateOnceAsync("/ab/ok")).Status);
    }

    [Fact]
    public async Task OtherMultiValuedClaims_KeepTheirPlainJoin()
    {
        // Only the groups header is a list of names; a mapped claim keeps today's encoding (',' as is).
        Fx.Cognito.CustomizeIdToken = (request, _) => request.Claims["custom:teams"] = "red, blue";
        await using var host = await GatewayHost.StartAsync(Fx.Cognito, Fx.Backend, new Dictionary<string, string?>
        {
            ["Gateway:IdentityHeaders:X-Teams"] = "custom:teams",
        });
        using var browser = new TestBrowser(host);

        await browser.SignInAsync("/teams");

        Assert.Equal(["red, blue"], BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/teams"), "X-Teams"));
    }
}
