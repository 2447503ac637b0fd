using Gateway.Assertions;
using Gateway.Authentication;
using Gateway.Authorization;
using Gateway.Configuration;
using Gateway.Health;
using Gateway.Paths;
using Gateway.Proxy;
using Gateway.Sessions;
using SessionOptions = Gateway.Configuration.SessionOptions;

namespace Gateway.Hosting;

/// <summary>
/// Every feature's options, bound with <c>AddOptions&lt;T&gt;().Bind(section)</c>, validated by the feature's own
/// <c>IValidateOptions&lt;T&gt;</c> and <c>ValidateOnStart</c>. <see cref="Check"/> runs all of it before the app is built,
/// so one <see cref="GatewayConfigurationException"/> lists every problem.
/// </summary>
internal static class GatewayOptionsSetup
{
    public static IServiceCollection AddGatewayOptions(this IServiceCollection services, IConfiguration configuration)
    {
        const string gateway = GatewayOptions.SectionName;
        services.AddBoundOptions<PublicEndpointOptions, PublicEndpointOptionsValidator>(configuration, gateway);
        services.AddBoundOptions<IdentityProviderOptions, IdentityProviderOptionsValidator>(configuration, gateway);
        services.AddBoundOptions<ProxyHeaderOptions, ProxyHeaderOptionsValidator>(configuration, gateway);
        services.AddBoundOptions<CognitoOptions, CognitoOptionsValidator>(configuration, gateway + ":Cognito");
        services.AddBoundOptions<OidcOptions, OidcOptionsValidator>(configuration, gateway + ":Oidc");
        services.AddBoundOptions<BearerOptions, BearerOptionsValidator>(configuration, gateway + ":Bearer");
        services.AddBoundOptions<SessionOptions, SessionOptionsValidator>(configuration, gateway + ":Session");
        services.AddBoundOptions<RedisOptions, RedisOptionsValidator>(configuration, gateway + ":Redis");
        services.AddBoundOptions<DataProtectionOptions, DataProtectionOptionsValidator>(configuration, gateway + ":DataProtection");
        services.AddBoundOptions<PathOptions, PathOptionsValidator>(configuration, gateway + ":Paths");
        services.AddBoundOptions<AssertionOptions, AssertionOptionsValidator>(configuration, gateway + ":Assertion");
        services.AddBoundOptions<AlbOptions, AlbOptionsValidator>(configuration, gateway + ":Alb");
        services.AddBoundOptions<RedirectHostOptions, RedirectHostOptionsValidator>(configuration, gateway);
        services.AddBoundOptions<ManagementOptions, ManagementOptionsValidator>(configuration, gateway + ":Management");
        services.AddBoundOptions<ForwardAuth.ForwardAuthOptions, ForwardAuth.ForwardAuthOptionsValidator>(configuration, gateway + ":ForwardAuth");
        services.AddBoundOptions<Errors.PageOptions, Errors.PageOptionsValidator>(configuration, gateway + ":Pages");
        GatewayPolicyOptions.Register(services);
        services.AddOptions<GatewayAppsOptions>()
            .Configure<IConfiguration>((apps, config) => apps.Apps = AppsConfiguration.Read(config.GetSection(AppsConfiguration.SectionPath)));
        services.AddValidatedSection<GatewayAppsOptions, GatewayAppsOptionsValidator>(AppsConfiguration.SectionPath, typeof(Dictionary<string, AppOptions>));
        // YARP owns the section's keys; the gateway checks only its own rules about routes.
        services.AddBoundOptions<ProxyRouteOptions, ProxyRouteOptionsValidator>(configuration, "ReverseProxy", checkKeys: false);
        services.AddSingleton<Yarp.ReverseProxy.Configuration.IProxyConfigFilter, ClusterReferenceFilter>();
        services.AddHostedService<StartupOnlyKeyWatcher>();
        return services;
    }

    /// <summary>Every problem of every feature (unknown keys, unconvertible values, each validator's findings).</summary>
    public static List<string> Check(IConfiguration configuration)
    {
        var problems = OptionsStartupCheck.Run(configuration, static (services, config) => services.AddGatewayOptions(config));

        // The OTEL_* keys are the OpenTelemetry SDK's, outside "Gateway": checked here so they join the same message.
        problems.AddRange(Observability.GatewayTracing.Check(configuration));
        return problems;
    }

    /// <summary>The whole "Gateway" section in one object, for composition decisions and the services that take it (call after <see cref="Check"/>).</summary>
    public static GatewayOptions Snapshot(IConfiguration configuration)
    {
        var options = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        options.Policies = PolicyConfiguration.Read(configuration.GetSection(GatewayOptions.SectionName + ":Policies"), []);
        options.Apps = AppsConfiguration.Read(configuration.GetSection(AppsConfiguration.SectionPath));
        return options;
    }
}
