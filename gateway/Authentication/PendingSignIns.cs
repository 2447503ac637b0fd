using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Gateway.Authentication;

/// <summary>
/// Bounds the sign-ins one browser can have in flight. Each started sign-in leaves a correlation cookie
/// (<c>NAME_corr.ID</c>) and a nonce cookie (<c>NAME_nonce.PROTECTED-NONCE</c>, ~300 bytes) until its callback; a browser
/// that abandons sign-ins (closed tabs, repeated clicks, a script) would otherwise collect them until its requests exceed
/// the server's header limit (431) and it can no longer sign in at all. When a sign-in starts, the request's pending
/// cookies beyond the newest <see cref="MaxPending"/> − 1 (or beyond <see cref="MaxPendingBytes"/>) are deleted, so with
/// the new one at most <see cref="MaxPending"/> remain. Oldest first: browsers list cookies of the same path in creation
/// order (RFC 6265 §5.4), and the gateway gives both cookies the path <c>/</c> so every request that can start a sign-in
/// sees them. A client that orders cookies differently loses some other pending sign-in instead; the bound holds either way.
/// A dropped sign-in's callback gets the usual "this sign-in attempt is no longer valid" page with a retry link.
/// </summary>
internal static class PendingSignIns
{
    /// <summary>At most this many sign-ins of one browser are pending at once (the one being started included).</summary>
    public const int MaxPending = 5;

    /// <summary>The pending cookies a request may carry, in bytes of the Cookie header (about 5 pairs need 2 KB).</summary>
    public const int MaxPendingBytes = 4096;

    /// <summary>Deletes (in this response) the pending sign-in cookies that exceed the bounds; call before a new sign-in.</summary>
    public static void MakeRoom(HttpContext context, OpenIdConnectOptions options)
    {
        var header = context.Request.Headers.Cookie;
        if (header.Count == 0 || options.CorrelationCookie.Name is not { } corrPrefix || options.NonceCookie.Name is not { } noncePrefix)
        {
            return;
        }

        var correlation = new List<(string Name, int Bytes)>();
        var nonce = new List<(string Name, int Bytes)>();
        foreach (var value in header)
        {
            foreach (var part in (value ?? string.Empty).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                var name = (equals < 0 ? part : part[..equals]).Trim();
                var list = name.StartsWith(corrPrefix, StringComparison.OrdinalIgnoreCase) ? correlation
                    : name.StartsWith(noncePrefix, StringComparison.OrdinalIgnoreCase) ? nonce
                    : null;
                if (list is not null && !list.Exists(c => string.Equals(c.Name, name, StringComparison.Ordinal)))
                {
                    list.Add((name, part.Length + 2));
                }
            }
        }

        // Keep the newest (last listed) MaxPending - 1 of each; then drop the oldest pairs while they are too large.
        var dropCorrelation = Math.Max(0, correlation.Count - (MaxPending - 1));
        var dropNonce = Math.Max(0, nonce.Count - (MaxPending - 1));
        while (KeptBytes(correlation, dropCorrelation) + KeptBytes(nonce, dropNonce) > MaxPendingBytes)
        {
            dropCorrelation = Math.Min(correlation.Count, dropCorrelation + 1);
            dropNonce = Math.Min(nonce.Count, dropNonce + 1);
        }

        Delete(context, correlation, dropCorrelation, options.CorrelationCookie);
        Delete(context, nonce, dropNonce, options.NonceCookie);
    }

    private static int KeptBytes(List<(string Name, int Bytes)> cookies, int dropped) =>
        cookies.Skip(dropped).Sum(c => c.Bytes);

    private static void Delete(HttpContext context, List<(string Name, int Bytes)> cookies, int count, CookieBuilder builder)
    {
        if (count == 0)
        {
            return;
        }

        var cookieOptions = builder.Build(context);
        foreach (var (name, _) in cookies.Take(count))
        {
            context.Response.Cookies.Delete(name, cookieOptions);
        }
    }
}
