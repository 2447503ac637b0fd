using Gateway.Demo.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Gateway.Demo.Emulator;

/// <summary>
/// A local stand-in for an Amazon Cognito user pool and its hosted UI: discovery, JWKS, a login page,
/// the OAuth2 endpoints and Cognito's <c>/logout</c> rules, all in memory. For development and tests only.
/// </summary>
public static class CognitoEmulator
{
    /// <summary>
    /// Builds (does not start) the emulator listening on <paramref name="url"/>, e.g. <c>http://127.0.0.1:0</c>.
    /// After start, read the real address from <see cref="WebApplication.Urls"/>; the issuer is <c>{address}/{UserPoolId}</c>.
    /// Resolve <see cref="EmulatorKeys"/> and <see cref="EmulatorState"/> from <c>app.Services</c> to rotate keys or inspect state.
    /// </summary>
    /// <exception cref="ArgumentException">The URL's host is not a loopback address, or <see cref="CognitoEmulatorOptions.Validate"/> finds a problem.</exception>
    public static WebApplication Build(CognitoEmulatorOptions options, string url, TimeProvider? timeProvider = null) =>
        Build(options, url, timeProvider, configure: static _ => { });

    /// <summary>As <see cref="Build(CognitoEmulatorOptions, string, TimeProvider?)"/>, with a hook to add services or logging providers before the app is built.</summary>
    public static WebApplication Build(CognitoEmulatorOptions options, string url, TimeProvider? timeProvider, Action<WebApplicationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.UserPoolId);
        foreach (var user in options.Users.Where(u => u.IdentityProvider is not null && string.IsNullOrEmpty(u.Username)))
        {
            user.Username = $"{user.IdentityProvider}_{user.ProviderUserId}";
        }

        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new ArgumentException("The emulated user pool has a configuration Cognito would refuse: " + string.Join(" ", problems), nameof(options));
        }

        var builder = LoopbackWebApplication.CreateBuilder(url, "Gateway.Demo.Emulator");
        var time = timeProvider ?? TimeProvider.System;
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton<EmulatorKeys>();
        builder.Services.AddSingleton(sp => new EmulatorState(options, time));
        builder.Services.AddSingleton<UserDirectory>();
        builder.Services.AddSingleton<TokenFactory>();
        builder.Services.AddSingleton<HostedUiEndpoints>();
        builder.Services.AddSingleton<OAuthEndpoints>();
        configure(builder);

        var app = builder.Build();
        MapEndpoints(app, options);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
            app.Logger.Started(options.UserPoolId, string.Join(", ", addresses ?? []));
        });
        return app;
    }

    /// <summary>
    /// The issuer (and Gateway:Cognito:Authority) of a started emulator: <c>{first listening address}/{UserPoolId}</c>,
    /// e.g. <c>http://127.0.0.1:40123/eu-west-1_DemoPool1</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The emulator has not been started.</exception>
    public static string GetIssuer(WebApplication emulator)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var options = emulator.Services.GetRequiredService<CognitoEmulatorOptions>();
        var address = emulator.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault(a => !a.EndsWith(":0", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The emulator is not listening yet; call StartAsync first.");
        return $"{address.TrimEnd('/')}/{options.UserPoolId}";
    }

    private static void MapEndpoints(WebApplication app, CognitoEmulatorOptions options)
    {
        var pool = "/" + options.UserPoolId;

        app.MapGet(pool + "/.well-known/openid-configuration", context =>
        {
            var origin = EmulatorUrls.Origin(context.Request);
            var issuer = EmulatorUrls.Issuer(context.Request, options);
            return context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["authorization_endpoint"] = origin + EmulatorUrls.AuthorizePath,
                ["end_session_endpoint"] = origin + EmulatorUrls.LogoutPath,
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["issuer"] = issuer,
                ["jwks_uri"] = issuer + "/.well-known/jwks.json",
                ["response_types_supported"] = new[] { "code", "token" },
                ["revocation_endpoint"] = origin + EmulatorUrls.RevokePath,
                ["scopes_supported"] = new[] { "openid", "email", "phone", "profile" },
                ["subject_types_supported"] = new[] { "public" },
                ["token_endpoint"] = origin + EmulatorUrls.TokenPath,
                ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post" },
                ["userinfo_endpoint"] = origin + EmulatorUrls.UserInfoPath,
            }, context.RequestAborted);
        });

        app.MapGet(pool + "/.well-known/jwks.json", context =>
            context.Response.WriteAsJsonAsync(
                new Dictionary<string, object> { ["keys"] = context.RequestServices.GetRequiredService<EmulatorKeys>().GetPublicJwks() },
                context.RequestAborted));

        // Cognito does not serve discovery on the hosted-UI domain.
        app.MapGet("/.well-known/{**rest}", context =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return context.Response.WriteAsJsonAsync(
                new Dictionary<string, string> { ["error"] = "invalid_request", ["error_description"] = "Discovery is served at {issuer}/.well-known/openid-configuration, not on the hosted-UI domain." },
                context.RequestAborted);
        });

        app.MapGet(EmulatorUrls.AuthorizePath, context => context.RequestServices.GetRequiredService<HostedUiEndpoints>().AuthorizeAsync(context));
        app.MapPost(EmulatorUrls.LoginPath, context => context.RequestServices.GetRequiredService<HostedUiEndpoints>().LoginAsync(context));
        app.MapPost(EmulatorUrls.IdpResponsePath, context => context.RequestServices.GetRequiredService<HostedUiEndpoints>().IdpResponseAsync(context));
        app.MapGet(EmulatorUrls.LogoutPath, context => context.RequestServices.GetRequiredService<HostedUiEndpoints>().LogoutAsync(context));
        app.MapPost(EmulatorUrls.TokenPath, context => context.RequestServices.GetRequiredService<OAuthEndpoints>().TokenAsync(context));
        app.MapPost(EmulatorUrls.RevokePath, context => context.RequestServices.GetRequiredService<OAuthEndpoints>().RevokeAsync(context));
        app.MapMethods(EmulatorUrls.UserInfoPath, ["GET", "POST"], context => context.RequestServices.GetRequiredService<OAuthEndpoints>().UserInfoAsync(context));
        app.MapGet("/", context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(HostedUiPages.Error("not_found", "This is the hosted-UI domain of the local Cognito stand-in; start a sign-in from the app."), context.RequestAborted);
        });
    }
}
