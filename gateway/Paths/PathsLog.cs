using Gateway.Observability;

namespace Gateway.Paths;

internal static partial class PathsLog
{
    // The path itself is not logged: it is attacker-controlled and may carry control characters.
    [LoggerMessage(LogEventIds.PathRefused, LogLevel.Information, "Refused a request path ({Problem}); see Gateway:Paths in the README for the rules.")]
    public static partial void PathRefused(this ILogger logger, PathProblem problem);
}
