using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>A route that keeps today's behaviour for form posts without a session (<c>Gateway.PreservePost: false</c>).</summary>
public sealed class PreservePostGatewayFixture : GatewayFixture
{
    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["ReverseProxy:Routes:nokeep:ClusterId"] = "backend",
        ["ReverseProxy:Routes:nokeep:Match:Path"] = "/nokeep/{**rest}",
        ["ReverseProxy:Routes:nokeep:Metadata:Gateway.PreservePost"] = "false",
    };
}

/// <summary>
/// A legacy form submitted after the session ran out goes through sign-in and is then sent again to the same URL as the
/// same POST (issue 11 §5); what cannot be kept gets a page that says so, never a silent loss.
/// </summary>
public sealed partial class PreservePostTests(PreservePostGatewayFixture fx) : GatewayTest<PreservePostGatewayFixture>(fx)
{
    private static readonly KeyValuePair<string, string>[] Fields =
    [
        new("item", "Widget é ü"),
        new("qty", "2"),
        new("note", "line one\r\nline two & \"quotes\" <b>'x'</b>"),
        new("qty", "3"),
        new("submit", "\"><script>alert(1)</script>"),
        new("empty", ""),
    ];

    private static void SameOriginForm(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
    }

    private Task<Navigation> PostFormAsync(TestBrowser browser, string path, HttpContent content, Action<HttpRequestMessage>? customize = null) =>
        browser.FollowAsync(HttpMethod.Post, browser.Resolve(path), customize ?? SameOriginForm, content: content);

    private static List<KeyValuePair<string, string>> HiddenFields(string html) =>
        HiddenInput().Matches(html).Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value))).ToList();

    private static string FormAction(string html) => WebUtility.HtmlDecode(FormTag().Match(html).Groups[1].Value);

    /// <summary>Posts the form to an expired session, completes sign-in and returns the resume page.</summary>
    private async Task<Hop> PostAndSignInAsync(TestBrowser browser, string path)
    {
        var nav = await PostFormAsync(browser, path, new FormUrlEncodedContent(Fields));

        Assert.True(nav.Hops[0].Status == HttpStatusCode.Found, nav.ToString());
        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, nav.Hops[0].Location!.ToString(), StringComparison.Ordinal);
        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.AbsolutePath == "/oauth2/resume",
            $"{nav}\n{nav.Final.Body}\n{Fx.Gateway.Logs.Dump()}");
        return nav.Final;
    }

    /// <summary>Posts the form and completes sign-in up to the redirect to the resume page, without opening it.</summary>
    private async Task<string> PostAndSignInUntilResumeAsync(TestBrowser browser, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, browser.Resolve(path)) { Content = new FormUrlEncodedContent(Fields) };
        TestBrowser.AddNavigationHeaders(request);
        request.Headers.TryAddWithoutValidation("Origin", Fx.Gateway.Url);
        SameOriginForm(request);
        var hop = await browser.SendAsync(request);
        for (var i = 0; i < 5 && hop.Location is { } next && next.AbsolutePath != "/oauth2/resume"; i++)
        {
            hop = await browser.NavigateOnceAsync(next.ToString());
        }

        Assert.True(hop.Location?.AbsolutePath == "/oauth2/resume", $"{hop}\n{hop.Body}\n{Fx.Gateway.Logs.Dump()}");
        return hop.Location!.PathAndQuery;
    }

    [Fact]
    public async Task FormPost_WithoutSession_SignsIn_ThenResumePageReplaysTheSamePostWithIdentity()
    {
        var resume = await PostAndSignInAsync(Browser, "/orders/new?from=cart");

        // Nothing reached the backend yet: the page sends it.
        Assert.DoesNotContain(Fx.Backend.Requests, r => r.Path == "/orders/new");
        Assert.Equal("/orders/new?from=cart", FormAction(resume.Body));
        Assert.Equal(Fields, HiddenFields(resume.Body));
        Assert.DoesNotContain("<script>alert", resume.Body, StringComparison.Ordinal);
        var csp = resume.Response.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        Assert.Contains($"<script nonce=\"{nonce}\">", resume.Body, StringComparison.Ordinal);
        Assert.Contains("no-store", resume.Response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\">Continue</button>", resume.Body, StringComparison.Ordinal); // without JavaScript

        // What the browser's auto-submit sends: the same fields, urlencoded, to the original URL.
        var submit = await PostFormAsync(Browser, FormAction(resume.Body), new FormUrlEncodedContent(HiddenFields(resume.Body)));

        Assert.Equal(HttpStatusCode.OK, submit.Status);
        var received = Fx.Backend.LastRequestTo("/orders/new");
        Assert.Equal("POST", received.Method);
        Assert.Equal(await new FormUrlEncodedContent(Fields).ReadAsStringAsync(), received.Body);
        Assert.Equal([TestUser.Default.Sub], BackendStub.HeaderValues(received, "X-Forwarded-User"));
        Assert.DoesNotContain(BackendStub.Cookies(received), c => c.Key.StartsWith("_gateway", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResumePage_SecondUse_IsGone_AndNothingIsSentAgain()
    {
        var resume = await PostAndSignInAsync(Browser, "/orders/once");

        var again = await Browser.NavigateAsync(resume.Url.PathAndQuery);

        Assert.Equal(HttpStatusCode.Gone, again.Status);
        Assert.Contains("no longer available", again.Final.Body, StringComparison.Ordinal);
        Assert.Empty(HiddenFields(again.Final.Body));
    }

    [Fact]
    public async Task ResumePage_InAnotherSignedInBrowser_IsGone_AndStaysUsableForItsOwnBrowser()
    {
        var resume = await PostAndSignInUntilResumeAsync(Browser, "/orders/mine");
        using var other = Fx.NewBrowser();
        await other.SignInAsync();

        var stolen = await other.NavigateAsync(resume);
        var own = await Browser.NavigateAsync(resume);

        Assert.Equal(HttpStatusCode.Gone, stolen.Status);
        Assert.Empty(HiddenFields(stolen.Final.Body));
        Assert.Equal(HttpStatusCode.OK, own.Status);
        Assert.Equal(Fields, HiddenFields(own.Final.Body));
    }

    [Fact]
    public async Task MultipartPost_WithoutSession_GetsAPageSayingToSubmitAgain_NotASignInRedirect()
    {
        var multipart = new MultipartFormDataContent { { new StringContent("Widget"), "item" }, { new ByteArrayContent([1, 2, 3]), "file", "a.bin" } };

        var nav = await PostFormAsync(Browser, "/orders/upload", multipart, r =>
        {
            SameOriginForm(r);
            r.Headers.Referrer = new Uri(Browser.Resolve("/orders/form?step=2").ToString());
        });

        Assert.Single(nav.Hops);
        Assert.Equal(HttpStatusCode.Unauthorized, nav.Status);
        Assert.Contains("submit the form again", nav.Final.Body, StringComparison.Ordinal);
        Assert.Contains("/oauth2/sign_in?rd=" + WebUtility.HtmlEncode(Uri.EscapeDataString("/orders/form?step=2")), nav.Final.Body, StringComparison.Ordinal);
        Assert.Empty(Fx.Backend.Requests);
    }

    [Fact]
    public async Task UrlEncodedPost_LargerThan64KB_GetsThePageSayingToSubmitAgain()
    {
        var large = new FormUrlEncodedContent([new("text", new string('a', 64 * 1024))]);

        var nav = await PostFormAsync(Browser, "/orders/large", large);

        Assert.Single(nav.Hops);
        Assert.Equal(HttpStatusCode.Unauthorized, nav.Status);
        Assert.Contains("submit the form again", nav.Final.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UrlEncodedPost_FromAnotherSite_IsNotKept_SoSignInCannotReplayACrossSitePost()
    {
        var nav = await PostFormAsync(Browser, "/orders/transfer", new FormUrlEncodedContent(Fields), r =>
        {
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");
            r.Headers.Remove("Origin");
            r.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        });

        Assert.Single(nav.Hops);
        Assert.Equal(HttpStatusCode.Unauthorized, nav.Status);
        Assert.Contains("submit the form again", nav.Final.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Browser.GatewayCookies(), c => c.Name == "_gateway_post");
    }

    [Fact]
    public async Task UrlEncodedPost_NotUtf8_IsNotKept_RatherThanReplayedAltered()
    {
        var latin1 = new StringContent("name=Jos%E9", null, "application/x-www-form-urlencoded");

        var nav = await PostFormAsync(Browser, "/orders/latin1", latin1);

        Assert.Equal(HttpStatusCode.Unauthorized, nav.Status);
        Assert.Contains("submit the form again", nav.Final.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiPost_WithoutSession_Gets401JsonAsBefore()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Browser.Resolve("/orders/api")) { Content = new FormUrlEncodedContent(Fields) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "cors");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");

        var hop = await Browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Equal("unauthenticated", TestBrowser.Json(hop).RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain(Browser.GatewayCookies(), c => c.Name == "_gateway_post");
    }

    [Fact]
    public async Task RouteWithPreservePostFalse_RedirectsToSignInAsBefore_WithoutKeepingTheForm()
    {
        var nav = await PostFormAsync(Browser, "/nokeep/form", new FormUrlEncodedContent(Fields));

        Assert.StartsWith(Fx.Cognito.AuthorizationEndpoint, nav.Hops[0].Location!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Browser.GatewayCookies(), c => c.Name == "_gateway_post");
        Assert.Equal(HttpStatusCode.OK, nav.Status);
        Assert.Equal("/nokeep/form", nav.FinalUrl.PathAndQuery);
        Assert.Equal("GET", Fx.Backend.LastRequestTo("/nokeep/form").Method);
    }

    [Fact]
    public async Task ResumePage_WithoutSession_OffersSignInBackToIt_AndKeepsThePost()
    {
        var resume = await PostAndSignInUntilResumeAsync(Browser, "/orders/later");
        using var fresh = Fx.NewBrowser();

        var hop = await fresh.NavigateOnceAsync(resume);
        var own = await Browser.NavigateAsync(resume);

        Assert.Equal(HttpStatusCode.Unauthorized, hop.Status);
        Assert.Contains(WebUtility.HtmlEncode(Uri.EscapeDataString(resume)), hop.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, own.Status);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("<form id=\"gateway-resume\" method=\"post\" action=\"([^\"]*)\"")]
    private static partial Regex FormTag();
}

/// <summary>With Redis configured, a kept post is in Redis: any instance can resume it, once.</summary>
public sealed class PreservePostRedisTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _fx;

    public PreservePostRedisTests(RedisFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
    }

    [SkippableFact]
    public async Task TwoInstances_FormKeptOnA_ResumedOnB_ThenGoneOnBoth()
    {
        RedisServer.SkipOrFailWhenMissing();
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Session:Store"] = "Redis",
            ["Gateway:Redis:Configuration"] = _fx.Redis!.Configuration,
            ["Gateway:Redis:KeyPrefix"] = "t" + Guid.NewGuid().ToString("N")[..8] + ":",
        };
        await using var a = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);
        await using var b = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);
        using var browser = new TestBrowser(a);
        var fields = new KeyValuePair<string, string>[] { new("item", "Widget"), new("qty", "2") };

        // Post on A and sign in there, stopping at the redirect to the resume page.
        var request = new HttpRequestMessage(HttpMethod.Post, a.Url + "/orders/new") { Content = new FormUrlEncodedContent(fields) };
        TestBrowser.AddNavigationHeaders(request);
        request.Headers.TryAddWithoutValidation("Origin", a.Url);
        var hop = await browser.SendAsync(request);
        for (var i = 0; i < 5 && hop.Location is { } next && next.AbsolutePath != "/oauth2/resume"; i++)
        {
            hop = await browser.NavigateOnceAsync(next.ToString());
        }

        Assert.True(hop.Location?.AbsolutePath == "/oauth2/resume", $"{hop}\n{hop.Body}\n{a.Logs.Dump()}");
        var resume = hop.Location!.PathAndQuery;

        // The same browser (its session and its _gateway_post cookie) opens the resume link on B.
        var onB = await browser.NavigateOnceAsync(b.Url + resume);
        var againOnA = await browser.NavigateOnceAsync(a.Url + resume);

        Assert.True(onB.Status == HttpStatusCode.OK, $"{onB}\n{onB.Body}\n{b.Logs.Dump()}");
        Assert.Contains("name=\"item\" value=\"Widget\"", onB.Body, StringComparison.Ordinal);
        Assert.Contains("name=\"qty\" value=\"2\"", onB.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, againOnA.Status);
    }
}

/// <summary>Which urlencoded bodies can be sent again exactly by a browser, field by field.</summary>
public sealed class PreservedPostParsingTests
{
    [Fact]
    public void Parse_DecodesPlusAndEscapes_KeepsOrderDuplicatesAndEmptyValues()
    {
        var fields = Gateway.Authentication.PreservedPosts.Parse("a=1+2&b=%2B%26%3D&a=x&flag&c=&d=%E2%82%AC%0D%0A"u8.ToArray());

        Assert.Equal([("a", "1 2"), ("b", "+&="), ("a", "x"), ("flag", ""), ("c", ""), ("d", "\u20ac\r\n")], fields!);
    }

    [Theory]
    [InlineData("name=Jos%E9")] // windows-1252, not UTF-8: a browser on a UTF-8 page would send other bytes
    [InlineData("name=%zz")] // a broken escape
    [InlineData("name=%4")]
    [InlineData("name=a%00b")] // NUL cannot survive an HTML attribute
    [InlineData("name=a%01b")]
    public void Parse_WhatABrowserCouldNotSendAgainUnchanged_IsRefused(string body)
    {
        Assert.Null(Gateway.Authentication.PreservedPosts.Parse(System.Text.Encoding.ASCII.GetBytes(body)));
    }

    [Fact]
    public void Parse_MoreThan1024Fields_IsRefused()
    {
        var body = string.Join("&", Enumerable.Range(0, 1025).Select(i => "f" + i + "=1"));

        Assert.Null(Gateway.Authentication.PreservedPosts.Parse(System.Text.Encoding.ASCII.GetBytes(body)));
        Assert.NotNull(Gateway.Authentication.PreservedPosts.Parse(System.Text.Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, 1024).Select(i => "f" + i + "=1")))));
    }
}

/// <summary>The in-memory store (one instance without Redis): expiry with the sign-in, used once, bounded.</summary>
public sealed class MemoryPreservedPostStoreTests
{
    [Fact]
    public async Task Entry_IsTakenOnce_AndExpiresAfterItsLifetime()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var store = new Gateway.Authentication.MemoryPreservedPostStore(clock);
        await store.SetAsync("once", [1], TimeSpan.FromMinutes(15), default);
        await store.SetAsync("late", [2], TimeSpan.FromMinutes(15), default);

        Assert.Equal([1], await store.TakeAsync("once", default));
        Assert.Null(await store.TakeAsync("once", default));
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Null(await store.TakeAsync("late", default));
    }

    [Fact]
    public async Task WhenFull_TheOldestEntryGivesWay()
    {
        var store = new Gateway.Authentication.MemoryPreservedPostStore(new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        for (var i = 0; i <= Gateway.Authentication.MemoryPreservedPostStore.MaxEntries; i++)
        {
            await store.SetAsync("k" + i, [1], TimeSpan.FromMinutes(15), default);
        }

        var big = new byte[64 * 1024];
        for (var i = 0; i < Gateway.Authentication.MemoryPreservedPostStore.MaxBytes / big.Length + 1; i++)
        {
            await store.SetAsync("big" + i, big, TimeSpan.FromMinutes(15), default);
        }

        Assert.Null(await store.TakeAsync("k0", default));
        Assert.Null(await store.TakeAsync("big0", default));
        Assert.NotNull(await store.TakeAsync("big" + (Gateway.Authentication.MemoryPreservedPostStore.MaxBytes / big.Length), default));
    }
}
