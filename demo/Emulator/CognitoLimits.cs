namespace Gateway.Demo.Emulator;

/// <summary>
/// The ranges and URL rules Cognito enforces when an app client is configured, so neither stand-in accepts a
/// configuration the real service would refuse.
/// </summary>
public static class CognitoLimits
{
    /// <summary>Shortest access/ID token lifetime an app client can have.</summary>
    public static readonly TimeSpan MinTokenLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Longest access/ID token lifetime an app client can have.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(1);

    /// <summary>Shortest refresh token lifetime.</summary>
    public static readonly TimeSpan MinRefreshTokenLifetime = TimeSpan.FromMinutes(60);

    /// <summary>Longest refresh token lifetime (10 years).</summary>
    public static readonly TimeSpan MaxRefreshTokenLifetime = TimeSpan.FromDays(3650);

    /// <summary>Longest grace period of a rotated refresh token.</summary>
    public static readonly TimeSpan MaxRotationGracePeriod = TimeSpan.FromSeconds(60);

    /// <summary>A problem with an access or ID token lifetime (5 minutes to 1 day), or null.</summary>
    public static string? CheckTokenLifetime(string name, TimeSpan value) =>
        value < MinTokenLifetime || value > MaxTokenLifetime
            ? $"{name} is {value}; Cognito allows 5 minutes to 1 day."
            : null;

    /// <summary>A problem with a refresh token lifetime (60 minutes to 10 years), or null.</summary>
    public static string? CheckRefreshTokenLifetime(string name, TimeSpan value) =>
        value < MinRefreshTokenLifetime || value > MaxRefreshTokenLifetime
            ? $"{name} is {value}; Cognito allows 60 minutes to 10 years."
            : null;

    /// <summary>A problem with a refresh-token rotation grace period (0 to 60 seconds), or null.</summary>
    public static string? CheckRotationGracePeriod(string name, TimeSpan value) =>
        value < TimeSpan.Zero || value > MaxRotationGracePeriod
            ? $"{name} is {value}; Cognito allows 0 to 60 seconds."
            : null;

    /// <summary>
    /// A problem with a callback or sign-out URL, or null. Cognito's rule: an absolute URL without a fragment, https,
    /// or plain http only for the host <c>localhost</c> (not 127.0.0.1, not any other host).
    /// </summary>
    public static string? CheckRedirectUrl(string? url)
    {
        if (string.IsNullOrEmpty(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return $"'{url}' is not an absolute URL.";
        }

        if (uri.Fragment.Length > 0 || url.Contains('#', StringComparison.Ordinal))
        {
            return $"'{url}' has a fragment; Cognito refuses redirect URLs with one.";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            // localhost, and (a liberty of this stand-in, so that tests of several host names run on loopback) names
            // under .localhost, which resolve to loopback (RFC 6761). Real pools: use https or http://localhost.
            return string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
                   uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
                ? null
                : $"'{url}' uses plain http; Cognito allows http only for http://localhost (use https, or localhost for local testing).";
        }

        return $"'{url}' is not an http(s) URL.";
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> with <paramref name="problem"/> when it is not null.</summary>
    public static TimeSpan Require(TimeSpan value, string? problem, string paramName) =>
        problem is null ? value : throw new ArgumentOutOfRangeException(paramName, value, problem);
}
