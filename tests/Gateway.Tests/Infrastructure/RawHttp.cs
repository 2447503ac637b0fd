using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>The answer to a <see cref="RawHttp"/> request: status, headers (names case-insensitive) and the decoded body.</summary>
public sealed record RawResponse(string Target, int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"{Status} for {Target}" + (Header("Location") is { } l ? $" -> {l}" : string.Empty);
}

/// <summary>
/// HTTP/1.1 over a plain socket with the request target sent byte for byte (HttpClient and <see cref="Uri"/> would
/// resolve <c>..</c>, unescape <c>%2e</c> and refuse a backslash, which is exactly what these tests need to send).
/// </summary>
public static class RawHttp
{
    public static async Task<RawResponse> GetAsync(string baseUrl, string target, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var origin = new Uri(baseUrl);
        var request = new StringBuilder()
            .Append("GET ").Append(target).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(origin.Authority).Append("\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in headers ?? [])
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        request.Append("\r\n");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, origin.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request.ToString()), timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        return Parse(target, received.ToArray());
    }

    /// <summary>Navigation-style headers (so the gateway answers like it would to a browser) plus an optional cookie header.</summary>
    public static List<KeyValuePair<string, string>> BrowserHeaders(string? cookieHeader)
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Accept", "text/html,application/xhtml+xml"),
            new("Sec-Fetch-Mode", "navigate"),
        };
        if (!string.IsNullOrEmpty(cookieHeader))
        {
            headers.Add(new("Cookie", cookieHeader));
        }

        return headers;
    }

    private static RawResponse Parse(string target, byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"No complete HTTP response for {target}: '{text}'");
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        var body = bytes.AsSpan(end + 4);
        var decoded = headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? Dechunk(body)
            : body.ToArray();
        return new RawResponse(target, status, headers, Encoding.UTF8.GetString(decoded));
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> body)
    {
        var output = new MemoryStream();
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(body[..lineEnd]).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            if (size == 0)
            {
                break;
            }

            output.Write(body.Slice(lineEnd + 2, size));
            body = body[(lineEnd + 2 + size + 2)..];
        }

        return output.ToArray();
    }
}
