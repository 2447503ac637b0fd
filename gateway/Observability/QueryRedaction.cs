namespace Gateway.Observability;

/// <summary>
/// A request's query string made fit for a log line or a trace: the value of every parameter that can carry a secret or
/// a personal detail (the authorization <c>code</c>, <c>state</c>, any token, secret, password or signature, an email
/// address) is replaced by <see cref="Redacted"/>; names and other values stay, so an operator still sees which page was
/// asked for. A value containing '@' is redacted whatever its name (an email address in <c>?user=</c>).
/// </summary>
internal static class QueryRedaction
{
    public const string Redacted = "REDACTED";

    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "code", "state", "nonce", "session_state", "assertion", "key", "api_key", "apikey", "sig", "signature",
        "auth", "authorization", "jwt", "otp", "pwd", "passwd", "login_hint", "x-amz-credential", "x-amz-signature",
    };

    /// <summary>Any parameter whose name contains one of these is treated as secret (id_token, client_secret, userEmail, …).</summary>
    private static readonly string[] SecretNameParts = ["token", "secret", "password", "email", "credential"];

    /// <summary>The query with secret values redacted, without the leading '?'; "" when there is none.</summary>
    public static string Redact(QueryString query)
    {
        var raw = query.Value;
        if (string.IsNullOrEmpty(raw) || raw == "?")
        {
            return string.Empty;
        }

        var parts = raw.AsSpan(1).ToString().Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }

            var name = Unescape(part[..equals]);
            var value = part[(equals + 1)..];
            if (IsSecretName(name) || value.Contains('@', StringComparison.Ordinal) || value.Contains("%40", StringComparison.OrdinalIgnoreCase))
            {
                parts[i] = part[..(equals + 1)] + Redacted;
            }
        }

        return string.Join('&', parts);
    }

    /// <summary>Path and redacted query, escaped and bounded for a log line.</summary>
    public static string PathForLog(PathString pathBase, PathString path, QueryString query, int max = 2048)
    {
        var redacted = Redact(query);
        var full = pathBase.Value + path.Value;
        return LogValue.Sanitize(redacted.Length == 0 ? full : full + "?" + redacted, max);
    }

    private static bool IsSecretName(string name)
    {
        if (SecretNames.Contains(name))
        {
            return true;
        }

        foreach (var part in SecretNameParts)
        {
            if (name.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string name)
    {
        try
        {
            return Uri.UnescapeDataString(name.Replace('+', ' ')).Trim();
        }
        catch (UriFormatException)
        {
            return name;
        }
    }
}
