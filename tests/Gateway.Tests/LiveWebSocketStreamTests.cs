using Gateway.Proxy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests;

/// <summary>The close frame goes between the backend's frames, never inside one.</summary>
public sealed class LiveWebSocketStreamTests
{
    private static readonly byte[] Close1008 = [0x88, 15, 0x03, 0xF0, .. "session ended"u8];

    private static (LiveWebSocketStream Stream, MemoryStream Client) Create()
    {
        var client = new MemoryStream();
        var connection = new LiveConnection(new DefaultHttpContext(), LiveConnectionKind.WebSocket, "key", null, null, TimeProvider.System, NullLogger.Instance);
        return (new LiveWebSocketStream(client, connection), client);
    }

    private static byte[] Frame(int payloadLength, byte fill)
    {
        byte[] header = payloadLength switch
        {
            < 126 => [0x82, (byte)payloadLength],
            <= ushort.MaxValue => [0x82, 126, (byte)(payloadLength >> 8), (byte)payloadLength],
            _ => [0x82, 127, 0, 0, 0, 0, (byte)(payloadLength >> 24), (byte)(payloadLength >> 16), (byte)(payloadLength >> 8), (byte)payloadLength],
        };
        return [.. header, .. Enumerable.Repeat(fill, payloadLength)];
    }

    [Fact]
    public async Task BetweenFrames_CloseIsWrittenAtOnce()
    {
        var (stream, client) = Create();
        var frame = Frame(10, 0x41);
        await stream.WriteAsync(frame);

        Assert.True(await stream.SendCloseAsync(TimeSpan.FromSeconds(5)));
        await stream.WriteAsync(Frame(3, 0x42));

        Assert.Equal([.. frame, .. Close1008], client.ToArray());
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(3, 300)]
    [InlineData(50, 70_000)]
    [InlineData(9, 70_000)]
    public async Task InsideAFrame_CloseWaitsForItsEnd_AndTheRestIsDropped(int splitAt, int payloadLength)
    {
        var (stream, client) = Create();
        var frame = Frame(payloadLength, 0x41);
        byte[] next = [.. Frame(5, 0x42), .. Frame(200, 0x43)];
        await stream.WriteAsync(frame.AsMemory(0, splitAt));

        var close = stream.SendCloseAsync(TimeSpan.FromSeconds(5));
        Assert.False(close.IsCompleted);
        await stream.WriteAsync((byte[])[.. frame.AsSpan(splitAt), .. next]);

        Assert.True(await close);
        Assert.Equal([.. frame, .. Close1008], client.ToArray());
    }

    [Fact]
    public async Task InsideAFrameOfAStalledBackend_CloseGivesUp()
    {
        var (stream, client) = Create();
        await stream.WriteAsync(Frame(10, 0x41).AsMemory(0, 5));

        Assert.False(await stream.SendCloseAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(5, client.Length);
    }

    [Fact]
    public async Task BeforeClose_ClientBytesPass_AfterClose_ReadsEndForTheBackend()
    {
        var client = new DuplexStream([0x81, 0x82, 1, 2, 3, 4, 5, 6], [0x88, 0x82, 1, 2, 3, 4, 5, 6]);
        var connection = new LiveConnection(new DefaultHttpContext(), LiveConnectionKind.WebSocket, "key", null, null, TimeProvider.System, NullLogger.Instance);
        var stream = new LiveWebSocketStream(client, connection);
        var buffer = new byte[16];

        Assert.Equal(8, await stream.ReadAsync(buffer));
        Assert.False(stream.ClientFinished.IsCompleted);
        Assert.True(await stream.SendCloseAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.True(stream.ClientFinished.IsCompleted);
        Assert.Equal(Close1008, client.Written.ToArray());
    }

    /// <summary>Reads hand out one chunk each; writes are kept apart.</summary>
    private sealed class DuplexStream(params byte[][] reads) : Stream
    {
        private readonly Queue<byte[]> _reads = new(reads);

        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_reads.TryDequeue(out var chunk))
            {
                return 0;
            }

            chunk.CopyTo(buffer, offset);
            return chunk.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
