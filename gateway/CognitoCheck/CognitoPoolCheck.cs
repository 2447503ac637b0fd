using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.CognitoCheck;

/// <summary>
/// The comparison itself, without I/O: the gateway's settings against the answers of DescribeUserPool,
/// DescribeUserPoolClient and DescribeUserPoolDomain (shapes as in the Cognito API reference). Each finding says what
/// users would see and where to fix it; the client secret is compared, never printed.
/// </summary>
internal static class CognitoPoolCheck
{
    /// <summary>The domain to describe: <c>Gateway:Cognito:Domain</c> (a prefix, or a custom domain's host), else the pool's custom domain, else its prefix domain.</summary>
    public static string? DomainToDescribe(CognitoCheckSettings settings, JsonElement userPool)
    {
        if (settings.Domain is { } configured)
        {
            if (!Uri.TryCreate(configured, UriKind.Absolute, out var url))
            {
                return configured;
            }

            // https://PREFIX.auth.REGION.amazoncognito.com is a prefix domain: the API knows it by its prefix.
            return url.Host.EndsWith(".amazoncognito.com", StringComparison.OrdinalIgnoreCase) ? url.Host.Split('.')[0] : url.Host;
        }

        return String(userPool, "CustomDomain") ?? String(userPool, "Domain");
    }

    public static List<CognitoFinding> CheckDomain(CognitoCheckSettings settings, string? domain, JsonElement? description)
    {
        var findings = new List<CognitoFinding>();
        if (domain is null)
        {
            findings.Add(Problem("domain", $"user pool {settings.UserPoolId} has no domain, so there is no hosted UI to sign in on; add one (App integration → Domain: a Cognito prefix or a custom domain)"));
            return findings;
        }

        if (description is not { } d || String(d, "Domain") is null)
        {
            findings.Add(Problem("domain", $"domain '{domain}' does not exist{(settings.Domain is null ? "" : $" ({settings.Section}:Domain)")}; use the pool's domain (App integration → Domain) or remove {settings.Section}:Domain"));
            return findings;
        }

        if (String(d, "UserPoolId") is { } owner && !string.Equals(owner, settings.UserPoolId, StringComparison.Ordinal))
        {
            findings.Add(Problem("domain", $"domain '{domain}' belongs to user pool {owner}, not {settings.UserPoolId}: sign-ins there would use the other pool's clients; set {settings.Section}:Domain to this pool's domain"));
        }

        if (String(d, "Status") is { } status && !string.Equals(status, "ACTIVE", StringComparison.Ordinal))
        {
            findings.Add(Problem("domain", $"domain '{domain}' is {status}, not ACTIVE: the hosted UI does not answer yet (a new custom domain can take up to an hour)"));
        }

        return findings;
    }

    public static List<CognitoFinding> CheckClient(CognitoCheckSettings settings, JsonElement client)
    {
        var findings = new List<CognitoFinding>();
        var id = settings.ClientId;

        var flows = Strings(client, "AllowedOAuthFlows");
        if (!Bool(client, "AllowedOAuthFlowsUserPoolClient") || !flows.Contains("code"))
        {
            findings.Add(Problem("code-grant", $"app client {id} does not allow the authorization code grant (OAuth flows: {List(flows)}), so every sign-in ends on a Cognito error page; turn on \"Authorization code grant\" in its login pages"));
        }

        if (flows.Contains("implicit"))
        {
            findings.Add(Warning("implicit-grant", $"app client {id} allows the implicit grant, which puts tokens in URLs; the gateway never uses it: turn it off"));
        }

        var callbacks = Strings(client, "CallbackURLs");
        var logouts = Strings(client, "LogoutURLs");
        var origins = new List<string>();
        if (settings.PublicOrigin is { } publicOrigin)
        {
            origins.Add(publicOrigin);
        }
        else if (settings.AppHosts.Count > 0)
        {
            // An app (Gateway:Apps): each of its host names needs a callback URL of its own (Cognito has no wildcards).
            foreach (var (host, key) in settings.AppHosts)
            {
                var onHost = CallbackOrigins(callbacks, settings.CallbackPath).Where(o => OnHost(o, host)).ToList();
                if (onHost.Count == 0)
                {
                    var example = host.StartsWith("*.", StringComparison.Ordinal) ? "https://EACH-HOST" + host[1..] : "https://" + host;
                    findings.Add(Problem("callback-url", $"no allowed callback URL of app client {id} is on {host} ({key}) (registered: {List(callbacks)}): Cognito refuses every sign-in there; add {example}{settings.CallbackPath}"));
                }

                origins.AddRange(onHost.Where(o => !origins.Contains(o)));
            }
        }
        else
        {
            // Without Gateway:PublicOrigin the gateway builds its URLs from each request's host: every registered
            // gateway callback names one such host.
            origins.AddRange(CallbackOrigins(callbacks, settings.CallbackPath));
            if (origins.Count == 0)
            {
                findings.Add(Problem("callback-url", $"no allowed callback URL of app client {id} ends in {settings.CallbackPath} (registered: {List(callbacks)}): Cognito refuses every sign-in; add https://YOUR-GATEWAY-HOST{settings.CallbackPath} (set Gateway:PublicOrigin to have it checked exactly)"));
            }
        }

        foreach (var origin in origins)
        {
            var callback = origin + settings.CallbackPath;
            if (!callbacks.Contains(callback))
            {
                findings.Add(Problem("callback-url", $"{callback} is not an allowed callback URL of app client {id} (registered: {List(callbacks)}): Cognito refuses every sign-in with redirect_mismatch; add it exactly"));
            }
        }

        var signOutUris = settings.SignOutUri is { } configured ? [configured] : origins.Select(o => o + "/").ToList();
        foreach (var signOut in signOutUris)
        {
            if (!logouts.Contains(signOut))
            {
                var key = settings.SignOutUri is null ? "the default of " + settings.SignOutUriKey : settings.SignOutUriKey;
                findings.Add(Problem("sign-out-url", $"{signOut} ({key}) is not an allowed sign-out URL of app client {id} (registered: {List(logouts)}): Cognito shows an error page at sign-out; add it exactly, or set {settings.SignOutUriKey} to a registered one"));
            }
        }

        var liveSecret = String(client, "ClientSecret");
        if (liveSecret is not null && settings.ClientSecret is null)
        {
            findings.Add(Problem("client-secret", $"app client {id} has a client secret but {settings.Section}:ClientSecret is not set: every token call fails with invalid_client; set it (from your secret store)"));
        }
        else if (liveSecret is null && settings.ClientSecret is not null)
        {
            findings.Add(Problem("client-secret", $"{settings.Section}:ClientSecret is set but app client {id} has no secret (a public client): token calls fail with invalid_client; create a confidential client (with a secret) or remove the key"));
        }
        else if (liveSecret is not null && settings.ClientSecret is not null &&
                 !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(liveSecret), Encoding.UTF8.GetBytes(settings.ClientSecret)))
        {
            findings.Add(Problem("client-secret", $"{settings.Section}:ClientSecret is not app client {id}'s secret: every token call fails with invalid_client; copy the secret again (values not shown)"));
        }

        var allowedScopes = Strings(client, "AllowedOAuthScopes");
        var missing = settings.Scopes.Where(s => !allowedScopes.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            findings.Add(Problem("scopes", $"scope{(missing.Count > 1 ? "s" : "")} {string.Join(" ", missing)} ({settings.Section}:Scopes) not allowed for app client {id} (allowed: {List(allowedScopes)}): sign-ins fail with invalid_scope; allow {(missing.Count > 1 ? "them" : "it")} in the client's OpenID Connect scopes or remove {(missing.Count > 1 ? "them" : "it")} from {settings.Section}:Scopes"));
        }

        if (!Bool(client, "EnableTokenRevocation"))
        {
            findings.Add(Problem("token-revocation", $"token revocation is off for app client {id}: sign-out cannot revoke the refresh token, which stays usable until it expires; turn on \"Enable token revocation\""));
        }

        var accessLifetime = Lifetime(client, "AccessTokenValidity", "AccessToken", TimeSpan.FromHours(1), TimeSpan.FromHours);
        if (settings.RefreshMargin > accessLifetime / 4)
        {
            findings.Add(Warning("refresh-margin", $"access tokens of app client {id} live {Describe(accessLifetime)}: the gateway refreshes a session {Describe(accessLifetime / 4)} before they expire (a quarter of the lifetime), not Gateway:Session:RefreshMargin {settings.RefreshMargin:c}; every session calls Cognito every {Describe(accessLifetime - accessLifetime / 4)}; a longer access-token lifetime means fewer refreshes"));
        }

        var refreshLifetime = Lifetime(client, "RefreshTokenValidity", "RefreshToken", TimeSpan.FromDays(30), TimeSpan.FromDays);
        if (refreshLifetime < settings.SessionLifetime)
        {
            findings.Add(Warning("session-lifetime", $"refresh tokens of app client {id} live {Describe(refreshLifetime)}, less than Gateway:Session:Lifetime {settings.SessionLifetime:c}: sessions end earlier than configured; lengthen the refresh-token lifetime or shorten the session lifetime"));
        }

        if (client.TryGetProperty("RefreshTokenRotation", out var rotation) && rotation.ValueKind == JsonValueKind.Object &&
            string.Equals(String(rotation, "Feature"), "ENABLED", StringComparison.Ordinal) &&
            (!rotation.TryGetProperty("RetryGracePeriodSeconds", out var grace) || grace.ValueKind != JsonValueKind.Number || grace.GetInt32() == 0) &&
            !settings.RedisConfigured)
        {
            findings.Add(Warning("rotation-grace", $"app client {id} rotates refresh tokens with a 0 s grace period and Gateway:Redis:Configuration is not set: with several instances, two may refresh one session at once and the loser's user is signed out when the access token expires; set a grace period (up to 60 s) or use Redis"));
        }

        var supported = Strings(client, "SupportedIdentityProviders");
        foreach (var (name, key) in settings.IdentityProviders)
        {
            if (!supported.Contains(name))
            {
                findings.Add(Problem("identity-provider", $"{key} names identity provider '{name}', which app client {id} does not support (supported: {List(supported)}): those sign-ins end on a Cognito error page; enable it for the client or fix the name (names are case-sensitive)"));
            }
        }

        if (!string.Equals(String(client, "PreventUserExistenceErrors"), "ENABLED", StringComparison.Ordinal))
        {
            findings.Add(Warning("user-existence-errors", $"app client {id} tells whether a user exists on failed sign-ins; set \"Prevent user existence errors\" to enabled"));
        }

        return findings;
    }

    /// <summary>The origins of the registered callback URLs that are the gateway's (end in its callback path).</summary>
    private static IEnumerable<string> CallbackOrigins(IEnumerable<string> callbacks, string callbackPath) =>
        callbacks.Where(c => c.EndsWith(callbackPath, StringComparison.Ordinal)).Select(c => c[..^callbackPath.Length]);

    /// <summary>True when the origin's host is <paramref name="host"/>, or one under it for a <c>*.</c> host.</summary>
    private static bool OnHost(string origin, string host) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var url) && (host.StartsWith("*.", StringComparison.Ordinal)
            ? url.Host.Length > host.Length - 1 && url.Host.EndsWith(host[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(url.Host, host, StringComparison.OrdinalIgnoreCase));

    /// <summary>A token lifetime from its validity and unit (<c>TokenValidityUnits</c>; Cognito's default unit when absent).</summary>
    private static TimeSpan Lifetime(JsonElement client, string validityName, string unitName, TimeSpan fallback, Func<double, TimeSpan> defaultUnit)
    {
        if (!client.TryGetProperty(validityName, out var validity) || validity.ValueKind != JsonValueKind.Number)
        {
            return fallback;
        }

        var value = validity.GetDouble();
        var unit = client.TryGetProperty("TokenValidityUnits", out var units) && units.ValueKind == JsonValueKind.Object ? String(units, unitName) : null;
        return unit switch
        {
            "seconds" => TimeSpan.FromSeconds(value),
            "minutes" => TimeSpan.FromMinutes(value),
            "hours" => TimeSpan.FromHours(value),
            "days" => TimeSpan.FromDays(value),
            _ => defaultUnit(value),
        };
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0} d"
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0} h"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0} min"
        : $"{span.TotalSeconds:0.#} s";

    private static string List(IReadOnlyCollection<string> values) => values.Count == 0 ? "none" : string.Join(", ", values);

    private static CognitoFinding Problem(string code, string text) => new(FindingSeverity.Problem, code, text);

    private static CognitoFinding Warning(string code, string text) => new(FindingSeverity.Warning, code, text);

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static List<string> Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
            : [];
}
