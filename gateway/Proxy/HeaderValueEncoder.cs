using System.Text;

namespace Gateway.Proxy;

/// <summary>
/// Header values are printable ASCII: several claim values are joined with ',', control characters
/// (CR, LF, NUL, …), '%' and non-ASCII characters are percent-encoded as UTF-8 so a claim can never
/// split or smuggle a header. Elements of a list (group names) also get ',' encoded, so the list splits exactly.
/// </summary>
internal static class HeaderValueEncoder
{
    public static string Encode(string value) => Encode(value, listElement: false);

    /// <summary>One element of a ','-joined list (a group name): also percent-encodes ',' (<c>a,b</c> → <c>a%2Cb</c>).</summary>
    public static string EncodeListElement(string value) => Encode(value, listElement: true);

    private static string Encode(string value, bool listElement)
    {
        var safe = true;
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E || c == '%' || (listElement && c == ','))
            {
                safe = false;
                break;
            }
        }

        if (safe)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x20 && c <= 0x7E && c != '%' && !(listElement && c == ','))
            {
                builder.Append(c);
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < value.Length
                ? Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), bytes)
                : Encoding.UTF8.GetBytes(value.AsSpan(i, 1), bytes);
            foreach (var b in bytes[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
