using System.Net;
using System.Text.RegularExpressions;
using Gateway.Demo.Emulator;
using Gateway.Hosting;
using Microsoft.AspNetCore.Authentication;

namespace Gateway.Bench;

/// <summary>
/// The real gateway (GatewayApp.Build, as Program.cs and the demo use it) with one session store, an anonymous
/// route and a signed-in route to the same backend, and a session obtained by signing in for real through the
/// Cognito stand-in.
/// </summary>
internal sealed partial class GatewayUnderTest : IAsyncDisposable
{
    public const string AnonymousPath = "/anon/bench";
    public const string SignedInPath = "/app/bench";
    public const string CookieName = "_gateway";

    private readonly WebApplication _app;

    private GatewayUnderTest(WebApplication app, string url, string managementUrl)
    {
        _app = app;
        Url = url;
        ManagementUrl = managementUrl;
    }

    public string Url { get; }

    /// <summary>The management listener, where /metrics is.</summary>
    public string ManagementUrl { get; }

    public static async Task<GatewayUnderTest> StartAsync(
        string store, int port, string emulatorIssuer, string backendUrl, string? redisConfiguration, string keysPath, IReadOnlyDictionary<string, string> extra)
    {
        // localhost, not 127.0.0.1: the only plain-http callback origin Cognito (and the stand-in) accepts.
        var url = $"http://localhost:{port}";
        var managementUrl = $"http://127.0.0.1:{Loopback.ReservePort()}";
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Cognito:UserPoolId"] = Stack.UserPoolId,
            ["Gateway:Cognito:Region"] = Stack.Region,
            ["Gateway:Cognito:Authority"] = emulatorIssuer,
            ["Gateway:Cognito:ClientId"] = Stack.ClientId,
            ["Gateway:Cognito:ClientSecret"] = Stack.ClientSecret,
            ["Gateway:Cognito:SignOutUri"] = url + "/",
            ["Gateway:Session:Store"] = store,
            ["Gateway:Session:CookieName"] = CookieName,
            ["Gateway:Management:Urls"] = managementUrl,
            ["ReverseProxy:Routes:anon:ClusterId"] = "backend",
            ["ReverseProxy:Routes:anon:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:anon:Match:Path"] = "/anon/{**rest}",
            ["ReverseProxy:Routes:app:ClusterId"] = "backend",
            ["ReverseProxy:Routes:app:Match:Path"] = "/app/{**rest}",
            ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = backendUrl + "/",

            // No per-request log line exists at Information; Warning keeps the bench's console readable.
            ["Logging:LogLevel:Default"] = "Warning",

            // wrk closes its connections mid-request when a run ends; the gateway logs each such request as
            // "The backend of route … failed: RequestCanceled" (a client abort, not a backend failure).
            ["Logging:LogLevel:Gateway.Proxy"] = "Error",
        };
        if (store == "Redis")
        {
            // As in production: sessions and the Data Protection key ring in Redis.
            config["Gateway:Redis:Configuration"] = redisConfiguration ?? throw new InvalidOperationException("The Redis store needs redis-server.");
        }
        else
        {
            // A single instance without Redis: keys in a private folder (not the user's profile).
            config["Gateway:DataProtection:KeysPath"] = keysPath;
        }

        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }

        var app = GatewayApp.Build([], b =>
        {
            b.WebHost.UseUrls(url);
            b.Configuration.AddInMemoryCollection(config);
            b.Logging.ClearProviders();
            b.Logging.AddSimpleConsole(o => o.SingleLine = true);
        });
        await app.StartAsync();
        return new GatewayUnderTest(app, url, managementUrl);
    }

    /// <summary>
    /// Signs in as a browser would (GET the signed-in route → 302 to the hosted UI → login form → POST /login
    /// → 302 to /oauth2/callback → session cookie → back to the route) and returns the session's Cookie header value.
    /// </summary>
    public async Task<string> SignInAsync()
    {
        var jar = new CookieContainer();
        using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = jar, AllowAutoRedirect = true, MaxAutomaticRedirections = 10 })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var loginPage = await client.GetAsync(Url + SignedInPath);
        var html = await loginPage.Content.ReadAsStringAsync();
        var form = FormRegex().Match(html);
        if (!loginPage.IsSuccessStatusCode || !form.Success || loginPage.RequestMessage?.RequestUri is not { } formPageUri)
        {
            throw new BenchFailedException($"Expected the hosted-UI login form after GET {SignedInPath}, got {(int)loginPage.StatusCode} at {loginPage.RequestMessage?.RequestUri}.");
        }

        var fields = HiddenRegex().Matches(form.Groups["body"].Value)
            .Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)))
            .Append(new("username", Stack.Email))
            .Append(new("password", Stack.Password))
            .ToList();
        var action = new Uri(formPageUri, WebUtility.HtmlDecode(form.Groups["action"].Value));
        var signedIn = await client.PostAsync(action, new FormUrlEncodedContent(fields));
        var body = await signedIn.Content.ReadAsStringAsync();
        if (signedIn.StatusCode != HttpStatusCode.OK || body != Backend.Body)
        {
            throw new BenchFailedException($"Sign-in did not end on the backend: {(int)signedIn.StatusCode} at {signedIn.RequestMessage?.RequestUri}.");
        }

        var cookies = jar.GetCookies(new Uri(Url)).Where(c => c.Name == CookieName || ChunkRegex().IsMatch(c.Name)).ToList();
        if (cookies.Count == 0)
        {
            throw new BenchFailedException("Signed in, but the gateway set no session cookie.");
        }

        return string.Join("; ", cookies.Select(c => c.Name + "=" + c.Value));
    }

    /// <summary>
    /// <paramref name="count"/> distinct sessions of the signed-in user, each with its own cookie, written to a file (one
    /// Cookie header per line) for wrk to rotate through. They are minted in-process through the gateway's own session
    /// scheme: the signed-in session's ticket is read back with its cookie and signed in again for each new session (the
    /// cookie store encrypts each copy anew with the gateway's key ring; the Redis store stores each under a new handle).
    /// </summary>
    public async Task<string> MintSessionsAsync(string cookieHeader, int count, string path)
    {
        using var scope = _app.Services.CreateScope();
        var reader = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        reader.Request.Headers.Cookie = cookieHeader;
        var session = await reader.AuthenticateAsync(Gateway.IdentityProvider.GatewaySchemes.Session);
        if (!session.Succeeded)
        {
            throw new BenchFailedException("Could not read the signed-in session back to mint more sessions.");
        }

        await using var file = new StreamWriter(path);
        for (var i = 0; i < count; i++)
        {
            // A scope per request, as in the server: the scoped handler provider keeps the handler of the context it first saw.
            using var writerScope = _app.Services.CreateScope();
            var writer = new DefaultHttpContext { RequestServices = writerScope.ServiceProvider };
            await writer.SignInAsync(Gateway.IdentityProvider.GatewaySchemes.Session, session.Principal!, session.Properties!.Clone());
            var cookies = writer.Response.Headers.SetCookie
                .Select(c => c!.Split(';', 2)[0])
                .Where(c => c.StartsWith(CookieName, StringComparison.Ordinal));
            await file.WriteLineAsync(string.Join("; ", cookies));
        }

        return path;
    }

    /// <summary>One request the way wrk sends it: the signed-in route must answer 200 with the backend's body, the anonymous one too without a cookie.</summary>
    public async Task VerifyAsync(string cookieHeader, Backend backend)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var before = backend.Served;
        using var signed = new HttpRequestMessage(HttpMethod.Get, Url + SignedInPath);
        signed.Headers.Add("Cookie", cookieHeader);
        using var signedResponse = await client.SendAsync(signed);
        var signedBody = await signedResponse.Content.ReadAsStringAsync();
        // "Served" may also count requests wrk abandoned a moment ago, so it must grow by at least one.
        if (signedResponse.StatusCode != HttpStatusCode.OK || signedBody != Backend.Body || backend.Served <= before)
        {
            throw new BenchFailedException(
                $"The signed-in route with the session cookie answered {(int)signedResponse.StatusCode} {signedResponse.Headers.Location} "
                + $"(body from the backend: {signedBody == Backend.Body}, backend reached: {backend.Served > before}) instead of the backend's 200: "
                + "the signed-in numbers would be meaningless.");
        }

        using var anonymousResponse = await client.GetAsync(Url + AnonymousPath);
        if (anonymousResponse.StatusCode != HttpStatusCode.OK || await anonymousResponse.Content.ReadAsStringAsync() != Backend.Body)
        {
            throw new BenchFailedException($"The anonymous route answered {(int)anonymousResponse.StatusCode} instead of the backend's 200.");
        }
    }

    /// <summary>
    /// The gateway's <c>gateway_session_cache_total</c> counters from /metrics (management listener): requests with a session cookie served by the
    /// validated-session fast path (hits) or by the full authentication handlers (misses), since start.
    /// </summary>
    public async Task<FastPathCounts> FastPathCountsAsync()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var body = await client.GetStringAsync(ManagementUrl + "/metrics");
        long Count(string result) => SessionCacheRegex().Matches(body)
            .Where(m => m.Groups["result"].Value == result)
            .Sum(m => long.Parse(m.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture));
        return new FastPathCounts(Count("hit"), Count("miss"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [GeneratedRegex("""<form[^>]*action="(?<action>[^"]*)"[^>]*>(?<body>.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]*)" value="(?<value>[^"]*)">""")]
    private static partial Regex HiddenRegex();

    [GeneratedRegex("""(?m)^gateway_session_cache_total\{[^}]*result="(?<result>hit|miss)"[^}]*\} (?<count>\d+)""")]
    private static partial Regex SessionCacheRegex();

    [GeneratedRegex("^" + CookieName + @"C\d+$")]
    private static partial Regex ChunkRegex();
}

/// <summary>Requests with a session cookie served by the validated-session fast path (hits) or by the full handlers (misses).</summary>
internal readonly record struct FastPathCounts(long Hits, long Misses)
{
    public double HitRatio => Hits + Misses == 0 ? double.NaN : (double)Hits / (Hits + Misses);

    public static FastPathCounts operator -(FastPathCounts a, FastPathCounts b) => new(a.Hits - b.Hits, a.Misses - b.Misses);

    public static FastPathCounts operator +(FastPathCounts a, FastPathCounts b) => new(a.Hits + b.Hits, a.Misses + b.Misses);
}

/// <summary>The bench cannot produce meaningful numbers: stop with this message.</summary>
internal sealed class BenchFailedException(string message) : Exception(message);
