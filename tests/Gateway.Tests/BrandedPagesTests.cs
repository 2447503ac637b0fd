using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A directory of the operator's page templates (Gateway:Pages:Directory).</summary>
public sealed class BrandedPagesFixture : GatewayFixture
{
    public static readonly DirectoryInfo Templates = Write();

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Pages:Directory"] = Templates.FullName,
    };

    private static DirectoryInfo Write()
    {
        var dir = Directory.CreateTempSubdirectory("gateway-pages-");
        File.WriteAllText(Path.Combine(dir.FullName, "error.html"), """
            <!doctype html><html><head><title>ACME · {{title}}</title><style>h1{color:#c00}</style></head><body>
            <img id="logo" src="https://cdn.acme.example/logo.png" alt="ACME">
            <h1 id="acme-error">{{ title }}</h1><p>{{message}}</p><p id="path">You asked for {{path}}</p>
            <p><a id="forward" href="{{link_url}}">{{link_text}}</a></p><p>HTTP {{status}} ({{code}})</p>
            <a id="support" href="https://support.acme.example/">Contact support</a></body></html>
            """);
        File.WriteAllText(Path.Combine(dir.FullName, "signed-out.html"), """
            <!doctype html><html><head><title>ACME · {{title}}</title></head><body><div id="acme-signed-out">{{content}}</div></body></html>
            """);
        return dir;
    }
}

/// <summary>Branded pages: the operator's templates are used, every inserted value is escaped, and problems stop start-up.</summary>
public sealed class BrandedPagesTests : GatewayTest<BrandedPagesFixture>
{
    public BrandedPagesTests(BrandedPagesFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public async Task Forbidden_UsesTheErrorTemplate_HostilePathIsEscaped()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        var hop = await Browser.NavigateOnceAsync("/admin/%3Cscript%3Ealert(1)%3C%2Fscript%3E%22onmouseover=%22x");

        Assert.True(hop.Status is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, hop.ToString());
        Assert.Contains("<h1 id=\"acme-error\">", hop.Body, StringComparison.Ordinal);
        Assert.Contains("id=\"support\"", hop.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", hop.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("{{", hop.Body, StringComparison.Ordinal);
        var csp = hop.Response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("img-src 'self' https: data:", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_PathWithMarkup_ShownEscapedInThePathPlaceholder()
    {
        Fx.Cognito.User = TestUser.NoGroups;
        await Browser.SignInAsync();

        var hop = await Browser.NavigateOnceAsync("/admin/%3Cb%3Ebold%3C/b%3E");

        Assert.Equal(HttpStatusCode.Forbidden, hop.Status);
        Assert.Contains("You asked for /admin/&lt;b&gt;bold&lt;/b&gt;", hop.Body, StringComparison.Ordinal);
        Assert.Contains("<h1 id=\"acme-error\">You don&#39;t have access to this page</h1>", hop.Body, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 (forbidden)", hop.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiCaller_StillGetsJson()
    {
        var hop = await Browser.ApiGetAsync("/api/orders");

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Equal("application/json", TestBrowser.MediaType(hop));
    }

    [Fact]
    public async Task SignedOutPage_UsesItsTemplate_WithTheGatewaysContent()
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/signed_out");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Contains("<title>ACME · You are signed out</title>", hop.Body, StringComparison.Ordinal);
        Assert.Contains("<div id=\"acme-signed-out\"><h1>You are signed out</h1>", hop.Body, StringComparison.Ordinal);
        Assert.Contains("id=\"sign-in\"", hop.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOutConfirmation_WithoutItsOwnTemplate_KeepsTheBuiltInPage()
    {
        var hop = await Browser.NavigateOnceAsync("/oauth2/sign_out");

        Assert.Equal(HttpStatusCode.OK, hop.Status);
        Assert.Contains("<h1>Sign out?</h1>", hop.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("ACME", hop.Body, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BrokenTemplates => new()
    {
        { "error.html", "<p>{{titel}}</p>", "error.html uses the unknown placeholder '{{titel}}'" },
        { "sign-out.html", "<p>{{title}}</p>", "sign-out.html must contain {{content}}" },
        { "forbidden.html", "<script>alert(1)</script>{{content}}", "forbidden.html contains a <script>" },
        { "readme.txt", "no templates here", "holds none of error.html, forbidden.html, sign-out.html, signed-out.html" },
    };

    [Theory]
    [MemberData(nameof(BrokenTemplates))]
    public void BrokenTemplate_StopsStartUp_NamingTheFileAndTheFix(string file, string text, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("gateway-pages-bad-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, file), text);

            var ex = StartupConfig.BuildFails(StartupConfig.With(StartupConfig.Minimal(), ("Gateway:Pages:Directory", dir.FullName)));

            Assert.Contains("Gateway:Pages:Directory", ex.Message, StringComparison.Ordinal);
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void MissingDirectory_StopsStartUp()
    {
        var ex = StartupConfig.BuildFails(StartupConfig.With(StartupConfig.Minimal(), ("Gateway:Pages:Directory", "/nonexistent/gateway-pages")));

        Assert.Contains("Gateway:Pages:Directory is not a directory (got '/nonexistent/gateway-pages'", ex.Message, StringComparison.Ordinal);
    }
}
