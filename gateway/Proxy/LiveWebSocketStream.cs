namespace Gateway.Proxy;

/// <summary>
/// The client side of a proxied WebSocket, as YARP sees it: bytes pass through unchanged, counted as activity, while the
/// frames the backend sends are followed (headers only) so that a close frame (1008, policy violation) can be put
/// between two of them when the session ends. After the close frame nothing more reaches either side.
/// </summary>
internal sealed class LiveWebSocketStream(Stream inner, LiveConnection connection) : Stream
{
    /// <summary>1008 policy violation, the reason "session ended": FIN + close opcode, unmasked (server to client).</summary>
    private static readonly byte[] CloseFrame = [0x88, 15, 0x03, 0xF0, .. "session ended"u8];

    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly TaskCompletionSource _closeSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _clientFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebSocketFrameTracker _frames;
    private bool _closePending;
    private volatile bool _closed;

    /// <summary>Completes when the client sent anything after the close frame (its close frame) or closed its side.</summary>
    public Task ClientFinished => _clientFinished.Task;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Sends the close frame now if the backend is between frames, or right after the frame it is in the middle of.
    /// False when that does not happen within <paramref name="grace"/> (a stalled backend or a client that does not read).
    /// </summary>
    public async Task<bool> SendCloseAsync(TimeSpan grace)
    {
        if (!await _writes.WaitAsync(grace))
        {
            return false;
        }

        try
        {
            if (_closed)
            {
                return true;
            }

            if (_frames.AtBoundary)
            {
                await WriteCloseFrameAsync(CancellationToken.None);
                return true;
            }

            _closePending = true;
        }
        finally
        {
            _writes.Release();
        }

        try
        {
            await _closeSent.Task.WaitAsync(grace);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (_closed || read == 0)
        {
            // After the close frame the client's answer is not the backend's business: the backend side ends here.
            _clientFinished.TrySetResult();
            return 0;
        }

        connection.Touch();
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            if (_closed)
            {
                return;
            }

            if (!_closePending)
            {
                _frames.Advance(buffer.Span, stopAtBoundary: false);
                await inner.WriteAsync(buffer, cancellationToken);
                connection.Touch();
                return;
            }

            // Finish the frame the client is in the middle of, then close; the rest of the backend's bytes are dropped.
            var upTo = _frames.Advance(buffer.Span, stopAtBoundary: true);
            await inner.WriteAsync(buffer[..upTo], cancellationToken);
            if (_frames.AtBoundary)
            {
                await WriteCloseFrameAsync(cancellationToken);
            }
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task WriteCloseFrameAsync(CancellationToken cancellationToken)
    {
        _closed = true;
        await inner.WriteAsync(CloseFrame, cancellationToken);
        await inner.FlushAsync(cancellationToken);
        _closeSent.TrySetResult();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _closed ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// Follows WebSocket frame boundaries in a byte stream by reading frame headers (RFC 6455 §5.2) and skipping payloads,
/// so a control frame can be inserted between frames (control frames may come between the fragments of a message).
/// </summary>
internal struct WebSocketFrameTracker
{
    private int _headerRead;
    private int _headerLength;
    private int _lengthBytes;
    private long _length;
    private long _payloadLeft;

    public readonly bool AtBoundary => _headerRead == 0 && _payloadLeft == 0;

    /// <summary>Follows <paramref name="data"/>; returns how many bytes were taken (all of them, or up to the first boundary).</summary>
    public int Advance(ReadOnlySpan<byte> data, bool stopAtBoundary)
    {
        var i = 0;
        while (i < data.Length)
        {
            if (_payloadLeft > 0)
            {
                var take = (int)Math.Min(_payloadLeft, data.Length - i);
                i += take;
                _payloadLeft -= take;
            }
            else
            {
                HeaderByte(data[i++]);
            }

            if (stopAtBoundary && AtBoundary)
            {
                return i;
            }
        }

        return i;
    }

    private void HeaderByte(byte value)
    {
        _headerRead++;
        if (_headerRead == 1)
        {
            return;
        }

        if (_headerRead == 2)
        {
            var length7 = value & 0x7F;
            _lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
            _length = length7 < 126 ? length7 : 0;
            _headerLength = 2 + _lengthBytes + ((value & 0x80) != 0 ? 4 : 0);
        }
        else if (_headerRead <= 2 + _lengthBytes)
        {
            _length = (_length << 8) | value;
        }

        if (_headerRead == _headerLength)
        {
            _payloadLeft = _length;
            _headerRead = 0;
        }
    }
}
