using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Tests.Infrastructure;

/// <summary>One hop of a navigation: the URL requested and the response it got (body already buffered).</summary>
public sealed record Hop(Uri Url, HttpResponseMessage Response, string Body)
{
    public HttpStatusCode Status => Response.StatusCode;

    public Uri? Location => Response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(Url, l)) : null;

    public IReadOnlyList<string> SetCookies =>
        Response.Headers.TryGetValues("Set-Cookie", out var v) ? v.ToList() : [];

    public override string ToString() => $"{(int)Status} {Url}" + (Location is null ? string.Empty : $" -> {Location}");
}

/// <summary>The result of following redirects by hand across gateway, fake Cognito and backend.</summary>
public sealed record Navigation(IReadOnlyList<Hop> Hops)
{
    public Hop Final => Hops[^1];

    public HttpStatusCode Status => Final.Status;

    public Uri FinalUrl => Final.Url;

    /// <summary>The hop whose URL path is <paramref name="path"/> (e.g. the callback).</summary>
    public Hop? HopAt(string path) => Hops.FirstOrDefault(h => h.Url.AbsolutePath == path);

    public override string ToString() => string.Join(Environment.NewLine, Hops);
}

/// <summary>
/// A cookie-jar HttpClient that behaves like a browser: no automatic redirects (they are followed by hand so each hop
/// can be inspected), browser navigation headers by default.
/// </summary>
public sealed class TestBrowser : IDisposable
{
    private readonly HttpClient _client;

    /// <param name="cookies">A cookie jar with other limits (a real browser keeps up to 180 cookies per site; a default
    /// CookieContainer only 20, silently dropping the oldest).</param>
    public TestBrowser(GatewayHost gateway, CookieContainer? cookies = null)
    {
        Gateway = gateway;
        Cookies = cookies ?? new CookieContainer();
        Handler = new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseCookies = true };
        _client = new HttpClient(Handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public GatewayHost Gateway { get; }

    public CookieContainer Cookies { get; }

    public HttpClientHandler Handler { get; }

    public Uri Resolve(string pathOrUrl) =>
        Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var abs) && abs.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? abs
            : new Uri(Gateway.BaseUri, pathOrUrl);

    /// <summary>Gateway cookies currently in the jar (names starting with the session cookie name).</summary>
    public IReadOnlyList<Cookie> GatewayCookies(string prefix = "_gateway") =>
        Cookies.GetCookies(Gateway.BaseUri).Where(c => c.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    /// <summary>A top-level browser navigation (Accept: text/html, Sec-Fetch-Mode: navigate) that follows redirects.</summary>
    public Task<Navigation> NavigateAsync(string pathOrUrl, Action<HttpRequestMessage>? customize = null,
        int maxHops = 10) =>
        FollowAsync(HttpMethod.Get, Resolve(pathOrUrl), customize, maxHops, navigation: true);

    /// <summary>A single navigation request without following redirects.</summary>
    public async Task<Hop> NavigateOnceAsync(string pathOrUrl, Action<HttpRequestMessage>? customize = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Resolve(pathOrUrl));
        AddNavigationHeaders(request);
        customize?.Invoke(request);
        return await SendAsync(request);
    }

    /// <summary>An API call (fetch/XHR style: Accept: application/json, Sec-Fetch-Mode: cors), no redirect following.</summary>
    public async Task<Hop> ApiGetAsync(string pathOrUrl, Action<HttpRequestMessage>? customize = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Resolve(pathOrUrl));
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "cors");
        customize?.Invoke(request);
        return await SendAsync(request);
    }

    public async Task<Hop> SendAsync(HttpRequestMessage request)
    {
        var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new Hop(request.RequestUri!, response, body);
    }

    /// <summary>Follows 3xx responses by hand, only to loopback servers (any other host ends the chain).</summary>
    public async Task<Navigation> FollowAsync(HttpMethod method, Uri url, Action<HttpRequestMessage>? customize,
        int maxHops = 10, bool navigation = true, HttpContent? content = null)
    {
        var hops = new List<Hop>();
        var current = url;
        for (var i = 0; i < maxHops; i++)
        {
            var request = new HttpRequestMessage(method, current);
            if (navigation)
            {
                AddNavigationHeaders(request);
            }

            if (i == 0)
            {
                request.Content = content;
                if (method == HttpMethod.Post)
                {
                    request.Headers.TryAddWithoutValidation("Origin", Gateway.Url);
                }

                customize?.Invoke(request);
            }

            var hop = await SendAsync(request);
            hops.Add(hop);
            var status = (int)hop.Status;
            if (status is < 300 or >= 400 || hop.Location is null || !hop.Location.IsLoopback)
            {
                return new Navigation(hops);
            }

            current = hop.Location;
            if (status is 301 or 302 or 303)
            {
                method = HttpMethod.Get;
                content = null;
            }
        }

        Assert.Fail("Too many redirects (possible redirect loop):" + Environment.NewLine + new Navigation(hops));
        return null!;
    }

    /// <summary>Signs in through the whole flow (protected page → authorize → callback → page) and checks it worked.</summary>
    public async Task<Navigation> SignInAsync(string path = "/signed-in-landing")
    {
        var nav = await NavigateAsync(path);
        Assert.True(nav.Status == HttpStatusCode.OK && nav.FinalUrl.PathAndQuery == path,
            $"Sign-in did not land on {path}:{Environment.NewLine}{nav}{Environment.NewLine}{nav.Final.Body}" +
            $"{Environment.NewLine}Gateway log:{Environment.NewLine}{Gateway.Logs.Dump()}");
        return nav;
    }

    /// <summary>
    /// Signs out as a page of the site does: a form POST of the sign-out path with the headers a browser sends for a
    /// same-origin submission (<c>Sec-Fetch-Site: same-origin</c>, <c>Origin</c>); no redirect following.
    /// </summary>
    public async Task<Hop> SignOutAsync(string pathAndQuery = "/oauth2/sign_out")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Resolve(pathAndQuery)) { Content = new FormUrlEncodedContent([]) };
        AddNavigationHeaders(request);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        request.Headers.TryAddWithoutValidation("Origin", Gateway.Url);
        return await SendAsync(request);
    }

    public static void AddNavigationHeaders(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "navigate");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
        request.Headers.TryAddWithoutValidation("Upgrade-Insecure-Requests", "1");
        request.Headers.UserAgent.ParseAdd("Mozilla/5.0 (X11; Linux x86_64) GatewayTests/1.0");
    }

    public static Dictionary<string, string> Query(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    public static JsonDocument Json(Hop hop)
    {
        try
        {
            return JsonDocument.Parse(hop.Body);
        }
        catch (JsonException e)
        {
            Assert.Fail($"Expected a JSON body from {hop}, got ({hop.Response.Content.Headers.ContentType}): {hop.Body}\n{e.Message}");
            throw;
        }
    }

    public static string? MediaType(Hop hop) => hop.Response.Content.Headers.ContentType?.MediaType;

    public void Dispose()
    {
        _client.Dispose();
        Handler.Dispose();
    }
}

/// <summary>Parses one Set-Cookie header value.</summary>
public sealed record SetCookie(string Name, string Value, IReadOnlyDictionary<string, string?> Attributes)
{
    public static SetCookie Parse(string header)
    {
        var parts = header.Split(';', StringSplitOptions.TrimEntries);
        var eq = parts[0].IndexOf('=');
        var name = eq < 0 ? parts[0] : parts[0][..eq];
        var value = eq < 0 ? string.Empty : parts[0][(eq + 1)..];
        var attributes = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in parts.Skip(1).Where(p => p.Length > 0))
        {
            var i = part.IndexOf('=');
            attributes[i < 0 ? part : part[..i]] = i < 0 ? null : part[(i + 1)..];
        }

        return new SetCookie(name, value, attributes);
    }

    public bool IsDeletion =>
        Value.Length == 0 ||
        (Attributes.TryGetValue("expires", out var exp) && DateTimeOffset.TryParse(exp, out var when) && when < DateTimeOffset.UtcNow) ||
        (Attributes.TryGetValue("max-age", out var age) && int.TryParse(age, out var secs) && secs <= 0);

    /// <summary>The session cookie itself or one of its chunks (_gateway, _gatewayC1, ...), not correlation/nonce cookies.</summary>
    public static bool IsSessionCookieName(string name, string cookieName = "_gateway") =>
        name == cookieName ||
        (name.StartsWith(cookieName + "C", StringComparison.Ordinal) && name.Length > cookieName.Length + 1 &&
         name[(cookieName.Length + 1)..].All(char.IsAsciiDigit));
}
