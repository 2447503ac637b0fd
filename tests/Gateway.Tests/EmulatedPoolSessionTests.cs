using System.Net;
using System.Text.RegularExpressions;
using Gateway.Demo.Emulator;
using Gateway.Demo.Hosting;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>
/// Sessions against the demo's Cognito emulator (the strict stand-in: real hosted-UI sign-in, token lifetimes from
/// the pool's settings, refresh-token rotation with a grace period), with the pool and the gateways on one fake clock.
/// </summary>
public sealed partial class EmulatedPoolSessionTests : IAsyncLifetime
{
    private const string ClientId = "session-tests-client";
    private const string ClientSecret = "session-tests-secret";
    private const string Email = "alice@example.com";
    private const string Password = "Passw0rd!";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("gateway-emulated-pool-keys-");
    private readonly List<IAsyncDisposable> _started = [];
    private readonly BackendStub _backend = BackendStub.Start();
    private WebApplication? _emulator;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _started.Reverse();
        foreach (var server in _started)
        {
            await server.DisposeAsync();
        }

        _backend.Dispose();
        _keys.Delete(recursive: true);
    }

    private EmulatorState Pool => _emulator!.Services.GetRequiredService<EmulatorState>();

    /// <summary>Starts the pool and <paramref name="instances"/> gateways (cookie store, shared Data Protection keys, no Redis).</summary>
    private async Task<GatewayHost[]> StartAsync(TimeSpan tokenLifetime, bool rotation, TimeSpan grace, int instances = 1)
    {
        // Registered as http://localhost (Cognito allows plain-http callback URLs only there); Kestrel listens on 127.0.0.1.
        var ports = Enumerable.Range(0, instances).Select(_ => LoopbackPorts.Reserve()).ToList();
        var urls = ports.Select(p => $"http://localhost:{p}").ToList();
        var options = new CognitoEmulatorOptions
        {
            AccessTokenLifetime = tokenLifetime,
            IdTokenLifetime = tokenLifetime,
            RefreshTokenRotationGracePeriod = grace,
            Users = [new EmulatorUser { Username = "alice", Email = Email, Password = Password, Groups = ["staff"] }],
            Clients =
            [
                new EmulatorClient
                {
                    ClientId = ClientId,
                    ClientSecret = ClientSecret,
                    RefreshTokenRotation = rotation,
                    CallbackUrls = urls.Select(u => u + "/oauth2/callback").ToList(),
                    SignOutUrls = urls.Select(u => u + "/").ToList(),
                },
            ],
        };
        _emulator = CognitoEmulator.Build(options, "http://127.0.0.1:0", _clock, b => b.Logging.ClearProviders());
        await _emulator.StartAsync();
        _started.Add(_emulator);
        var issuer = CognitoEmulator.GetIssuer(_emulator);

        var hosts = new GatewayHost[instances];
        for (var i = 0; i < instances; i++)
        {
            var url = urls[i];
            hosts[i] = await GatewayHost.StartAsync([], new Dictionary<string, string?>
            {
                ["Gateway:Cognito:Authority"] = issuer,
                ["Gateway:Cognito:ClientId"] = ClientId,
                ["Gateway:Cognito:ClientSecret"] = ClientSecret,
                ["Gateway:Cognito:SignOutUri"] = url + "/",
                ["Gateway:DataProtection:KeysPath"] = _keys.FullName,
                ["ReverseProxy:Routes:app:ClusterId"] = "backend",
                ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
                ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = _backend.Url,
            }, b =>
            {
                b.WebHost.UseUrls($"http://127.0.0.1:{ports[i]}");
                b.Services.AddSingleton<TimeProvider>(_clock);
            });
            _started.Add(hosts[i]);
        }

        return hosts;
    }

    /// <summary>Signs in through the pool's hosted-UI form, as a browser would.</summary>
    private static async Task SignInAsync(TestBrowser browser, string path = "/landing")
    {
        var loginPage = (await browser.NavigateAsync(path)).Final;
        var form = FormRegex().Match(loginPage.Body);
        Assert.True(loginPage.Status == HttpStatusCode.OK && form.Success, $"Expected the hosted-UI login form, got {loginPage}");
        var fields = HiddenRegex().Matches(form.Groups["body"].Value)
            .Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)))
            .Append(new("username", Email))
            .Append(new("password", Password));
        var signedIn = await browser.FollowAsync(HttpMethod.Post, new Uri(loginPage.Url, WebUtility.HtmlDecode(form.Groups["action"].Value)), null,
            content: new FormUrlEncodedContent(fields));
        Assert.True(signedIn.Status == HttpStatusCode.OK && signedIn.FinalUrl.AbsolutePath == path, $"Sign-in did not land on {path}:{Environment.NewLine}{signedIn}");
    }

    private static async Task<HttpResponseMessage> GetAsync(GatewayHost host, string cookieHeader, string path)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url + path);
        request.Headers.TryAddWithoutValidation("Cookie", cookieHeader);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task FiveMinuteTokens_NoRefreshWhileFresh_OneRefreshAtExpiryMinusMargin()
    {
        var gateway = (await StartAsync(TimeSpan.FromMinutes(5), rotation: false, grace: TimeSpan.Zero)).Single();
        using var browser = new TestBrowser(gateway);
        await SignInAsync(browser);
        var signedInAt = _clock.GetUtcNow();

        for (var i = 0; i < 60; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            var hop = await browser.ApiGetAsync($"/first-minute/{i}");
            Assert.Equal(HttpStatusCode.OK, hop.Status);
            Assert.Empty(hop.SetCookies);
        }

        Assert.Equal(0, Pool.RefreshTokenGrants);

        // Refresh margin for 5-minute tokens: a quarter of the lifetime (75 s), so the refresh comes 3¾ minutes after sign-in.
        _clock.Advance(signedInAt + TimeSpan.FromSeconds(225) - _clock.GetUtcNow() - TimeSpan.FromSeconds(1));
        Assert.Empty((await browser.ApiGetAsync("/before")).SetCookies);
        Assert.Equal(0, Pool.RefreshTokenGrants);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var due = await browser.ApiGetAsync("/due");
        Assert.Equal(HttpStatusCode.OK, due.Status);
        Assert.NotEmpty(due.SetCookies);
        Assert.Equal(1, Pool.RefreshTokenGrants);

        for (var i = 0; i < 60; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            var hop = await browser.ApiGetAsync($"/after/{i}");
            Assert.Equal(HttpStatusCode.OK, hop.Status);
            Assert.Empty(hop.SetCookies);
        }

        Assert.Equal(1, Pool.RefreshTokenGrants);
    }

    [Fact]
    public async Task RotationWithZeroGrace_TwoCookieInstances_TheRaceLoserIsNotSignedOut()
    {
        var hosts = await StartAsync(TimeSpan.FromMinutes(60), rotation: true, grace: TimeSpan.Zero, instances: 2);
        var (a, b) = (hosts[0], hosts[1]);
        using var browser = new TestBrowser(a);
        await SignInAsync(browser);
        var oldCookie = browser.Cookies.GetCookieHeader(a.BaseUri);

        // Instance A refreshes first and the pool rotates the refresh token; with a 0 s grace the old one is dead at once.
        _clock.Advance(TimeSpan.FromMinutes(56));
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/on-a")).Status);
        var newCookie = browser.Cookies.GetCookieHeader(a.BaseUri);
        Assert.NotEqual(oldCookie, newCookie);
        Assert.Equal(1, Pool.RefreshTokenGrants);

        // A request of the same browser still carrying the old cookie reaches B: the pool refuses B's refresh
        // (invalid_grant), and the user is still served, with their identity.
        _clock.Advance(TimeSpan.FromSeconds(1));
        using (var raced = await GetAsync(b, oldCookie, "/on-b"))
        {
            Assert.Equal(HttpStatusCode.OK, raced.StatusCode);
            Assert.False(raced.Headers.TryGetValues("Set-Cookie", out var setCookies) && setCookies.Any(c => SetCookie.Parse(c).IsDeletion));
        }

        Assert.Equal(1, Pool.FailedTokenRequests);
        Assert.Equal(Email, BackendStub.HeaderValues(_backend.LastRequestTo("/on-b"), "X-Forwarded-Email").Single());

        // The browser's next request brings A's new cookie: B serves it without another refresh.
        using (var next = await GetAsync(b, newCookie, "/next-on-b"))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            Assert.False(next.Headers.Contains("Set-Cookie"));
        }

        Assert.Equal(1, Pool.RefreshTokenGrants);
        Assert.Equal(Email, BackendStub.HeaderValues(_backend.LastRequestTo("/next-on-b"), "X-Forwarded-Email").Single());

        // The dead refresh token's cookie lasts only until its access token expires.
        _clock.Advance(TimeSpan.FromMinutes(4));
        using (var stale = await GetAsync(b, oldCookie, "/stale-on-b"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/still-signed-in")).Status);
    }

    [GeneratedRegex("""<form[^>]*action="(?<action>[^"]*)"[^>]*>(?<body>.*?)</form>""", RegexOptions.Singleline)]
    private static partial Regex FormRegex();

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]*)" value="(?<value>[^"]*)">""")]
    private static partial Regex HiddenRegex();
}
