using Gateway.Observability;

namespace Gateway.Hosting;

/// <summary>
/// The gateway's commands: <c>dotnet Gateway.dll --help</c>, <c>--version</c>, <c>--check-config</c>, <c>--probe URL</c>,
/// <c>--check-cognito</c>.
/// Without one of these flags the process runs the gateway. One table, so a new command is one entry (<see cref="Add"/>),
/// listed by <c>--help</c> without further changes.
/// </summary>
public static class GatewayCommandLine
{
    /// <summary>The process ran as asked (the gateway stopped cleanly, the probe answered 2xx, the configuration is valid).</summary>
    public const int Success = 0;

    /// <summary>Something failed at run time: a probe without a 2xx answer, a port already in use.</summary>
    public const int Failure = 1;

    /// <summary>The configuration (or the command line) is invalid; the message lists every problem.</summary>
    public const int InvalidConfiguration = 2;

    /// <summary>
    /// One command. <paramref name="Flag"/> anywhere on the command line selects it; <see cref="Run"/> gets the other
    /// arguments (those of <c>--config</c> and configuration keys included) and returns the exit code.
    /// </summary>
    public sealed record Command(string Flag, string Usage, string Summary, Func<string[], int> Run, string? Alias = null);

    private static readonly List<Command> Commands =
    [
        new("--help", "--help", "this text", _ => Help(Console.Out), Alias: "-h"),
        new("--version", "--version", "the gateway's version", _ => Version()),
        new("--check-config", "--check-config [--config FILE] [KEY=VALUE …]",
            "validate the whole configuration as start-up would, without listening: exit 0 when valid, 2 with every problem", CheckConfig),
        new("--probe", "--probe URL",
            "GET URL (a health check without curl, e.g. http://127.0.0.1:9090/readyz): exit 0 on a 2xx answer, 1 with a one-line reason otherwise",
            ProbeCommand.Run),
        new(CheckCognitoCommand.Flag, CheckCognitoCommand.Flag + " [--config FILE] [KEY=VALUE …]",
            "compare the live Cognito user pool, app client and domain with the configuration (AWS credentials with cognito-idp:Describe*): exit 0 when nothing would fail, 1 with one line per problem, 2 when the configuration is invalid",
            args => CheckCognitoCommand.Run(args, Console.Out, Console.Error)),
    ];

    /// <summary>Adds a command (another feature's, registered from Program.cs before <see cref="TryRun"/>).</summary>
    public static void Add(Command command) => Commands.Add(command);

    /// <summary>Runs the command named on the command line, if any; false means "run the gateway".</summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        foreach (var command in Commands)
        {
            var index = Array.FindIndex(args, a => a == command.Flag || (command.Alias is not null && a == command.Alias));
            if (index >= 0)
            {
                exitCode = command.Run([.. args[..index], .. args[(index + 1)..]]);
                return true;
            }
        }

        exitCode = Success;
        return false;
    }

    private static string VersionText => GatewayVersion.Text;

    private static int Version()
    {
        Console.Out.WriteLine($"Gateway {VersionText} (.NET {Environment.Version})");
        return Success;
    }

    /// <summary>Builds the gateway (which validates everything, as at start-up) and disposes it without starting it.</summary>
    private static int CheckConfig(string[] args)
    {
        try
        {
            using var app = GatewayApp.Build(args);
        }
        catch (GatewayConfigurationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return InvalidConfiguration;
        }

        Console.Out.WriteLine("The configuration is valid.");
        return Success;
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine($"""
            Gateway {VersionText}: an Amazon Cognito (or OpenID Connect) sign-in in front of web apps, as a reverse proxy.

            Usage:
              dotnet Gateway.dll [--config FILE] [--urls URLS] [KEY=VALUE …]    run the gateway
            """);
        foreach (var command in Commands)
        {
            output.WriteLine($"  dotnet Gateway.dll {command.Usage}");
            output.WriteLine($"      {command.Summary}");
        }

        output.WriteLine("""

            Configuration, later sources winning (key names are case-insensitive):
              1. appsettings.json beside Gateway.dll (published defaults)
              2. --config FILE: a JSON file (watched: policies and routes reload live)
              3. environment variables, ':' written as '__': Gateway__Session__Store=Redis
              4. the command line: --Gateway:Session:Store=Redis, or Gateway:Session:Store=Redis

            Main keys (README.md, "Configuration keys", lists them all; an unknown Gateway: key is an error):
              Gateway:Cognito:UserPoolId, :ClientId, :ClientSecret, :Domain   the Cognito user pool and app client
              Gateway:Oidc:Authority, :ClientId, :ClientSecret                or any other OpenID Connect provider
              Gateway:PublicOrigin, Gateway:TrustedProxies:N                  how clients reach the gateway
              Gateway:Session:Store (Cookie|Redis), :Lifetime, :IdleTimeout   sessions
              Gateway:Redis:Configuration                                     Redis for sessions, keys, signals
              Gateway:Policies:NAME:Groups:N                                  named authorization policies
              Gateway:Management:Urls                                         /healthz, /readyz, /metrics listener
              ReverseProxy:Routes:ID, ReverseProxy:Clusters:ID                the apps behind the gateway (YARP)
              Urls (--urls), ASPNETCORE_HTTP_PORTS                            where the public listener listens

            Exit codes:
              0  stopped cleanly / valid configuration / probe answered 2xx
              1  failed at run time (e.g. a port already in use, a probe without a 2xx answer)
              2  invalid configuration or command line (every problem listed on stderr)
            """);
        return Success;
    }
}
