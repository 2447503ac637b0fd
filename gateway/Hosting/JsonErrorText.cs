using System.Text.Json;

namespace Gateway.Hosting;

/// <summary>Describes why a JSON file cannot be read, with the line and column an editor shows (1-based).</summary>
internal static class JsonErrorText
{
    public static string Describe(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException { LineNumber: { } line } json)
            {
                // System.Text.Json counts from 0 and appends "LineNumber: … | BytePositionInLine: …" to its message.
                var message = json.Message;
                var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                if (suffix >= 0)
                {
                    message = message[..suffix];
                }

                var column = json.BytePositionInLine is { } position ? $", column {position + 1}" : string.Empty;
                return $"line {line + 1}{column}: {message}";
            }
        }

        return exception.InnerException?.Message ?? exception.Message;
    }
}
