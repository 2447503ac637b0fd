using Gateway.Observability;

namespace Gateway.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(LogEventIds.ConfigFileReloadIgnored, LogLevel.Error, "The --config file changed but cannot be read ({Reason}); the previous settings stay in force until it is fixed.")]
    public static partial void ConfigFileReloadIgnored(this ILogger logger, string reason);
}
