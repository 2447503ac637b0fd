using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Gateway.Paths;

/// <summary>Why a path has no canonical form under the configured rules.</summary>
internal enum PathProblem
{
    None,

    /// <summary>Does not start with '/'.</summary>
    NotAbsolute,

    /// <summary>A raw space, control or non-ASCII character (not allowed in a request target).</summary>
    InvalidCharacter,

    /// <summary>'%' not followed by two hex digits.</summary>
    BadEscape,

    /// <summary>Decoded bytes that are not UTF-8 (overlong forms such as %C0%AE, surrogates, truncated sequences).</summary>
    InvalidUtf8,

    /// <summary>A decoded control character: NUL, CR, LF, TAB, DEL, C1.</summary>
    ControlCharacter,

    /// <summary>A character that NFKC normalisation turns into '/', '\', '.', ';', '%', '?' or '#' (fullwidth solidus, one-dot leader…).</summary>
    LookAlike,

    EncodedSlash,
    Backslash,
    PathParameter,
    TrailingDot,
}

/// <summary>
/// The one canonical form of a request path, shared by the proxy pipeline (before routing) and <c>/oauth2/auth</c>
/// (on the original URI), so the rules are applied to the path the backend will act on:
/// <list type="number">
/// <item>percent-escapes decoded (hex in any case) and the bytes read as strict UTF-8;</item>
/// <item>what servers read differently (<c>%2F</c>, <c>\</c>, <c>;</c>, trailing dots) handled per <see cref="PathOptions"/>;
/// what nothing can make unambiguous (broken escapes, invalid UTF-8, control characters, Unicode look-alikes of
/// separators and dots) always refused;</item>
/// <item>duplicate slashes merged, then dot segments resolved as RFC 3986 section 5.2.4 describes (never above the root);
/// merging first is what nginx does, so <c>/a//../b</c> is <c>/b</c> for both.</item>
/// </list>
/// The result is a decoded path (as <see cref="PathString"/> holds it); YARP percent-encodes it again for the backend.
/// </summary>
internal static class PathCanonicalizer
{
    // Characters that need no decision: unreserved, sub-delimiters except ';', ':', '@' and the separator.
    private static readonly SearchValues<char> Plain =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@/");

    // Refuses overlong forms, surrogates and truncated sequences instead of replacing them with U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Characters whose NFKC form contains '/', '\', '.', ';', '%', '?' or '#' (fullwidth solidus, one-dot leader, small
    // full stop, "℀" = "a/c"…), listed from the Unicode 14 tables: the gateway runs with invariant globalization, so it
    // cannot normalise at run time. U+1F100 (DIGIT ZERO FULL STOP) is outside the BMP and checked on its own.
    private static readonly SearchValues<char> LookAlikes = SearchValues.Create(
        "\u037E\u2024\u2025\u2026\u2047\u2048\u2049\u2100\u2101\u2105\u2106" +
        "\u2488\u2489\u248A\u248B\u248C\u248D\u248E\u248F\u2490\u2491\u2492\u2493\u2494\u2495\u2496\u2497\u2498\u2499\u249A\u249B" +
        "\u33C2\u33C7\u33D8\uFE14\uFE16\uFE19\uFE30\uFE52\uFE54\uFE56\uFE5F\uFE68\uFE6A" +
        "\uFF03\uFF05\uFF0E\uFF0F\uFF1B\uFF1F\uFF3C");

    private const string DigitZeroFullStop = "\U0001F100";

    /// <summary>
    /// True when <paramref name="path"/> is already canonical: only plain characters, no empty or dot segment, no
    /// segment ending in a dot. The common case, checked without allocating.
    /// </summary>
    public static bool IsPlainCanonical(ReadOnlySpan<char> path) =>
        path.Length > 0 && path[0] == '/' &&
        !path.ContainsAnyExcept(Plain) &&
        !path.Contains("//", StringComparison.Ordinal) &&
        !path.Contains("/.", StringComparison.Ordinal) &&
        !path.Contains("./", StringComparison.Ordinal) &&
        path[^1] != '.';

    /// <summary>
    /// The raw path of a request target or URL: <c>/p?q</c> → <c>/p</c>; <c>https://host/p?q</c> → <c>/p</c>;
    /// <c>https://host</c> → <c>/</c>; null for anything else (<c>*</c>, a relative path, another scheme).
    /// </summary>
    public static string? RawPathOf(string target)
    {
        if (target.StartsWith('/'))
        {
            return CutQuery(target);
        }

        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0 ||
            !(target.AsSpan(0, schemeEnd).Equals("http", StringComparison.OrdinalIgnoreCase) ||
              target.AsSpan(0, schemeEnd).Equals("https", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var pathStart = target.IndexOfAny(['/', '?', '#'], schemeEnd + 3);
        return pathStart < 0 || target[pathStart] != '/' ? "/" : CutQuery(target[pathStart..]);
    }

    private static string CutQuery(string target)
    {
        var end = target.IndexOfAny(['?', '#']);
        return end < 0 ? target : target[..end];
    }

    /// <summary>The canonical form of a raw (still percent-encoded) path, or the reason there is none.</summary>
    public static bool TryCanonicalize(string raw, PathOptions options, [NotNullWhen(true)] out string? canonical, out PathProblem problem)
    {
        canonical = null;
        if (raw.Length == 0 || raw[0] != '/')
        {
            problem = PathProblem.NotAbsolute;
            return false;
        }

        if (IsPlainCanonical(raw))
        {
            canonical = raw;
            problem = PathProblem.None;
            return true;
        }

        problem = Decode(raw, options, out var decoded);
        if (problem == PathProblem.None)
        {
            problem = CheckCharacters(decoded);
        }

        if (problem == PathProblem.None)
        {
            problem = Resolve(decoded, options, out canonical);
        }

        return problem == PathProblem.None;
    }

    /// <summary>Percent-decoding into bytes, then strict UTF-8. A '/' in the result is always a separator.</summary>
    private static PathProblem Decode(string raw, PathOptions options, out string decoded)
    {
        decoded = string.Empty;
        var rented = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                byte b;
                var escaped = false;
                if (c == '%')
                {
                    if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
                    {
                        return PathProblem.BadEscape;
                    }

                    b = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                    escaped = true;
                    i += 2;
                }
                else if (c <= ' ' || c >= 0x7F)
                {
                    return PathProblem.InvalidCharacter;
                }
                else
                {
                    b = (byte)c;
                }

                if (b == '/' && escaped)
                {
                    if (options.EncodedSlash == EncodedSlashRule.Reject)
                    {
                        return PathProblem.EncodedSlash;
                    }
                }
                else if (b == '\\')
                {
                    if (options.Backslash == BackslashRule.Reject)
                    {
                        return PathProblem.Backslash;
                    }

                    b = (byte)'/';
                }

                rented[length++] = b;
            }

            try
            {
                decoded = StrictUtf8.GetString(rented, 0, length);
            }
            catch (DecoderFallbackException)
            {
                return PathProblem.InvalidUtf8;
            }

            return PathProblem.None;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static PathProblem CheckCharacters(string decoded)
    {
        var ascii = true;
        foreach (var c in decoded)
        {
            if (char.IsControl(c))
            {
                return PathProblem.ControlCharacter;
            }

            ascii &= char.IsAscii(c);
        }

        // A backend that normalises Unicode (NFKC) would turn these into separators or dots after the rules were applied.
        if (!ascii && (decoded.AsSpan().ContainsAny(LookAlikes) || decoded.Contains(DigitZeroFullStop, StringComparison.Ordinal)))
        {
            return PathProblem.LookAlike;
        }

        return PathProblem.None;
    }

    /// <summary>Path parameters, merged slashes, dot segments, trailing dots; then the path put back together.</summary>
    private static PathProblem Resolve(string decoded, PathOptions options, out string? canonical)
    {
        canonical = null;
        var segments = decoded.Split('/');
        var kept = new List<string>(segments.Length);
        var trailingSlash = false;

        // segments[0] is the empty string before the leading '/'.
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            var semicolon = segment.IndexOf(';');
            if (semicolon >= 0)
            {
                switch (options.PathParameters)
                {
                    case PathParameterRule.Reject:
                        return PathProblem.PathParameter;
                    case PathParameterRule.Strip:
                        // Before dot segments, as Tomcat does: "/..;/" is "/../".
                        segment = segment[..semicolon];
                        break;
                }
            }

            if (segment is "" or ".")
            {
                trailingSlash = last;
                continue;
            }

            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                trailingSlash = last;
                continue;
            }

            if (segment.EndsWith('.') && options.TrailingDots == TrailingDotRule.Reject)
            {
                return PathProblem.TrailingDot;
            }

            kept.Add(segment);
            trailingSlash = false;
        }

        canonical = kept.Count == 0 ? "/" : "/" + string.Join('/', kept) + (trailingSlash ? "/" : string.Empty);
        return PathProblem.None;
    }
}
