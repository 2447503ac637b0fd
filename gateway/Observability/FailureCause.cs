using System.Net.Sockets;

namespace Gateway.Observability;

/// <summary>
/// One short line saying why a call to a dependency (identity provider, Redis, a backend) failed, for an expected
/// network failure that must not fill the log with a stack trace: "Connection refused (10.0.0.5:443)", "no answer in
/// time", "Redis UnableToConnect". Messages that may quote request data (Redis command keys) are not used; the text is
/// escaped and bounded.
/// </summary>
internal static class FailureCause
{
    public static string Describe(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException http when !string.IsNullOrWhiteSpace(http.Message):
                    // e.g. "Connection refused (127.0.0.1:5001)", "Name or service not known (idp.example:443)",
                    // "The SSL connection could not be established, see inner exception."
                    return Clean(http.HttpRequestError == HttpRequestError.SecureConnectionError
                        ? "TLS connection could not be established: " + (http.InnerException?.Message ?? http.Message)
                        : http.Message);
                case SocketException socket:
                    return Clean(socket.SocketErrorCode + ": " + socket.Message);
                case TaskCanceledException or TimeoutException when current.GetType().Namespace?.StartsWith("StackExchange", StringComparison.Ordinal) != true:
                    return "no answer in time (timeout)";
                case StackExchange.Redis.RedisConnectionException redis:
                    // The message lists commands and keys: only the failure type.
                    return redis.InnerException is SocketException inner
                        ? Clean($"Redis {redis.FailureType} ({inner.SocketErrorCode})")
                        : "Redis " + redis.FailureType;
                case StackExchange.Redis.RedisTimeoutException:
                    return "Redis did not answer in time (timeout)";
            }
        }

        var innermost = exception.GetBaseException();
        return Clean(innermost.GetType().Name + ": " + FirstLine(innermost.Message));
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static string Clean(string text) => LogValue.Sanitize(FirstLine(text), 200);
}
