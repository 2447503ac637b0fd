using Gateway.Observability;

namespace Gateway.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(LogEventIds.ConfigFileReloadIgnored, LogLevel.Error, "The --config file changed but cannot be read ({Reason}); the previous settings stay in force until it is fixed.")]
    public static partial void ConfigFileReloadIgnored(this ILogger logger, string reason);

    [LoggerMessage(LogEventIds.RestartNeeded, LogLevel.Warning, "Configuration key {Key} changed, but it only takes effect at start-up: restart needed (the running gateway keeps its start-up value; policies and ReverseProxy reload live).")]
    public static partial void RestartNeeded(this ILogger logger, string key);

    [LoggerMessage(LogEventIds.StartupOnlyKeyRestored, LogLevel.Information, "Configuration key {Key} is back to the value the gateway started with; no restart needed for it.")]
    public static partial void StartupOnlyKeyRestored(this ILogger logger, string key);
}
