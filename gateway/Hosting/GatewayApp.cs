using Gateway.Assertions;
using Gateway.Authentication;
using Gateway.Authorization;
using Gateway.Configuration;
using Gateway.Endpoints;
using Gateway.Errors;
using Gateway.ForwardAuth;
using Gateway.Health;
using Gateway.IdentityProvider;
using Gateway.Ingress;
using Gateway.Observability;
using Gateway.Paths;
using Gateway.Proxy;
using Gateway.Sessions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Hosting;

/// <summary>The one composition root, shared by Program.cs, the demo and the tests.</summary>
public static class GatewayApp
{
    /// <summary>
    /// Builds the gateway: configuration sources (appsettings.json beside the binary, <c>--config FILE</c>,
    /// environment variables, command line), then <paramref name="configure"/>, then validation of the whole
    /// configuration. Throws <see cref="GatewayConfigurationException"/> listing every problem.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var (remainingArgs, configPath, argumentProblem) = ConfigFileArgument.Extract(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = remainingArgs,
            ContentRootPath = AppContext.BaseDirectory,
        });
        ReloadSafeJsonConfigurationSource? configFile = null;
        string? configFileProblem = null;
        if (configPath is not null)
        {
            (configFile, configFileProblem) = ConfigFileArgument.AddBeforeEnvironment(builder.Configuration, configPath);
        }

        configure?.Invoke(builder);

        var problems = new List<string>();
        if (configFileProblem is not null)
        {
            problems.Add(configFileProblem);
        }

        if (argumentProblem is not null)
        {
            problems.Add(argumentProblem);
        }

        problems.AddRange(GatewayOptionsSetup.Check(builder.Configuration));
        if (problems.Count > 0)
        {
            throw new GatewayConfigurationException(problems);
        }

        builder.Services.AddGatewayOptions(builder.Configuration);
        var options = GatewayOptionsSetup.Snapshot(builder.Configuration);
        builder.Services.AddGateway(options, builder.Configuration);
        var app = builder.Build();
        if (configFile is not null)
        {
            var reloadLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Configuration");
            var audit = app.Services.GetRequiredService<AuditTrail>();
            configFile.ReloadFailed = reason =>
            {
                reloadLogger.ConfigFileReloadIgnored(reason);
                audit.ConfigurationReloadRejected("the --config file cannot be read (" + reason + "); the previous settings stay in force");
            };
        }

        app.UseGatewayPipeline(options);
        StartupSummary.LogWhenStarted(app, options);
        return app;
    }

    /// <summary>Each feature registers its own services; what they share is registered first.</summary>
    private static void AddGateway(this IServiceCollection services, GatewayOptions options, IConfiguration configuration)
    {
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(new GatewayPaths(options.BasePath, options.Session.CookieName));
        services.AddSingleton(new CrossHostSettings(options));
        services.AddSingleton(new GatewayApps(options));
        services.TryAddSingleton(TimeProvider.System);
        services.AddGatewayObservability(configuration);
        services.AddSingleton(PageTemplates.Load(options.Pages.Directory).Templates);
        services.AddGatewayTracing(configuration);
        services.AddGatewayIngress(options);
        services.AddGatewayIdentityProvider(options);
        services.AddGatewaySessions(options);
        services.AddGatewayAuthentication(options);
        services.AddGatewayAuthorization();
        services.AddGatewayAssertions(options);
        services.AddGatewayProxy(options, configuration);
        services.AddGatewayForwardAuth();
        services.AddGatewayEndpoints();
        services.AddGatewayHealth(options);
        if (!string.IsNullOrWhiteSpace(options.Redis.Configuration))
        {
            services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag]);
        }
    }

    private static void UseGatewayPipeline(this WebApplication app, GatewayOptions options)
    {
        // Created now, so it watches configuration reloads from the start.
        app.Services.GetRequiredService<GatewayPolicyStore>();
        // Created now, so its counters are on /metrics (at 0) before the first event.
        app.Services.GetRequiredService<GatewayMetrics>();
        var paths = app.Services.GetRequiredService<GatewayPaths>();
        app.UseGatewayErrors();
        app.UseGatewayIngress(options);
        app.UseRouting();
        app.UseGatewayAccessLog();
        // The default scheme serves sessions validated moments ago from the cache (Sessions/SessionFastPath.cs).
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGatewayHealth(paths, options.Management.Enabled);
        app.MapGatewayAuthEndpoints(paths);
        app.MapGatewayForwardAuth(paths);
        app.MapGatewayAssertionKeys(paths, options);
        app.MapGatewayProxy();
    }
}
