using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Paths;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using MediaTypeHeaderValue = Microsoft.Net.Http.Headers.MediaTypeHeaderValue;

namespace Gateway.Authentication;

/// <summary>
/// Keeps a legacy form post that arrived without a session (it ran out while the user was typing) through the
/// sign-in it triggers, so it can be sent again afterwards (as mod_auth_openidc's <c>OIDCPreservePost</c>). Only
/// same-origin <c>application/x-www-form-urlencoded</c> bodies up to <see cref="MaxBodyBytes"/> whose fields are UTF-8
/// text are kept: a cross-site post must never be replayed with the session that sign-in creates (that would undo
/// SameSite=Lax), and anything the browser could not re-send exactly (files, other encodings) is refused with a page
/// that says so rather than altered.
/// <para>
/// Binding: the browser holds a random secret in the gateway's cookie <c>NAME_post</c> (HttpOnly, SameSite=Lax, 15
/// minutes, never forwarded); each post gets a random id that travels in the sign-in's return URL
/// (<c>{BasePath}/resume?id=…</c>). The store key is a hash of both and the blob is encrypted with Data Protection for
/// both, so neither the id alone nor the store's content is enough to read or replay it, and another browser cannot even
/// find it. The entry is removed when read (used once) and expires with the sign-in (15 minutes).
/// </para>
/// </summary>
internal sealed class PreservedPosts(
    IPreservedPostStore store,
    IDataProtectionProvider dataProtection,
    GatewayPaths paths,
    ILogger<PreservedPosts> logger)
{
    /// <summary>Largest form body kept (64 KB); larger ones get the "submit it again" page.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>At most this many fields (ASP.NET Core's own form limit is 1024).</summary>
    public const int MaxFields = 1024;

    /// <summary>As long as a sign-in may take (the correlation cookie's lifetime).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Gateway.PreservedPost.v1");

    /// <summary>Why a post was not kept (also the log's reason).</summary>
    public enum Refusal
    {
        None,
        CrossOrigin,
        NotUrlEncoded,
        Multipart,
        TooLarge,
        NotText,
        NotLocal,
        StoreFull,
        StoreUnavailable,
    }

    /// <summary>
    /// Reads, checks and stores the request's form; on success returns the id for the resume URL and sets the browser's
    /// secret cookie. The body is read at most <see cref="MaxBodyBytes"/> + 1 bytes far.
    /// </summary>
    public async Task<(string? Id, Refusal Refusal)> PreserveAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsSameOrigin(request))
        {
            return Refused(Refusal.CrossOrigin);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) ||
            !contentType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) ||
            (contentType.Charset.HasValue && !contentType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return Refused(contentType?.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true ? Refusal.Multipart : Refusal.NotUrlEncoded);
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return Refused(Refusal.TooLarge);
        }

        if (!ReturnUrl.TryGetLocal(request.PathBase + request.Path + request.QueryString, out var url) || url != ReturnUrl.FromRequest(request))
        {
            return Refused(Refusal.NotLocal);
        }

        var body = await ReadBoundedAsync(request.Body, context.RequestAborted);
        if (body is null)
        {
            return Refused(Refusal.TooLarge);
        }

        var fields = Parse(body);
        if (fields is null)
        {
            return Refused(Refusal.NotText);
        }

        var secret = request.Cookies[paths.PreservedPostCookie] is { } existing && Sessions.SessionHandle.IsWellFormed(existing)
            ? existing
            : Sessions.SessionHandle.Create();
        var id = Sessions.SessionHandle.Create();
        var blob = JsonSerializer.SerializeToUtf8Bytes(new Entry(url, fields.Select(f => new[] { f.Name, f.Value }).ToArray()));
        bool stored;
        try
        {
            stored = await store.SetAsync(StoreKey(secret, id), _protector.CreateProtector(secret, id).Protect(blob), Lifetime, context.RequestAborted);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.PreservedPostStoreFailed(Observability.FailureCause.Describe(ex));
            return Refused(Refusal.StoreUnavailable);
        }

        if (!stored)
        {
            return Refused(Refusal.StoreFull);
        }

        context.Response.Cookies.Append(paths.PreservedPostCookie, secret, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = request.IsHttps,
            Path = "/",
            MaxAge = Lifetime,
            IsEssential = true,
        });
        logger.PostPreserved(fields.Count, body.Length);
        return (id, Refusal.None);

        (string?, Refusal) Refused(Refusal reason)
        {
            logger.PostNotPreserved(reason.ToString());
            return (null, reason);
        }
    }

    /// <summary>The preserved post of this browser with this id, removed as it is read; null when gone or not this browser's.</summary>
    public async Task<PreservedPost?> TakeAsync(HttpContext context, string? id)
    {
        var secret = context.Request.Cookies[paths.PreservedPostCookie];
        if (id is null || secret is null || !Sessions.SessionHandle.IsWellFormed(id) || !Sessions.SessionHandle.IsWellFormed(secret))
        {
            return null;
        }

        byte[]? protectedBlob;
        try
        {
            protectedBlob = await store.TakeAsync(StoreKey(secret, id), context.RequestAborted);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException)
        {
            // 503 with a link that retries: the entry is still there (GETDEL did not run).
            logger.PreservedPostStoreFailed(Observability.FailureCause.Describe(ex));
            throw new Sessions.SessionStoreUnavailableException("The store of kept form posts (Redis) cannot be reached.", ex);
        }
        if (protectedBlob is null)
        {
            return null;
        }

        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(_protector.CreateProtector(secret, id).Unprotect(protectedBlob));
            if (entry?.Url is null || entry.Fields is null || !ReturnUrl.TryGetLocal(entry.Url, out var url) ||
                entry.Fields.Any(f => f is not { Length: 2 } || f[0] is null || f[1] is null))
            {
                return null;
            }

            return new PreservedPost(url, entry.Fields.Select(f => (f[0], f[1])).ToArray());
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Only posts a page of this very origin sent: <c>Sec-Fetch-Site: same-origin</c>, or (browsers without Fetch
    /// Metadata) an <c>Origin</c> equal to this request's origin. A post without either is not kept.
    /// </summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return string.Equals(site, "same-origin", StringComparison.OrdinalIgnoreCase);
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && string.Equals(origin, request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The fields of a urlencoded body, in order, duplicates kept; null when a field is not UTF-8 text a browser could
    /// send again unchanged (invalid UTF-8, a control character other than tab/CR/LF), or there are too many.
    /// </summary>
    public static List<(string Name, string Value)>? Parse(byte[] body)
    {
        var fields = new List<(string, string)>();
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            if (fields.Count == MaxFields)
            {
                return null;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = Decode(equals < 0 ? string.Empty : pair[(equals + 1)..]);
            if (name is null || value is null)
            {
                return null;
            }

            fields.Add((name, value));
        }

        return fields;
    }

    private static string? Decode(string component)
    {
        byte[] bytes;
        try
        {
            // Percent-escapes become bytes first, so a field in another encoding (windows-1252 from an old page) is refused.
            bytes = UrlDecodeToBytes(component);
        }
        catch (FormatException)
        {
            return null;
        }

        string value;
        try
        {
            value = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\t' or '\r' or '\n'))
            {
                return null;
            }
        }

        return value;
    }

    /// <summary>'+' is a space, %XX a byte; a broken escape is an error (not data), as the backend might read it otherwise.</summary>
    private static byte[] UrlDecodeToBytes(string component)
    {
        var output = new List<byte>(component.Length);
        for (var i = 0; i < component.Length; i++)
        {
            var c = component[i];
            if (c == '+')
            {
                output.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= component.Length || !char.IsAsciiHexDigit(component[i + 1]) || !char.IsAsciiHexDigit(component[i + 2]))
                {
                    throw new FormatException("broken percent-escape");
                }

                output.Add(Convert.ToByte(component.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                output.AddRange(Encoding.UTF8.GetBytes(component.Substring(i, char.IsHighSurrogate(c) && i + 1 < component.Length ? 2 : 1)));
                if (char.IsHighSurrogate(c))
                {
                    i++;
                }
            }
        }

        return output.ToArray();
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBodyBytes + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                return buffer.AsSpan(0, total).ToArray();
            }

            total += read;
        }

        return null;
    }

    private static string StoreKey(string secret, string id) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(secret + "." + id)));

    private sealed record Entry(
        [property: System.Text.Json.Serialization.JsonPropertyName("u")] string Url,
        [property: System.Text.Json.Serialization.JsonPropertyName("f")] string[][] Fields);
}

/// <summary>A form post kept through a sign-in: where it went and its fields in order.</summary>
internal sealed record PreservedPost(string Url, IReadOnlyList<(string Name, string Value)> Fields);
