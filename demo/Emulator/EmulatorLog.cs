namespace Gateway.Demo.Emulator;

/// <summary>Emulator log messages (EventIds 9xxx: the demo tools' range). Never logs passwords, tokens, codes or emails.</summary>
internal static partial class EmulatorLog
{
    [LoggerMessage(9001, LogLevel.Information, "Cognito emulator for pool {UserPoolId} listening on {Url}", EventName = nameof(Started))]
    public static partial void Started(this ILogger logger, string userPoolId, string url);

    [LoggerMessage(9002, LogLevel.Warning, "Authorize request rejected with {Error} for client {ClientId}", EventName = nameof(AuthorizeRejected))]
    public static partial void AuthorizeRejected(this ILogger logger, string error, string? clientId);

    [LoggerMessage(9003, LogLevel.Information, "Hosted-UI sign-in succeeded for {Subject} on client {ClientId}", EventName = nameof(SignInSucceeded))]
    public static partial void SignInSucceeded(this ILogger logger, string subject, string clientId);

    [LoggerMessage(9004, LogLevel.Information, "Hosted-UI sign-in failed on client {ClientId}", EventName = nameof(SignInFailed))]
    public static partial void SignInFailed(this ILogger logger, string clientId);

    [LoggerMessage(9005, LogLevel.Information, "Existing hosted-UI session reused for {Subject} on client {ClientId}", EventName = nameof(SessionReused))]
    public static partial void SessionReused(this ILogger logger, string subject, string clientId);

    [LoggerMessage(9006, LogLevel.Information, "Tokens issued by {GrantType} grant to client {ClientId} for {Subject}", EventName = nameof(TokensIssued))]
    public static partial void TokensIssued(this ILogger logger, string grantType, string clientId, string subject);

    [LoggerMessage(9007, LogLevel.Warning, "Token request ({GrantType}) rejected with {Error}: {Reason}", EventName = nameof(TokenRequestRejected))]
    public static partial void TokenRequestRejected(this ILogger logger, string? grantType, string error, string reason);

    [LoggerMessage(9008, LogLevel.Information, "Refresh token revocation by client {ClientId}: {Outcome}", EventName = nameof(RefreshTokenRevoked))]
    public static partial void RefreshTokenRevoked(this ILogger logger, string clientId, string outcome);

    [LoggerMessage(9009, LogLevel.Information, "Hosted-UI logout for client {ClientId}", EventName = nameof(LoggedOut))]
    public static partial void LoggedOut(this ILogger logger, string clientId);

    [LoggerMessage(9010, LogLevel.Warning, "Logout request rejected: {Reason}", EventName = nameof(LogoutRejected))]
    public static partial void LogoutRejected(this ILogger logger, string reason);

    [LoggerMessage(9011, LogLevel.Warning, "userInfo request rejected: {Reason}", EventName = nameof(UserInfoRejected))]
    public static partial void UserInfoRejected(this ILogger logger, string reason);
}
