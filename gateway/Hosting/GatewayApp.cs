using Gateway.Authentication;
using Gateway.Authorization;
using Gateway.Configuration;
using Gateway.Endpoints;
using Gateway.Errors;
using Gateway.ForwardAuth;
using Gateway.Health;
using Gateway.Paths;
using Gateway.Proxy;
using Gateway.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Yarp.ReverseProxy.Forwarder;

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

        var options = new GatewayOptions();
        try
        {
            builder.Configuration.GetSection(GatewayOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the value it could not convert (never a secret: those are strings).
            problems.Add(ex.Message + " Fix the value's format (durations look like '08:00:00', lists use :0, :1, … keys).");
        }

        options.Policies = PolicyConfiguration.Read(builder.Configuration.GetSection(GatewayOptions.SectionName + ":Policies"), problems);
        problems.AddRange(GatewayConfigurationValidator.Validate(options, builder.Configuration));
        if (problems.Count > 0)
        {
            throw new GatewayConfigurationException(problems);
        }

        builder.Services.AddGateway(options, builder.Configuration);
        var app = builder.Build();
        if (configFile is not null)
        {
            var reloadLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Configuration");
            configFile.ReloadFailed = reason => reloadLogger.ConfigFileReloadIgnored(reason);
        }

        app.UseGatewayPipeline(options);
        return app;
    }

    private static void AddGateway(this IServiceCollection services, GatewayOptions options, IConfiguration configuration)
    {
        var provider = IdentityProviderSettings.From(options);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(provider);
        services.AddSingleton(new IdentityHeaderMap(options, provider));
        services.AddSingleton(new GatewayCookieFilter(options.Session.CookieName));
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(ProviderMetadata.HttpClientName, client => client.Timeout = options.BackchannelTimeout);
        services.AddSingleton<ProviderMetadata>();
        services.AddSingleton<TokenClient>();
        services.AddSingleton<GatewayOpenIdConnectEvents>();
        services.AddSingleton<SignInHints>();
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, ConfigureOpenIdConnectOptions>();
        services.AddGatewaySessions(options);
        services.AddSingleton(BearerSettings.From(options, provider));
        services.AddAuthentication(auth =>
            {
                auth.DefaultScheme = GatewaySchemes.Session;
                auth.DefaultAuthenticateScheme = GatewaySchemes.Auto;
                auth.DefaultChallengeScheme = GatewaySchemes.OpenIdConnect;
                auth.DefaultSignOutScheme = GatewaySchemes.Session;
            })
            .AddPolicyScheme(GatewaySchemes.Auto, displayName: null, auto => auto.ForwardDefaultSelector = BearerSelection.SelectScheme)
            .AddCookie(GatewaySchemes.Session)
            .AddScheme<AuthenticationSchemeOptions, CognitoAccessTokenHandler>(GatewaySchemes.Bearer, _ => { })
            .AddOpenIdConnect(GatewaySchemes.OpenIdConnect, _ => { });
        services.AddGatewayAuthorization();

        if (options.TrustedProxies.Count > 0)
        {
            services.Configure<ForwardedHeadersOptions>(forwarded =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var entry in options.TrustedProxies)
                {
                    UriRules.TryParseNetwork(entry, out var network);
                    forwarded.KnownIPNetworks.Add(network);
                }
            });
        }

        services.AddSingleton(new TrustedProxies(options));
        services.AddSingleton<ForwardAuthRouteMatcher>();
        services.AddSingleton<UntrustedForwardAuthCallers>();
        services.AddSingleton<Observability.GatewayMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Observability.GatewayMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http")
            .AddPrometheusExporter());
        services.AddHealthChecks().AddCheck<IdentityProviderHealthCheck>("identity-provider", tags: [HealthEndpoints.ReadyTag]);
        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddTransforms<IdentityTransformProvider>();
    }

    private static void UseGatewayPipeline(this WebApplication app, GatewayOptions options)
    {
        // Created now, so it watches configuration reloads from the start.
        app.Services.GetRequiredService<GatewayPolicyStore>();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = HandleExceptionAsync, SuppressDiagnosticsCallback = _ => true });
        if (options.TrustedProxies.Count > 0)
        {
            app.Use(TrustedProxies.RecordPeerAsync);
            app.UseForwardedHeaders();
        }

        if (!string.IsNullOrWhiteSpace(options.PublicOrigin))
        {
            var origin = new Uri(options.PublicOrigin.Trim());
            var host = new HostString(origin.Authority);
            app.Use((context, next) =>
            {
                context.Request.Scheme = origin.Scheme;
                context.Request.Host = host;
                return next(context);
            });
        }

        // One canonical path for routing, policies and the backend (and /oauth2/auth uses the same rules on the original URI).
        app.UseMiddleware<CanonicalPathMiddleware>(options.Paths);
        app.UseRouting();
        // The default scheme serves sessions validated moments ago from the cache (Sessions/SessionFastPath.cs).
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGatewayHealth();
        app.MapGatewayAuthEndpoints(options);
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(WriteBackendErrorPageAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
    }

    private static async Task WriteBackendErrorPageAsync(HttpContext context, Func<Task> next)
    {
        await next();
        var error = context.GetForwarderErrorFeature();
        // A client that went away is not a backend failure: nothing to answer, nothing to warn about.
        if (error is null || context.Response.HasStarted ||
            error.Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled ||
            context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var route = context.GetRouteModel().Config.RouteId;
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Proxy").BackendFailed(route, error.Error.ToString());
        var status = context.Response.StatusCode is >= 500 and <= 504 ? context.Response.StatusCode : StatusCodes.Status502BadGateway;
        await ErrorResponses.WriteAsync(context, status, "backend_unavailable", "The application is not answering",
            "Your sign-in is fine, but the application behind this gateway did not answer. Please try again in a moment.",
            ReturnUrl.FromRequest(context.Request), "Try again");
    }

    private static async Task HandleExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var options = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value;
        if (exception is IdentityProviderUnavailableException)
        {
            await ErrorResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "idp_unavailable", "The sign-in service is not answering",
                "We could not reach the sign-in service. Please try again in a moment.", ReturnUrl.FromRequest(context.Request));
            return;
        }

        if (exception is SessionStoreUnavailableException)
        {
            await ErrorResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "session_store_unavailable", "Sessions are unavailable",
                "The gateway cannot reach its session store right now. Your session is kept; please try again in a moment.",
                ReturnUrl.FromRequest(context.Request));
            return;
        }

        if (exception is BadHttpRequestException bad)
        {
            await ErrorResponses.WriteAsync(context, bad.StatusCode, "bad_request", "Bad request", "The request could not be understood.", "/", "Go to the home page");
            return;
        }

        if (exception is InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            // A malformed or oversized form (e.g. multipart without a boundary on /oauth2/sign_out).
            await ErrorResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_request", "Bad request", "The request body could not be read.", "/", "Go to the home page");
            return;
        }

        if (exception is not null)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway").UnhandledException(exception);
        }

        await ErrorResponses.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_error", "Something went wrong",
            "The gateway hit an unexpected error. Please try again.", options.BasePath + "/sign_in");
    }
}
