using Gateway.CognitoCheck;
using Gateway.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// <c>--check-cognito</c>: reads the configuration exactly as a start would (same sources, same validation), then
/// compares the live Cognito pool with it (<see cref="CognitoCheckRunner"/>) instead of starting. Exit codes: 0 nothing
/// would fail, 1 problems found or the pool could not be read, 2 the configuration itself is invalid (as at start-up).
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
        if (options.Cognito is null)
        {
            error.WriteLine($"{Flag} checks an Amazon Cognito user pool: this configuration has no Gateway:Cognito section.");
            return 2;
        }

        var routeProviders = builder.Configuration.GetSection("ReverseProxy:Routes").GetChildren()
            .Select(route => (RouteId: route.Key, Name: route.GetSection("Metadata")[RouteMetadataKeys.IdentityProvider]))
            .Where(r => !string.IsNullOrWhiteSpace(r.Name))
            .Select(r => (r.RouteId, r.Name!))
            .ToList();
        var settings = CognitoCheckSettings.From(options, routeProviders);
        (builder.Configuration as IDisposable)?.Dispose();
        using (handler)
        {
            return new CognitoCheckRunner(handler, environment, time, output).RunAsync(settings, CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}
