using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.CognitoCheck;

/// <summary>AWS credentials as the SDKs read them: an access key pair and, for temporary credentials, a session token.</summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken);

/// <summary>
/// AWS Signature Version 4 for the few JSON API calls of <c>--check-cognito</c> (the Cognito SDK is not on the package
/// feed, and AWSSDK.Core's signer needs the SDK's request pipeline). Tested against AWS's published test-suite vectors.
/// </summary>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Adds <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (temporary credentials) and <c>Authorization</c> to a request
    /// whose URI, method, headers and body are final. Signs host, the <c>Content-Type</c> and every <c>X-Amz-*</c> header.
    /// </summary>
    public static void Sign(HttpRequestMessage request, byte[] body, AwsCredentials credentials, string region, string service, DateTimeOffset now)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        }

        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var headers = new List<(string Name, string Value)> { ("host", uri.IsDefaultPort ? uri.Host : uri.Authority) };
        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add((header.Key, string.Join(",", header.Value)));
            }
        }

        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers.Add(("content-type", contentType.ToString()));
        }

        var authorization = Authorization(request.Method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, body, credentials, region, service, amzDate);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
    }

    /// <summary>The <c>Authorization</c> header value for a request; <paramref name="headers"/> are exactly the headers to sign.</summary>
    public static string Authorization(
        string method, string path, string query, IReadOnlyList<(string Name, string Value)> headers, byte[] body,
        AwsCredentials credentials, string region, string service, string amzDate)
    {
        var canonicalHeaders = headers
            .Select(h => (Name: h.Name.Trim().ToLowerInvariant(), Value: CollapseSpaces(h.Value.Trim())))
            .GroupBy(h => h.Name, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(",", g.Select(h => h.Value))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var signedHeaders = string.Join(";", canonicalHeaders.Select(h => h.Name));
        var canonicalRequest = string.Join('\n',
            method.ToUpperInvariant(),
            CanonicalPath(path),
            CanonicalQuery(query),
            string.Concat(canonicalHeaders.Select(h => h.Name + ":" + h.Value + "\n")),
            signedHeaders,
            Hex(SHA256.HashData(body)));

        var day = amzDate[..8];
        var scope = $"{day}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), Encoding.UTF8.GetBytes(day));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8.ToArray());
        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        return $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>Each path segment URI-encoded once (non-S3 services encode the already-encoded path again: segments here are decoded first).</summary>
    private static string CanonicalPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        var segments = path.Split('/').Select(s => Encode(Encode(Uri.UnescapeDataString(s))));
        return string.Join("/", segments);
    }

    /// <summary>Parameters sorted by encoded name, then encoded value.</summary>
    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=');
                var name = eq < 0 ? p : p[..eq];
                var value = eq < 0 ? string.Empty : p[(eq + 1)..];
                return (Name: Encode(Uri.UnescapeDataString(name)), Value: Encode(Uri.UnescapeDataString(value)));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join("&", pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding as SigV4 wants it: everything but <c>A-Z a-z 0-9 - _ . ~</c>, upper-case hex.</summary>
    private static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder(value.Length);
        var previousSpace = false;
        foreach (var c in value)
        {
            var space = c == ' ';
            if (!(space && previousSpace))
            {
                builder.Append(c);
            }

            previousSpace = space;
        }

        return builder.ToString();
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
