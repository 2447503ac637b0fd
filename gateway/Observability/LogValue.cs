using System.Globalization;
using System.Text;

namespace Gateway.Observability;

/// <summary>
/// Makes a value that came from a request (a query parameter, a path, a header name, a token's kid) safe to write
/// into a log line: control characters (CR, LF, NUL, ...), Unicode line separators and invisible format characters
/// (bidi overrides) are escaped as <c>\r</c>, <c>\n</c>, <c>\u2028</c>, and the result is cut to a bounded length.
/// Nobody can start a fake log line, hide text or flood the log through it. Sanitizing twice changes nothing more
/// (backslashes are left alone), so layers may each apply it.
/// </summary>
internal static class LogValue
{
    /// <summary>Appended when a value was cut at its bound.</summary>
    public const string Ellipsis = "…";

    /// <summary>
    /// The value escaped and cut to at most <paramref name="max"/> characters (plus <see cref="Ellipsis"/>); null → "".
    /// Returns the same string, without allocating, when nothing needs changing.
    /// </summary>
    public static string Sanitize(string? value, int max)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var clean = value.Length <= max;
        if (clean)
        {
            foreach (var c in value)
            {
                if (NeedsEscape(c))
                {
                    clean = false;
                    break;
                }
            }
        }

        if (clean)
        {
            return value;
        }

        var builder = new StringBuilder(Math.Min(value.Length, max) + 8);
        foreach (var c in value)
        {
            var escaped = NeedsEscape(c) ? Escape(c) : null;
            var length = escaped?.Length ?? 1;
            if (builder.Length + length > max)
            {
                // Never end on half a surrogate pair.
                if (builder.Length > 0 && char.IsHighSurrogate(builder[^1]))
                {
                    builder.Length--;
                }

                return builder.Append(Ellipsis).ToString();
            }

            if (escaped is null)
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(escaped);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is
            UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string Escape(char c) => c switch
    {
        '\r' => "\\r",
        '\n' => "\\n",
        '\t' => "\\t",
        '\0' => "\\0",
        _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
    };
}
