using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Demo.Emulator;
using Gateway.Demo.SampleApp;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Gateway.BrowserTests;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<GatewayStackFixture>
{
    public const string Name = "gateway stack + chromium";
}

/// <summary>
/// The whole demo stack on loopback, started once for every browser test: the Cognito stand-in, the sample
/// legacy app and the real gateway (GatewayApp.Build) configured like appsettings/demo.json, plus one Chromium.
/// Each test opens its own browser context, so cookies never leak between tests.
/// </summary>
public sealed class GatewayStackFixture : IAsyncLifetime
{
    public const string ClientId = "browser-tests-client";
    public const string ClientSecret = "browser-tests-secret";
    public const string Password = "Passw0rd!";
    public const string Alice = "alice@example.com";
    public const string Bob = "bob@example.com";

    /// <summary>A user who signs in with Google through the pool (no password): <c>cognito:username</c> <c>Google_{GoogleUserId}</c>.</summary>
    public const string Carol = "carol@gmail.example";
    public const string GoogleUserId = "104892735619238476512";

    /// <summary>A user of the corporate SAML provider (federated through the pool): <c>cognito:username</c> <c>CorpSAML_jdoe</c>.</summary>
    public const string Jdoe = "jdoe@corp.example";
    public const string SessionCookieName = "_gateway";

    // The hosted UI lives on its own host, as Cognito's does (*.amazoncognito.com), so its session cookie and the
    // gateway's never share a cookie jar entry: browsers scope cookies by host, not by port. Linux routes all of
    // 127.0.0.0/8 to loopback; where 127.0.0.2 cannot be bound (stock macOS) the emulator falls back to 127.0.0.1.
    private static readonly IPAddress EmulatorHost = IPAddress.Parse("127.0.0.2");

    private WebApplication? _emulator;
    private WebApplication? _sampleApp;
    private WebApplication? _gateway;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>e.g. http://localhost:41234 (no trailing slash): Cognito allows plain-http callback URLs only for localhost.</summary>
    public string GatewayUrl { get; private set; } = "";

    /// <summary>e.g. http://127.0.0.2:40111 (no trailing slash).</summary>
    public string EmulatorUrl { get; private set; } = "";

    /// <summary>The stand-in's state (issued and revoked refresh tokens, counters).</summary>
    public EmulatorState EmulatorState => _emulator!.Services.GetRequiredService<EmulatorState>();

    /// <summary>Where Cognito's /logout returns: the gateway's "You are signed out" page, as the README suggests.</summary>
    public string SignOutUrl => GatewayUrl + "/oauth2/signed_out";

    public GatewayLog GatewayLog { get; } = new();

    public async Task InitializeAsync()
    {
        var emulatorOptions = new CognitoEmulatorOptions
        {
            Region = "eu-west-1",
            UserPoolId = "eu-west-1_DemoPool1",
            Users =
            [
                new EmulatorUser { Username = "alice", Email = Alice, Password = Password, Groups = ["admins", "staff"] },
                new EmulatorUser { Username = "bob", Email = Bob, Password = Password, Groups = ["staff"] },
                new EmulatorUser { IdentityProvider = "Google", ProviderUserId = GoogleUserId, Email = Carol, Groups = ["staff"] },
                new EmulatorUser { IdentityProvider = "CorpSAML", ProviderUserId = "jdoe", Email = Jdoe, Groups = ["admins"] },
            ],
            IdentityProviders =
            [
                new EmulatorIdentityProvider { ProviderName = "Google", ProviderType = "Google" },
                new EmulatorIdentityProvider { ProviderName = "CorpSAML", ProviderType = "SAML", Issuer = "https://idp.corp.example/saml/metadata", IdpIdentifiers = ["corp.example"] },
            ],
        };

        // The app client must list the gateway's exact callback and sign-out URLs, so the gateway's port is chosen first.
        var gatewayPort = Gateway.Demo.Hosting.LoopbackPorts.Reserve();
        GatewayUrl = $"http://localhost:{gatewayPort}";
        emulatorOptions.Clients.Add(new EmulatorClient
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            CallbackUrls = [GatewayUrl + "/oauth2/callback"],
            SignOutUrls = [SignOutUrl],
        });

        var emulatorHost = CanBind(EmulatorHost) ? EmulatorHost : IPAddress.Loopback;
        _emulator = CognitoEmulator.Build(emulatorOptions, $"http://{emulatorHost}:0", timeProvider: null, b => b.Logging.ClearProviders());
        await _emulator.StartAsync();
        EmulatorUrl = SingleUrl(_emulator);

        _sampleApp = SampleApp.Build("http://127.0.0.1:0", GatewayUrl);
        await _sampleApp.StartAsync();
        var sampleAppUrl = SingleUrl(_sampleApp);

        var config = new Dictionary<string, string?>
        {
            ["Gateway:Cognito:UserPoolId"] = emulatorOptions.UserPoolId,
            ["Gateway:Cognito:Region"] = emulatorOptions.Region,
            ["Gateway:Cognito:Authority"] = $"{EmulatorUrl}/{emulatorOptions.UserPoolId}",
            ["Gateway:Cognito:ClientId"] = ClientId,
            ["Gateway:Cognito:ClientSecret"] = ClientSecret,
            ["Gateway:Cognito:SignOutUri"] = SignOutUrl,
            ["Gateway:Policies:admins:Groups:0"] = "admins",
            ["Gateway:Assertion:Enabled"] = "true",
            ["Gateway:Cognito:TrustedEmailProviders:0"] = "Google",
            ["Gateway:Cognito:TrustedEmailProviders:1"] = "CorpSAML",
            ["Gateway:Cognito:AllowedIdentityProviders:0"] = "Google",
            ["Gateway:Cognito:AllowedIdentityProviders:1"] = "CorpSAML",

            ["ReverseProxy:Routes:public:ClusterId"] = "sample",
            ["ReverseProxy:Routes:public:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:public:Match:Path"] = "/public/{**rest}",
            ["ReverseProxy:Routes:public-root:ClusterId"] = "sample",
            ["ReverseProxy:Routes:public-root:AuthorizationPolicy"] = "anonymous",
            ["ReverseProxy:Routes:public-root:Match:Path"] = "/public",
            ["ReverseProxy:Routes:admin:ClusterId"] = "sample",
            ["ReverseProxy:Routes:admin:AuthorizationPolicy"] = "admins",
            ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
            ["ReverseProxy:Routes:corp:ClusterId"] = "sample",
            ["ReverseProxy:Routes:corp:Match:Path"] = "/corp/{**rest}",
            ["ReverseProxy:Routes:corp:Metadata:Gateway.IdentityProvider"] = "CorpSAML",
            ["ReverseProxy:Routes:app:ClusterId"] = "sample",
            ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
            ["ReverseProxy:Clusters:sample:Destinations:app:Address"] = sampleAppUrl + "/",
        };

        _gateway = GatewayApp.Build([], b =>
        {
            b.WebHost.UseUrls(GatewayUrl);
            b.Configuration.AddInMemoryCollection(config);
            b.Logging.ClearProviders();
            b.Logging.AddProvider(GatewayLog);
        });
        await _gateway.StartAsync();

        if (BrowserEnvironment.ChromiumInstalled)
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(BrowserEnvironment.LaunchOptions);
        }
    }

    /// <summary>A fresh, isolated browser context (its own cookies) whose relative URLs resolve against the gateway.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var browser = _browser ?? throw new InvalidOperationException("Chromium was not launched; call BrowserEnvironment.RequireChromium() first.");
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = GatewayUrl });
        context.SetDefaultTimeout(10_000);
        context.SetDefaultNavigationTimeout(15_000);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        foreach (var app in new[] { _gateway, _sampleApp, _emulator })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    private static bool CanBind(IPAddress address)
    {
        try
        {
            var listener = new TcpListener(address, 0);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string SingleUrl(WebApplication app) => app.Urls.Single().TrimEnd('/');
}

/// <summary>Keeps the gateway's recent log lines, so a failing test can print what the gateway said.</summary>
public sealed class GatewayLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string Tail(int count = 30) => string.Join(Environment.NewLine, _lines.TakeLast(count));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
            while (lines.Count > 300 && lines.TryDequeue(out _))
            {
            }
        }
    }
}
