using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>Fake Cognito, the gateway as the reverse proxy, and behind it a real nginx playing a legacy backend that merges slashes.</summary>
public sealed class LegacyBackendFixture : IAsyncLifetime
{
    public FakeCognito Cognito { get; private set; } = null!;

    public NginxProcess? Backend { get; private set; }

    public GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cognito = new FakeCognito();
        if (NginxProcess.MissingAndSkippable)
        {
            return;
        }

        Backend = await NginxProcess.StartLegacyBackendAsync();
        Gateway = await GatewayHost.StartAsync(Cognito, Backend.Url);
    }

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        Backend?.Dispose();
        Cognito.Dispose();
    }
}

/// <summary>
/// Every spelling of a path gets the decision of its canonical route, or 400; the backend receives exactly the
/// canonical path; a user outside the admins policy never sees the legacy backend's admin area.
/// </summary>
public sealed class PathCanonicalizationTests : IClassFixture<LegacyBackendFixture>, IDisposable
{
    private readonly LegacyBackendFixture _fx;
    private readonly TestBrowser? _browser;

    public PathCanonicalizationTests(LegacyBackendFixture fx)
    {
        Skip.If(NginxProcess.MissingAndSkippable, "nginx is not installed (apt-get install nginx); skipped outside CI only.");
        _fx = fx;
        _fx.Cognito.Reset();
        _browser = new TestBrowser(fx.Gateway);
    }

    public void Dispose() => _browser?.Dispose();

    [SkippableFact]
    public async Task PathVariants_Anonymous_GetTheCanonicalRoutesDecisionOr400()
    {
        var failures = await CheckAllVariantsAsync(cookieHeader: null);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures) + Environment.NewLine + _fx.Gateway.Logs.Dump());
    }

    [SkippableFact]
    public async Task PathVariants_SignedInUserOutsideAdmins_GetTheCanonicalRoutesDecisionOr400()
    {
        _fx.Cognito.User = TestUser.NoGroups;
        await _browser!.SignInAsync();
        var cookies = _browser.Cookies.GetCookieHeader(_fx.Gateway.BaseUri);

        var failures = await CheckAllVariantsAsync(cookies);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures) + Environment.NewLine + _fx.Gateway.Logs.Dump());
    }

    [SkippableFact]
    public async Task RefusedPath_BrowserGetsShortPage_ApiCallerGetsJson()
    {
        var page = await RawHttp.GetAsync(_fx.Gateway.Url, "/admin;x/y", RawHttp.BrowserHeaders(null));
        var api = await RawHttp.GetAsync(_fx.Gateway.Url, "/admin%2Fx", [new("Accept", "application/json")]);

        Assert.Equal(400, page.Status);
        Assert.StartsWith("text/html", page.Header("Content-Type"));
        Assert.Contains("bad_path", page.Body);
        Assert.DoesNotContain("/admin", page.Body);
        Assert.Equal(400, api.Status);
        Assert.StartsWith("application/json", api.Header("Content-Type"));
        Assert.Contains("\"error\":\"bad_path\"", api.Body);
    }

    [SkippableFact]
    public async Task QueryString_IsNotSubjectToThePathRules()
    {
        var hop = await RawHttp.GetAsync(_fx.Gateway.Url, "/public/page?next=%2Fadmin%3Bx&up=..%5C..&c=%C0%AE", RawHttp.BrowserHeaders(null));

        Assert.Equal(200, hop.Status);
        Assert.Equal("page uri=/public/page\n", hop.Body);
    }

    [SkippableFact]
    public async Task SignedInAdmin_ReachesTheAdminAreaThroughADotSegment()
    {
        await _browser!.SignInAsync();
        var cookies = _browser.Cookies.GetCookieHeader(_fx.Gateway.BaseUri);

        var hop = await RawHttp.GetAsync(_fx.Gateway.Url, "/public/%2e%2e/admin/report", RawHttp.BrowserHeaders(cookies));

        Assert.Equal(200, hop.Status);
        Assert.Equal($"{NginxProcess.LegacyAdminMarker} uri=/admin/report\n", hop.Body);
    }

    private async Task<List<string>> CheckAllVariantsAsync(string? cookieHeader)
    {
        var headers = RawHttp.BrowserHeaders(cookieHeader);
        var failures = new List<string>();
        foreach (var (raw, canonical) in PathVariants.All)
        {
            var response = await RawHttp.GetAsync(_fx.Gateway.Url, raw, headers);
            var got = PathVariants.Decision(response.Status);
            if (response.Body.Contains(NginxProcess.LegacyAdminMarker, StringComparison.Ordinal))
            {
                failures.Add($"{raw}: the admin area was served without the admins policy ({response.Status}: {response.Body.Trim()})");
                continue;
            }

            if (canonical is null)
            {
                if (response.Status != (int)HttpStatusCode.BadRequest)
                {
                    failures.Add($"{raw}: expected 400, got {response} {Snippet(response.Body)}");
                }

                continue;
            }

            var reference = await RawHttp.GetAsync(_fx.Gateway.Url, PathVariants.Encode(canonical), headers);
            var expected = PathVariants.Decision(reference.Status);
            if (got != expected)
            {
                failures.Add($"{raw}: {got} ({response}), but its canonical path {canonical} gets {expected} ({reference})");
            }
            else if (response.Status == 200 && response.Body != $"page uri={canonical}\n")
            {
                failures.Add($"{raw}: the backend did not receive the canonical path {canonical}: {Snippet(response.Body)}");
            }
        }

        return failures;
    }

    private static string Snippet(string body) => body.Length <= 120 ? body.Trim() : body[..120];
}
