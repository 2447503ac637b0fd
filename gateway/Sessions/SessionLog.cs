using Gateway.Observability;

namespace Gateway.Sessions;

internal static partial class SessionLog
{
    [LoggerMessage(LogEventIds.OtherAppSessionRefused, LogLevel.Warning, "A session of user {Subject} signed in to another app was presented to this host's app and refused (each app of Gateway:Apps has its own sessions).")]
    public static partial void OtherAppSessionRefused(this ILogger logger, string? subject);

    [LoggerMessage(LogEventIds.SessionUnreadable, LogLevel.Warning, "A stored session could not be decrypted (Data Protection keys not shared or rotated away); treating it as signed out.")]
    public static partial void UnreadableSession(this ILogger logger);

    [LoggerMessage(LogEventIds.SessionSignalFailed, LogLevel.Warning, "Could not signal a session change to the other instances ({Error}); they notice within Gateway:Session:CacheDuration.")]
    public static partial void SignalFailed(this ILogger logger, string error);

    [LoggerMessage(LogEventIds.TokensRefreshed, LogLevel.Information, "Refreshed the tokens of user {Subject} (new refresh token: {Rotated}).")]
    public static partial void TokensRefreshed(this ILogger logger, string? subject, bool rotated);

    [LoggerMessage(LogEventIds.RefreshRejected, LogLevel.Warning, "The provider refused to refresh the session of user {Subject} ({Error}); the session ends.")]
    public static partial void RefreshRejected(this ILogger logger, string? subject, string error);

    [LoggerMessage(LogEventIds.RefreshRejectedWhileValid, LogLevel.Information, "The provider refused to refresh the session of user {Subject} ({Error}) while its access token is valid until {ExpiresAt:O}: another request or instance probably rotated the refresh token first; serving the session until then.")]
    public static partial void RefreshRejectedWhileValid(this ILogger logger, string? subject, string error, DateTimeOffset expiresAt);

    [LoggerMessage(LogEventIds.RefreshUnavailable, LogLevel.Warning, "Could not refresh the session of user {Subject}: the token endpoint is unavailable; access token still valid: {StillValid}.")]
    public static partial void RefreshUnavailable(this ILogger logger, string? subject, bool stillValid);

    [LoggerMessage(LogEventIds.SessionExpired, LogLevel.Information, "The session of user {Subject} reached its absolute lifetime and ends.")]
    public static partial void SessionExpired(this ILogger logger, string? subject);

    [LoggerMessage(LogEventIds.RefreshedIdTokenInvalid, LogLevel.Warning, "The ID token returned by a refresh for user {Subject} did not validate ({Error}); the session ends.")]
    public static partial void RefreshedIdTokenInvalid(this ILogger logger, string? subject, string error);

    [LoggerMessage(LogEventIds.RevokedSessionRefused, LogLevel.Warning, "A session of user {Subject} that was signed out (or whose refresh token was refused) was presented again and refused: a copy of its cookie.")]
    public static partial void RevokedSessionRefused(this ILogger logger, string? subject);

    [LoggerMessage(LogEventIds.RevocationNotShared, LogLevel.Error, "Could not record a signed-out session in {Store} ({Error}): this instance refuses its cookie, but other instances and a restart would not know.")]
    public static partial void RevocationNotShared(this ILogger logger, string store, string error);

    [LoggerMessage(LogEventIds.RevocationsUnreadable, LogLevel.Warning, "Could not read the signed-out sessions from {Store} ({Error}); retrying every second. Until then this instance knows only the sign-outs it saw itself.")]
    public static partial void RevocationsUnreadable(this ILogger logger, string store, string error);

    [LoggerMessage(LogEventIds.RevocationsRead, LogLevel.Debug, "Read {Count} signed-out sessions from {Store}.")]
    public static partial void RevocationsRead(this ILogger logger, int count, string store);

    [LoggerMessage(LogEventIds.RevocationListFull, LogLevel.Warning, "The list of signed-out sessions reached Gateway:Session:MaxRevokedSessions ({Max}): dropped the {Evicted} entries nearest their expiry, whose copied cookies work again until they expire.")]
    public static partial void RevocationListFull(this ILogger logger, int max, int evicted);
}
