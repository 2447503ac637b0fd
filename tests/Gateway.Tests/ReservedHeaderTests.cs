using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A gateway that also strips the operator's own trusted headers (<c>Gateway:StripHeaders</c>).</summary>
public sealed class StripHeadersGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:StripHeaders:0"] = "X-Legacy-User",
        ["Gateway:StripHeaders:1"] = "X-Corp-*",
    };
}

/// <summary>
/// Headers that backends trust for identity or routing (ALB's x-amzn-oidc-*, Remote-User, oauth2-proxy's X-Auth-Request-*,
/// IIS/Symfony's X-Original-URL) never reach the backend from a client, on any route, in any spelling.
/// </summary>
public sealed class ReservedHeaderTests : GatewayTest<StripHeadersGatewayFixture>
{
    private const string Forged = "forged-by-client";

    public ReservedHeaderTests(StripHeadersGatewayFixture fx)
        : base(fx)
    {
    }

    /// <summary>Stripped by default (and the two configured ones), as a client may spell them.</summary>
    public static TheoryData<string> Reserved => new()
    {
        "X-Amzn-Oidc-Data", "x-amzn-oidc-identity", "X_Amzn_Oidc_Accesstoken", "X-AMZN-OIDC-Something-New",
        "Remote-User", "remote_user", "X-Remote-User", "X_REMOTE_USER",
        "X-Auth-Request-User", "X-Auth-Request-Redirect", "x_auth_request_anything",
        "X-Original-URL", "x_original_url", "X-Rewrite-URL", "X-Rewrite_Url",
        "X-Gateway-Assertion", "X-Forwarded-Identity-Provider", "X-Forwarded-Access-Token",
        "X-Legacy-User", "x_legacy_user", "X-Corp-Employee-Id", "x_corp_roles",
    };

    /// <summary>Look-alikes that are not reserved: exact names match whole, prefixes end at their '-'.</summary>
    public static TheoryData<string> NotReserved => new()
    {
        "X-Amzn-Trace-Id", "X-Amzn-Oidc", "X-Remote-User-Agent", "Remote-Users", "X-Auth-Requested", "X-Original-URL-Hint",
        "X-Legacy-Username", "X-Corporate",
    };

    [Theory]
    [MemberData(nameof(Reserved))]
    public async Task ReservedHeader_OnAnonymousRoute_NeverReachesBackend(string name)
    {
        var hop = await Browser.ApiGetAsync("/public/reserved", r => r.Headers.TryAddWithoutValidation(name, Forged));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/public/reserved");
        Assert.Empty(BackendStub.HeaderValues(received, name));
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
    }

    [Theory]
    [MemberData(nameof(Reserved))]
    public async Task ReservedHeader_OnSignedInRoute_NeverReachesBackend(string name)
    {
        await Browser.SignInAsync();

        var hop = await Browser.ApiGetAsync("/protected/reserved", r => r.Headers.TryAddWithoutValidation(name, Forged));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var received = Fx.Backend.LastRequestTo("/protected/reserved");
        Assert.Empty(BackendStub.HeaderValues(received, name));
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
    }

    [Theory]
    [MemberData(nameof(NotReserved))]
    public async Task LookAlikeHeader_IsForwardedUntouched(string name)
    {
        var hop = await Browser.ApiGetAsync("/public/look-alike", r => r.Headers.TryAddWithoutValidation(name, "kept"));

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(["kept"], BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/public/look-alike"), name));
    }

    [Fact]
    public async Task EveryStrippedHeader_IsCountedOnce()
    {
        using var counter = new GatewayCounter(Fx.Gateway, "gateway.spoofed_headers_stripped");
        string[] sent = ["X-Amzn-Oidc-Data", "Remote-User", "X-Auth-Request-Email", "X-Original-URL", "X_Rewrite_URL", "X-Corp-Id"];

        var hop = await Browser.ApiGetAsync("/public/counted", r =>
        {
            foreach (var name in sent)
            {
                r.Headers.TryAddWithoutValidation(name, Forged);
            }

            r.Headers.TryAddWithoutValidation("X-Amzn-Trace-Id", "not-counted");
        });

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Equal(sent.Length, counter.Total);
        var received = Fx.Backend.LastRequestTo("/public/counted");
        Assert.DoesNotContain(Forged, received.Headers!.SelectMany(h => h.Value));
        Assert.Equal(["not-counted"], BackendStub.HeaderValues(received, "X-Amzn-Trace-Id"));
    }
}

/// <summary><c>Gateway:StripHeaders</c> entries are checked at start-up, every problem named with its key.</summary>
public sealed class StripHeadersConfigurationTests
{
    private static Dictionary<string, string?> Config(params string[] entries)
    {
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Cognito:Authority"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz",
            ["Gateway:Cognito:ClientId"] = "3n4b5urk1ft4fl3mg5e62d9ado",
            ["ReverseProxy:Routes:app:ClusterId"] = "backend",
            ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
        };
        for (var i = 0; i < entries.Length; i++)
        {
            config[$"Gateway:StripHeaders:{i}"] = entries[i];
        }

        return config;
    }

    [Fact]
    public async Task StripHeaders_NamesAndPrefixes_Build()
    {
        await StartupAssert.StartsAndAnswersAsync(Config("X-Legacy-User", "X-Corp-*", "x_debug_user"));
    }

    [Fact]
    public void StripHeaders_InvalidOrNeededHeaders_StopStartupNamingEachEntry()
    {
        var ex = Record.Exception(() => Gateway.Hosting.GatewayApp.Build([], b => GatewayHost.Configure(b,
            Config("X-Fine", "*", "Bad Header", "Content-Type", "Cont*", "host", "X-Forwarded-*"))));

        var error = Assert.IsType<Gateway.Hosting.GatewayConfigurationException>(ex);
        Assert.DoesNotContain("Gateway:StripHeaders:0", error.Message, StringComparison.Ordinal);
        foreach (var key in new[] { "Gateway:StripHeaders:1", "Gateway:StripHeaders:2", "Gateway:StripHeaders:3", "Gateway:StripHeaders:4", "Gateway:StripHeaders:5", "Gateway:StripHeaders:6" })
        {
            Assert.Contains(key, error.Message, StringComparison.Ordinal);
        }
    }
}
