using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Spellings of a path an attacker would try, each with the canonical path the gateway must apply the rules to
/// (decoded, as the route matcher sees it), or null when the default rules refuse it with 400.
/// Routes of the standard test configuration: /public (anonymous), /admin (admins), /api (401), everything else signed in.
/// </summary>
public static class PathVariants
{
    public static readonly IReadOnlyList<(string Raw, string? Canonical)> All =
    [
        // Plain paths.
        ("/public/page", "/public/page"),
        ("/admin/x", "/admin/x"),
        ("/public/caf%C3%A9", "/public/café"),

        // Dot segments, raw and encoded (any case), resolved like RFC 3986 (never above the root).
        ("/public/../admin/x", "/admin/x"),
        ("/public/./../admin/x", "/admin/x"),
        ("/public/%2e%2e/admin/x", "/admin/x"),
        ("/public/%2E%2E/admin/x", "/admin/x"),
        ("/public/%2e%2E/admin/x", "/admin/x"),
        ("/public/.%2e/admin/x", "/admin/x"),
        ("/public/%2e./admin/x", "/admin/x"),
        ("/public/x/../../admin/x", "/admin/x"),
        ("/./admin/x", "/admin/x"),
        ("/%2e/admin/x", "/admin/x"),
        ("/../admin/x", "/admin/x"),
        ("/admin/./x", "/admin/x"),
        ("/admin/x/..", "/admin/"),
        ("/public/..", "/"),

        // Duplicate slashes merged (before dot segments, as nginx and most servers do).
        ("//admin/x", "/admin/x"),
        ("///admin//x", "/admin/x"),
        ("/public//../admin/x", "/admin/x"),

        // Encoded slash: refused by default.
        ("/%2fadmin/x", null),
        ("/admin%2fx", null),
        ("/admin%2Fx", null),
        ("/public%2f..%2fadmin/x", null),

        // Path parameters (Tomcat, Jetty, Spring strip ";..."): refused by default, also when encoded.
        ("/admin;x/y", null),
        ("/admin;jsessionid=ABC/x", null),
        ("/public/..;/admin/x", null),
        ("/public;/../admin/x", null),
        ("/admin%3bx/y", null),
        ("/admin%3B/x", null),

        // Backslash, raw and encoded (IIS and Windows read it as '/'): refused by default.
        ("/admin%5cx", null),
        ("/public/..%5cadmin/x", null),
        ("/public/%5C..%5Cadmin/x", null),
        ("/public\\..\\admin/x", null),

        // Segments ending in a dot (Windows drops it; "admin." is "admin" there): refused by default.
        ("/admin./x", null),
        ("/admin../x", null),
        ("/admin%2e/x", null),
        ("/admin.%2E/x", null),
        ("/public/.../admin/x", null),

        // Percent-encoded letters in any case are the letters; route matching ignores case.
        ("/%61dmin/x", "/admin/x"),
        ("/ad%6Din/x", "/admin/x"),
        ("/ad%6din/x", "/admin/x"),
        ("/%41DMIN/x", "/ADMIN/x"),
        ("/ADMIN/x", "/ADMIN/x"),
        ("/Admin/X", "/Admin/X"),

        // Unicode look-alikes of '/', '\', '.' (NFKC maps them onto the real ones): refused.
        ("/admin%EF%BC%8Fx", null),
        ("/admin%EF%BC%BCx", null),
        ("/public/%EF%BC%8E%EF%BC%8E/admin/x", null),
        ("/public/%E2%80%A4%E2%80%A4/admin/x", null),
        ("/public/%EF%B9%92%EF%B9%92/admin/x", null),

        // Overlong and invalid UTF-8: refused.
        ("/public/%C0%AE%C0%AE/admin/x", null),
        ("/admin%C0%AFx", null),
        ("/public/%E0%80%AE%E0%80%AE/admin/x", null),
        ("/admin%FFx", null),
        ("/admin%C3x", null),

        // NUL and control characters (C0, DEL, C1): refused.
        ("/admin%00/x", null),
        ("/public/%00../admin/x", null),
        ("/admin%0d%0aX-Injected:%201/x", null),
        ("/admin%09/x", null),
        ("/admin%7F/x", null),
        ("/admin%C2%85/x", null),

        // Broken escapes: refused.
        ("/admin%zz/x", null),
        ("/admin%2/x", null),

        // Double encoding is data: "%2e" stays three characters, it is not a dot.
        ("/public/%252e%252e/admin/x", "/public/%2e%2e/admin/x"),
    ];

    public static IEnumerable<object?[]> Rows => All.Select(v => new object?[] { v.Raw, v.Canonical });

    /// <summary>A request target for a canonical (decoded) path: every character outside RFC 3986 pchar percent-encoded.</summary>
    public static string Encode(string canonical)
    {
        var builder = new StringBuilder();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in canonical.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || "/-._~!$&'()*+,=:@".Contains((char)rune.Value)))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>What a response means for the user: through, sent to sign in, forbidden, refused as a bad path, or something else.</summary>
    public static string Decision(int status) => status switch
    {
        >= 200 and < 300 => "through",
        302 or 401 => "sign-in",
        403 => "forbidden",
        400 => "refused",
        _ => $"other {status}",
    };
}
