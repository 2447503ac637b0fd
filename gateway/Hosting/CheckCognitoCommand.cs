using Gateway.CognitoCheck;
using Gateway.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// <c>--check-cognito</c>: reads the configuration exactly as a start would (same sources, same validation), then
/// compares the live Cognito pool with it (<see cref="CognitoCheckRunner"/>) instead of starting. Exit codes: 0 nothing
/// would fail, 1 problems found or the pool could not be read, 2 the configuration itself is invalid (as at start-up).
/// With <c>Gateway:Apps</c>, every app with a Cognito section is checked (and the top-level section when present), each
/// line prefixed with its app; the exit code is the worst of them.
/// </summary>
internal static class CheckCognitoCommand
{
    public const string Flag = "--check-cognito";

    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, output, error, Environment.GetEnvironmentVariable, new SocketsHttpHandler(), TimeProvider.System);

    public static int Run(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, HttpMessageHandler handler, TimeProvider time)
    {
        var (remainingArgs, configPath, argumentProblem) = ConfigFileArgument.Extract(args.Where(a => a != Flag).ToArray());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = remainingArgs, ContentRootPath = AppContext.BaseDirectory });
        var problems = new List<string>();
        if (argumentProblem is not null)
        {
            problems.Add(argumentProblem);
        }

        if (configPath is not null && ConfigFileArgument.AddBeforeEnvironment(builder.Configuration, configPath).Problem is { } fileProblem)
        {
            problems.Add(fileProblem);
        }

        problems.AddRange(GatewayOptionsSetup.Check(builder.Configuration));
        if (problems.Count > 0)
        {
            error.WriteLine(new GatewayConfigurationException(problems).Message);
            return 2;
        }

        var options = GatewayOptionsSetup.Snapshot(builder.Configuration);
        var apps = new GatewayApps(options);
        var cognitoApps = apps.All.Where(a => a.IsDefault ? options.Cognito is not null : a.Options!.Cognito is not null).ToList();
        if (cognitoApps.Count == 0)
        {
            error.WriteLine(options.Apps.Count == 0
                ? $"{Flag} checks an Amazon Cognito user pool: this configuration has no Gateway:Cognito section."
                : $"{Flag} checks Amazon Cognito user pools: this configuration has no Gateway:Cognito section and no app with a Gateway:Apps:NAME:Cognito section.");
            return 2;
        }

        var routes = builder.Configuration.GetSection("ReverseProxy:Routes").GetChildren()
            .Select(route => (
                RouteId: route.Key,
                Name: route.GetSection("Metadata")[RouteMetadataKeys.IdentityProvider],
                App: route.GetSection("Metadata")[RouteMetadataKeys.App],
                Hosts: route.GetSection("Match:Hosts").Get<List<string>>() ?? []))
            .Where(r => !string.IsNullOrWhiteSpace(r.Name))
            .ToList();

        // A route's identity provider name must be supported by the client of each app that can serve the route: the app
        // it names (Gateway.App), else the apps of its hosts, else every app (a route without hosts matches any host).
        List<(string RouteId, string Name)> RouteProvidersOf(AppDefinition app) => routes
            .Where(r => !apps.Many || (r.App is { Length: > 0 } named
                ? string.Equals(named.Trim(), app.Name, StringComparison.OrdinalIgnoreCase)
                : r.Hosts.Count == 0 || r.Hosts.Any(h => apps.ForHost(h.Split(':')[0].Trim()) == app)))
            .Select(r => (r.RouteId, r.Name!))
            .ToList();

        var checks = cognitoApps
            .Select(app => app.IsDefault
                ? CognitoCheckSettings.From(options, RouteProvidersOf(app))
                : CognitoCheckSettings.ForApp(options, app.Name, app.Options!, RouteProvidersOf(app)))
            .ToList();
        (builder.Configuration as IDisposable)?.Dispose();
        using (handler)
        {
            // Each pool and client on its own (its lines prefixed with its app when there are apps); the exit code is the worst.
            var runner = new CognitoCheckRunner(handler, environment, time, output);
            var exit = 0;
            foreach (var settings in checks)
            {
                exit = Math.Max(exit, runner.RunAsync(settings, CancellationToken.None).GetAwaiter().GetResult());
            }

            return exit;
        }
    }
}
