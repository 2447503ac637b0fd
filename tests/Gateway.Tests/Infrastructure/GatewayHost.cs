using System.Collections.Concurrent;
using Gateway.Health;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway (GatewayApp.Build) on Kestrel at http://127.0.0.1:0 with in-memory configuration, addressed as
/// <c>http://localhost:PORT</c>: Cognito allows plain-http callback URLs only for localhost, so that is the origin a
/// browser uses and the fake pool registers.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private GatewayHost(WebApplication app, string url, InMemoryLogSink logs)
    {
        App = app;
        Url = url;
        Logs = logs;
    }

    public WebApplication App { get; }

    /// <summary>e.g. http://localhost:54321 (no trailing slash; Kestrel listens on 127.0.0.1, which localhost resolves to).</summary>
    public string Url { get; }

    public Uri BaseUri => new(Url);

    public InMemoryLogSink Logs { get; }

    public string CallbackUrl => Url + "/oauth2/callback";

    /// <summary>
    /// The management listener (/healthz, /readyz, /metrics), e.g. http://127.0.0.1:54322; the default test configuration
    /// has one (<c>Gateway:Management:Urls</c> = <c>http://127.0.0.1:0</c>), as the container and Kubernetes examples do.
    /// </summary>
    public string ManagementUrl =>
        App.Services.GetService<ManagementListener>()?.Urls.FirstOrDefault()
        ?? throw new InvalidOperationException("This gateway has no management listener (Gateway:Management:Urls).");

    /// <summary>The standard test configuration: Cognito at the fake, one backend cluster, app/public/admin/api/open routes.</summary>
    public static Dictionary<string, string?> DefaultConfig(FakeCognito cognito, string backendUrl) => new()
    {
        ["Gateway:Cognito:Authority"] = cognito.Authority,
        ["Gateway:Cognito:ClientId"] = FakeCognito.ClientId,
        ["Gateway:Policies:admins:Groups:0"] = "admins",
        ["Gateway:Management:Urls"] = "http://127.0.0.1:0",

        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",

        ["ReverseProxy:Routes:public:ClusterId"] = "backend",
        ["ReverseProxy:Routes:public:Match:Path"] = "/public/{**rest}",
        ["ReverseProxy:Routes:public:AuthorizationPolicy"] = "anonymous",

        ["ReverseProxy:Routes:admin:ClusterId"] = "backend",
        ["ReverseProxy:Routes:admin:Match:Path"] = "/admin/{**rest}",
        ["ReverseProxy:Routes:admin:AuthorizationPolicy"] = "admins",

        ["ReverseProxy:Routes:api:ClusterId"] = "backend",
        ["ReverseProxy:Routes:api:Match:Path"] = "/api/{**rest}",
        ["ReverseProxy:Routes:api:Metadata:Gateway.Unauthenticated"] = "Deny",

        ["ReverseProxy:Routes:open:ClusterId"] = "backend",
        ["ReverseProxy:Routes:open:Match:Path"] = "/open/{**rest}",
        ["ReverseProxy:Routes:open:Metadata:Gateway.Unauthenticated"] = "Allow",

        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = backendUrl,
    };

    public static Task<GatewayHost> StartAsync(FakeCognito cognito, BackendStub backend,
        IReadOnlyDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? customize = null) =>
        StartAsync(cognito, backend.Url, overrides, customize);

    public static async Task<GatewayHost> StartAsync(FakeCognito cognito, string backendUrl,
        IReadOnlyDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? customize = null)
    {
        var config = DefaultConfig(cognito, backendUrl);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                config.Remove(key);
            }
            else
            {
                config[key] = value;
            }
        }

        var host = await StartAsync([], config, customize);
        cognito.RegisterApp(host.Url);
        return host;
    }

    public static async Task<GatewayHost> StartAsync(string[] args, IReadOnlyDictionary<string, string?> config,
        Action<WebApplicationBuilder>? customize = null)
    {
        var logs = new InMemoryLogSink();
        var app = GatewayApp.Build(args, b =>
        {
            Configure(b, config, logs);
            customize?.Invoke(b);
        });
        await app.StartAsync();
        var bound = new Uri(app.Urls.Single(u => u.StartsWith("http://127.0.0.1:", StringComparison.Ordinal)));
        return new GatewayHost(app, $"http://localhost:{bound.Port}", logs);
    }

    /// <summary>The builder customisation every test uses: loopback port 0, in-memory config, captured logs.</summary>
    public static void Configure(WebApplicationBuilder builder, IReadOnlyDictionary<string, string?> config,
        InMemoryLogSink? logs = null)
    {
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Captures gateway log lines so failing assertions can show what the gateway said.</summary>
public sealed class InMemoryLogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    public string Dump() => string.Join(Environment.NewLine, _lines.TakeLast(40));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}" +
                          (exception is null ? string.Empty : " | " + exception.GetType().Name + ": " + exception.Message));
            while (lines.Count > 500 && lines.TryDequeue(out _))
            {
            }
        }
    }
}
