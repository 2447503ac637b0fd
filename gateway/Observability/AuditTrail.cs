namespace Gateway.Observability;

/// <summary>
/// The audit trail: one line per security event under its own category (<see cref="Category"/>), so operators can keep
/// it apart from the rest (its own sink, its own retention) or silence it by log level. Every line carries the same
/// structured fields: <c>Event</c> (a fixed name, see <see cref="AuditEvents"/>), <c>Subject</c> (the user's
/// <c>sub</c>, or anonymous), <c>RouteId</c>, <c>Reason</c> and <c>ClientAddress</c>. Never a token, cookie or email:
/// callers pass reasons made of the gateway's own words and configured names, and request-borne text is escaped here.
/// </summary>
internal sealed partial class AuditTrail(ILoggerFactory loggerFactory)
{
    public const string Category = "Gateway.Audit";

    private const string Anonymous = "anonymous";
    private const string NoRoute = "-";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    /// <summary>The trail of the request's application, for code that is not built by dependency injection.</summary>
    public static AuditTrail Of(HttpContext context) => context.RequestServices.GetRequiredService<AuditTrail>();

    public void SignedIn(HttpContext context, string? subject) =>
        AuditSignedIn(_logger, AuditEvents.SignIn, Subject(subject), NoRoute, Client(context), "session created");

    public void SignInFailed(HttpContext context, string reason) =>
        AuditSignInFailed(_logger, AuditEvents.SignInFailed, Anonymous, NoRoute, Client(context), Reason(reason));

    public void SignedOut(HttpContext context, string? subject, bool revoked) =>
        AuditSignedOut(_logger, AuditEvents.SignOut, Subject(subject), NoRoute, Client(context), revoked ? "refresh token revoked" : "no refresh token revoked");

    public void RefreshFailed(HttpContext context, string? subject, string reason) =>
        AuditRefreshFailed(_logger, AuditEvents.RefreshFailed, Subject(subject), NoRoute, Client(context), Reason(reason));

    /// <summary>A 401 the gateway answered.</summary>
    public void Unauthenticated(HttpContext context, string? routeId, string reason) =>
        AuditUnauthenticated(_logger, AuditEvents.Unauthenticated, Subject(context.User.FindFirst("sub")?.Value), Route(routeId), Client(context), Reason(reason));

    /// <summary>A 403 the gateway answered: which policy, which requirement.</summary>
    public void Forbidden(HttpContext context, string? routeId, string reason, string? subject = null) =>
        AuditForbidden(_logger, AuditEvents.Forbidden, Subject(subject ?? context.User.FindFirst("sub")?.Value), Route(routeId), Client(context), Reason(reason));

    public void SpoofedHeaderStripped(HttpContext context, string routeId, string headerName) =>
        AuditSpoofedHeader(_logger, AuditEvents.SpoofedHeaderStripped, Subject(context.User.FindFirst("sub")?.Value), Route(routeId), Client(context),
            "inbound header " + LogValue.Sanitize(headerName, 100) + " removed");

    public void ConfigurationReloaded(string reason) =>
        AuditConfigurationReloaded(_logger, AuditEvents.ConfigurationReloaded, Anonymous, NoRoute, "-", Reason(reason));

    public void ConfigurationReloadRejected(string reason) =>
        AuditConfigurationReloadRejected(_logger, AuditEvents.ConfigurationReloadRejected, Anonymous, NoRoute, "-", Reason(reason));

    private static string Subject(string? subject) => string.IsNullOrEmpty(subject) ? Anonymous : LogValue.Sanitize(subject, 100);

    private static string Route(string? routeId) => string.IsNullOrEmpty(routeId) ? NoRoute : LogValue.Sanitize(routeId, 100);

    private static string Client(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "-";

    private static string Reason(string reason) => LogValue.Sanitize(reason, 500);

    private const string Template = "{Event} user={Subject} route={RouteId} client={ClientAddress}: {Reason}";

    [LoggerMessage(LogEventIds.AuditSignedIn, LogLevel.Information, Template)]
    private static partial void AuditSignedIn(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditSignInFailed, LogLevel.Warning, Template)]
    private static partial void AuditSignInFailed(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditSignedOut, LogLevel.Information, Template)]
    private static partial void AuditSignedOut(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditRefreshFailed, LogLevel.Warning, Template)]
    private static partial void AuditRefreshFailed(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditUnauthenticated, LogLevel.Information, Template)]
    private static partial void AuditUnauthenticated(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditForbidden, LogLevel.Warning, Template)]
    private static partial void AuditForbidden(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditSpoofedHeader, LogLevel.Warning, Template)]
    private static partial void AuditSpoofedHeader(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditConfigurationReloaded, LogLevel.Information, Template)]
    private static partial void AuditConfigurationReloaded(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);

    [LoggerMessage(LogEventIds.AuditConfigurationReloadRejected, LogLevel.Error, Template)]
    private static partial void AuditConfigurationReloadRejected(ILogger logger, string @event, string subject, string routeId, string clientAddress, string reason);
}

/// <summary>The <c>Event</c> names of the audit trail (stable: alerting rules match on them).</summary>
internal static class AuditEvents
{
    public const string SignIn = "sign_in";
    public const string SignInFailed = "sign_in_failed";
    public const string SignOut = "sign_out";
    public const string RefreshFailed = "refresh_failed";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string SpoofedHeaderStripped = "spoofed_header_stripped";
    public const string ConfigurationReloaded = "configuration_reloaded";
    public const string ConfigurationReloadRejected = "configuration_reload_rejected";
}
