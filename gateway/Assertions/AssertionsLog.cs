using Gateway.Observability;

namespace Gateway.Assertions;

internal static partial class AssertionsLog
{
    [LoggerMessage(LogEventIds.AssertionKeyCreated, LogLevel.Information, "Created assertion signing key {KeyId}, signing from {ActiveFrom:o} until {RetireAt:o}.")]
    public static partial void AssertionKeyCreated(this ILogger logger, string keyId, DateTimeOffset activeFrom, DateTimeOffset retireAt);

    [LoggerMessage(LogEventIds.AssertionKeyStoreFailed, LogLevel.Warning, "The assertion key store ({Store}) could not be {Operation}; the keys this instance already holds stay in use.")]
    public static partial void AssertionKeyStoreFailed(this ILogger logger, string store, string operation, Exception exception);

    [LoggerMessage(LogEventIds.AssertionKeyUnreadable, LogLevel.Warning, "Assertion signing key {KeyId} in the key store cannot be read (another Data Protection key ring, or damaged); it is ignored.")]
    public static partial void AssertionKeyUnreadable(this ILogger logger, string keyId);
}
