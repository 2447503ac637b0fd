using Gateway.Paths;
using Microsoft.Extensions.Primitives;

namespace Gateway.Authentication;

/// <summary>
/// Recognises the gateway's own cookies: the session cookie and its chunks, correlation and nonce cookies, the sign-out
/// page's anti-forgery cookie, the preserved-post cookie, the sign-out return cookie. With <c>Gateway:Apps</c>, every app's cookies are the
/// gateway's (a backend of one app never sees another app's session either).
/// </summary>
internal sealed class GatewayCookieFilter(params string[] cookieNames)
{
    public bool IsGatewayCookie(ReadOnlySpan<char> name)
    {
        foreach (var cookieName in cookieNames)
        {
            if (IsCookieOf(cookieName, name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsCookieOf(string cookieName, ReadOnlySpan<char> name)
    {
        // ASP.NET Core reads cookie names case-insensitively, so the filter must too.
        if (!name.StartsWith(cookieName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = name[cookieName.Length..];
        if (rest.IsEmpty || rest.StartsWith(GatewayPaths.CorrelationCookieSuffix, StringComparison.OrdinalIgnoreCase) || rest.StartsWith(GatewayPaths.NonceCookieSuffix, StringComparison.OrdinalIgnoreCase) ||
            rest.Equals(GatewayPaths.SignOutTokenCookieSuffix, StringComparison.OrdinalIgnoreCase) || rest.Equals(GatewayPaths.PreservedPostCookieSuffix, StringComparison.OrdinalIgnoreCase) ||
            rest.Equals(GatewayPaths.SignOutReturnCookieSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Chunks of a large session cookie: NAMEC1, NAMEC2, …
        if ((rest[0] == 'C' || rest[0] == 'c') && rest.Length > 1)
        {
            foreach (var c in rest[1..])
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// The Cookie header without the gateway's cookies, or null when nothing is left. <paramref name="changed"/> says
    /// whether any gateway cookie was present (callers use the result only then). Allocates only to rebuild a header
    /// that mixes the gateway's cookies with the application's.
    /// </summary>
    public string? Filter(StringValues cookieHeaders, out bool changed)
    {
        changed = false;
        var kept = 0;
        foreach (var header in cookieHeaders)
        {
            foreach (var range in Segments(header))
            {
                if (IsGatewayCookie(Name(header.AsSpan(range))))
                {
                    changed = true;
                }
                else
                {
                    kept++;
                }
            }
        }

        if (!changed || kept == 0)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder();
        foreach (var header in cookieHeaders)
        {
            foreach (var range in Segments(header))
            {
                var part = header.AsSpan(range);
                if (!IsGatewayCookie(Name(part)))
                {
                    builder.Append(builder.Length == 0 ? "" : "; ").Append(part);
                }
            }
        }

        return builder.ToString();
    }

    private static ReadOnlySpan<char> Name(ReadOnlySpan<char> part)
    {
        var equals = part.IndexOf('=');
        return (equals < 0 ? part : part[..equals]).Trim();
    }

    /// <summary>The trimmed, non-empty ';'-separated parts of one Cookie header.</summary>
    private static IEnumerable<Range> Segments(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            yield break;
        }

        var start = 0;
        while (start <= header.Length)
        {
            var end = header.IndexOf(';', start);
            if (end < 0)
            {
                end = header.Length;
            }

            var from = start;
            var to = end;
            while (from < to && char.IsWhiteSpace(header[from]))
            {
                from++;
            }

            while (to > from && char.IsWhiteSpace(header[to - 1]))
            {
                to--;
            }

            if (to > from)
            {
                yield return new Range(from, to);
            }

            start = end + 1;
        }
    }
}
