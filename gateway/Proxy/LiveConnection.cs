using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Proxy;

/// <summary>One proxied WebSocket or event stream of a session, and how to end it.</summary>
internal sealed class LiveConnection
{
    /// <summary>
    /// How long a close waits for the backend to finish the frame it is sending, and then for the client's close frame.
    /// Network grace periods, not session time: real time, whatever clock the sessions run on.
    /// </summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _forwarding;
    private readonly CancellationToken _requestAborted;
    private readonly TaskCompletionSource _requestFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastActivityTicks;
    private int _closing;
    private bool _finished;
    private LiveWebSocketStream? _stream;

    public LiveConnection(HttpContext context, LiveConnectionKind kind, string key, string? subject, DateTimeOffset? absoluteExpiry, TimeProvider time, ILogger logger)
    {
        _context = context;
        Kind = kind;
        Key = key;
        Subject = subject;
        AbsoluteExpiry = absoluteExpiry;
        _time = time;
        _logger = logger;
        Touch();

        // YARP forwards until the request is aborted: a token of our own stops it without aborting the client's
        // connection, so Kestrel still flushes the close frame and ends the connection in order (an abort resets it,
        // and the client may lose the close frame still in its receive queue).
        _requestAborted = context.RequestAborted;
        _forwarding = CancellationTokenSource.CreateLinkedTokenSource(_requestAborted);
        context.RequestAborted = _forwarding.Token;
    }

    public LiveConnectionKind Kind { get; }

    /// <summary>The session cache key (<see cref="Sessions.SessionKeyFeature"/>) the connection was opened with.</summary>
    public string Key { get; }

    public string? Subject { get; }

    public DateTimeOffset? AbsoluteExpiry { get; }

    /// <summary>The last time a byte went through the connection, either way (an event stream: when it opened).</summary>
    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);

    public void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _time.GetUtcNow().UtcTicks);

    /// <summary>
    /// Hands YARP a client stream that this connection can end with a close frame: YARP copies raw bytes between the
    /// upgraded client stream and the backend, so the close frame has to be written by the stream itself, between frames.
    /// </summary>
    public void CaptureClientStream()
    {
        var features = _context.Features;
        if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            features.Set<IHttpUpgradeFeature>(new LiveUpgradeFeature(upgrade, this));
        }

        if (features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            features.Set<IHttpExtendedConnectFeature>(new LiveExtendedConnectFeature(connect, this));
        }
    }

    private Stream Attach(Stream clientStream)
    {
        var stream = new LiveWebSocketStream(clientStream, this);
        _stream = stream;
        return stream;
    }

    /// <summary>Ends the connection once, in the background: the caller is a timer or a Redis message handler.</summary>
    public void Close(LiveConnectionEnd reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            _ = CloseAsync(reason);
        }
    }

    private async Task CloseAsync(LiveConnectionEnd reason)
    {
        var closeFrameSent = false;
        try
        {
            if (_stream is { } stream)
            {
                closeFrameSent = await stream.SendCloseAsync(CloseGrace);
                if (closeFrameSent)
                {
                    // The close handshake: the client answers with its own close frame (browsers do at once).
                    await stream.ClientFinished.WaitAsync(CloseGrace);
                }
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or did not answer in time: the connection is cut below either way.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LiveConnectionCloseFailed(ex.GetType().Name);
        }
        finally
        {
            await StopForwardingAsync();
            _logger.LiveConnectionClosed(Kind, reason, closeFrameSent, Subject);
        }
    }

    /// <summary>Stops YARP's copy in both directions; a request that does not end promptly then has its connection cut.</summary>
    private async Task StopForwardingAsync()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }
        }

        try
        {
            await _forwarding.CancelAsync();
            await _requestFinished.Task.WaitAsync(CloseGrace);
        }
        catch (Exception ex) when (ex is TimeoutException or ObjectDisposedException or AggregateException)
        {
            // Still forwarding after the grace period (or already gone): cut below.
        }

        lock (_gate)
        {
            if (!_finished)
            {
                _context.Abort();
            }
        }
    }

    /// <summary>The request ended: the context may be reused from now on, so nothing may touch it.</summary>
    public void Finished()
    {
        lock (_gate)
        {
            _finished = true;
            _context.RequestAborted = _requestAborted;
        }

        _requestFinished.TrySetResult();
        _forwarding.Dispose();
    }

    private sealed class LiveUpgradeFeature(IHttpUpgradeFeature inner, LiveConnection connection) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => connection.Attach(await inner.UpgradeAsync());
    }

    private sealed class LiveExtendedConnectFeature(IHttpExtendedConnectFeature inner, LiveConnection connection) : IHttpExtendedConnectFeature
    {
        public bool IsExtendedConnect => inner.IsExtendedConnect;

        public string? Protocol => inner.Protocol;

        public async ValueTask<Stream> AcceptAsync() => connection.Attach(await inner.AcceptAsync());
    }
}
