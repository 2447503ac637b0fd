using System.Collections.Concurrent;
using System.Globalization;
using Gateway.Configuration;
using Gateway.IdentityProvider;
using Gateway.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>
/// The WebSockets and server-sent-events streams proxied for a session, so they end when the session does: on sign-out
/// (on any instance: <see cref="SessionSignals.SessionEnded"/>), when a change of the session turns out to be its end
/// (<see cref="SessionSignals.SessionChanged"/>, checked with <see cref="SessionLiveness"/>), at the session's absolute
/// expiry, and after the session's idle window without traffic on the connection itself (a busy WebSocket is not idle
/// because the page makes no HTTP requests). A WebSocket gets a close frame 1008 (policy violation); an event stream is cut.
/// </summary>
internal sealed class LiveConnections : IDisposable
{
    /// <summary>How often expiry and idleness are checked: the "within a few seconds" of the README.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    /// <summary>Open connections, with the cookie-store session id and refresh generation they were opened with (if any).</summary>
    private readonly ConcurrentDictionary<LiveConnection, (string? SessionId, int Generation)> _open = new();
    private readonly SessionSignals _signals;
    private readonly SessionLiveness _liveness;
    private readonly SessionRevocations _revocations;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveConnections> _logger;
    private readonly TimeSpan _idleTimeout;
    private readonly ITimer _sweep;

    public LiveConnections(SessionSignals signals, SessionLiveness liveness, SessionRevocations revocations, IOptions<GatewayOptions> options, TimeProvider time, ILogger<LiveConnections> logger)
    {
        _signals = signals;
        _liveness = liveness;
        _revocations = revocations;
        _time = time;
        _logger = logger;
        var session = options.Value.Session;
        _idleTimeout = session.IdleTimeout > TimeSpan.Zero && session.IdleTimeout < session.Lifetime ? session.IdleTimeout : TimeSpan.Zero;
        signals.SessionEnded += OnEnded;
        signals.SessionChanged += OnChanged;
        _sweep = time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    /// <summary>The number of live connections open on this instance.</summary>
    public int Count => _open.Count;

    /// <summary>
    /// Proxy pipeline step: a WebSocket (HTTP/1.1 upgrade or HTTP/2 extended CONNECT) or event-stream request with a
    /// session is registered for as long as YARP forwards it. Any other request passes with two feature lookups.
    /// </summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var kind = KindOf(context);
        if (kind is null || SessionKeyFeature.Of(context) is not { } key)
        {
            await next();
            return;
        }

        var (absoluteExpiry, subject, revocable) = await SessionFactsAsync(context);
        var connection = new LiveConnection(context, kind.Value, key, subject, absoluteExpiry, _time, _logger);
        if (kind == LiveConnectionKind.WebSocket)
        {
            connection.CaptureClientStream();
        }

        _open.TryAdd(connection, (revocable?.Id, revocable?.Generation ?? 0));
        try
        {
            // Ended between authentication and registration: close at once rather than miss it.
            if (absoluteExpiry is { } expiry && _time.GetUtcNow() >= expiry)
            {
                connection.Close(LiveConnectionEnd.Expired);
            }

            await next();
        }
        finally
        {
            _open.TryRemove(connection, out _);
            connection.Finished();
        }
    }

    private static LiveConnectionKind? KindOf(HttpContext context)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } &&
            string.Equals(context.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase))
        {
            return LiveConnectionKind.WebSocket;
        }

        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect &&
            string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase))
        {
            return LiveConnectionKind.WebSocket;
        }

        // EventSource always asks for text/event-stream; a fetch() reader that does not ask is not recognised.
        var accept = context.Request.Headers.Accept;
        return accept.Count > 0 && accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase)
            ? LiveConnectionKind.EventStream
            : null;
    }

    /// <summary>
    /// The session's absolute expiry from its ticket. A request served from the validated-session cache carries no
    /// ticket properties: the session cookie is read once more, once per connection.
    /// </summary>
    private static async Task<(DateTimeOffset? AbsoluteExpiry, string? Subject, (string Id, int Generation)? Revocable)> SessionFactsAsync(HttpContext context)
    {
        var result = context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
        var subject = context.User.FindFirst("sub")?.Value;
        if (result?.Properties is not { } properties || !properties.Items.ContainsKey(SessionCookieEvents.AbsoluteExpiryItem))
        {
            var session = await context.AuthenticateAsync(GatewaySchemes.Session);
            properties = session.Succeeded ? session.Properties : null;
        }

        if (properties is null)
        {
            return (null, subject, null);
        }

        // A cookie-store session keeps its id across refreshes (its cookie, and so its cache key, changes): a sign-out
        // with a newer cookie revokes that id, which the sweep below sees.
        var revocable = SessionRevocations.Of(properties);

        // Every session records it at sign-in; the cookie's own expiry is the idle window when sliding, so not a substitute.
        return properties.Items.TryGetValue(SessionCookieEvents.AbsoluteExpiryItem, out var text) &&
               long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), subject, revocable)
            : (null, subject, revocable);
    }

    private void OnEnded(string key)
    {
        foreach (var connection in _open.Keys)
        {
            if (connection.Key == key)
            {
                connection.Close(LiveConnectionEnd.SignedOut);
            }
        }
    }

    private void OnChanged(string key)
    {
        // Renewals and refreshes signal "changed" too: only a session that is gone ends its connections.
        if (_open.Keys.Any(c => c.Key == key))
        {
            _ = RecheckAsync(key);
        }
    }

    private async Task RecheckAsync(string key)
    {
        try
        {
            if (await _liveness.IsAliveAsync(key, CancellationToken.None) == false)
            {
                foreach (var connection in _open.Keys.Where(c => c.Key == key))
                {
                    connection.Close(LiveConnectionEnd.Revoked);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not knowing is not an end: the next change, the expiry or the idle window close it.
            _logger.LiveConnectionRecheckFailed(ex.GetType().Name);
        }
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (connection, session) in _open)
        {
            if (session.SessionId is { } id && _revocations.IsRevoked(id, session.Generation))
            {
                connection.Close(LiveConnectionEnd.Revoked);
            }
            else if (connection.AbsoluteExpiry is { } expiry && now >= expiry)
            {
                connection.Close(LiveConnectionEnd.Expired);
            }
            else if (_idleTimeout > TimeSpan.Zero && now - connection.LastActivity >= _idleTimeout)
            {
                connection.Close(LiveConnectionEnd.Idle);
            }
        }
    }

    public void Dispose()
    {
        _signals.SessionEnded -= OnEnded;
        _signals.SessionChanged -= OnChanged;
        _sweep.Dispose();
    }
}

internal enum LiveConnectionKind
{
    WebSocket,
    EventStream,
}

internal enum LiveConnectionEnd
{
    SignedOut,
    Revoked,
    Expired,
    Idle,
}
