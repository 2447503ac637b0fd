using System.Text.RegularExpressions;
using Gateway.Authentication;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Authorization;

/// <summary>
/// "Gateway:Apps": every app has a usable name, host names, exactly one provider section (checked like the top-level
/// ones), its own cookie name and valid policies; no host is claimed by two apps.
/// </summary>
internal sealed partial class GatewayAppsOptionsValidator(IConfiguration configuration) : IValidateOptions<GatewayAppsOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayAppsOptions options)
    {
        var problems = new List<string>();
        var sessionCookie = configuration["Gateway:Session:CookieName"] is { Length: > 0 } configured ? configured.Trim() : new Configuration.SessionOptions().CookieName;
        if (options.Apps.Count > 0 && !string.IsNullOrWhiteSpace(configuration["Gateway:PublicOrigin"]))
        {
            problems.Add("Gateway:PublicOrigin is set together with Gateway:Apps; it gives every request the same host, so no request could reach another app. Remove it and let the request's host (Gateway:TrustedProxies for X-Forwarded-Host) pick the app.");
        }

        var hostOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var cookieOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [sessionCookie] = "Gateway:Session:CookieName" };
        foreach (var (appName, app) in options.Apps.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase))
        {
            var key = $"{AppsConfiguration.SectionPath}:{appName}";
            if (!AppNamePattern().IsMatch(appName))
            {
                problems.Add($"{key}: the app name must be 1-40 letters, digits, '-' or '_' (it names the app's cookie and sign-in scheme), e.g. 'wiki'.");
            }

            CheckHosts(key, appName, app, hostOwners, problems);

            if (app.Cognito is not null && app.Oidc is not null)
            {
                problems.Add($"{key}:Cognito and {key}:Oidc are both set; give each app exactly one identity provider section.");
            }
            else if (app.Cognito is { } cognito)
            {
                CognitoOptionsValidator.Check($"{key}:Cognito", cognito, problems);
            }
            else if (app.Oidc is { } oidc)
            {
                OidcOptionsValidator.Check($"{key}:Oidc", oidc, problems);
            }
            else
            {
                problems.Add($"{key} has no identity provider; set {key}:Cognito (UserPoolId and ClientId of this app's client) or {key}:Oidc.");
            }

            if (!string.IsNullOrWhiteSpace(app.CookieName) && !CookieNamePattern().IsMatch(app.CookieName.Trim()))
            {
                problems.Add($"{key}:CookieName is not a cookie name (got '{app.CookieName}'); use letters, digits, '_' or '-', e.g. '_gateway_{appName.ToLowerInvariant()}'.");
            }

            var cookie = GatewayApps.CookieNameOf(new GatewayOptions { Session = { CookieName = sessionCookie } }, appName, app);
            if (cookieOwners.TryGetValue(cookie, out var owner))
            {
                problems.Add($"{key}:CookieName '{cookie}' is already the cookie of {owner}; every app needs its own session cookie name (sessions of one app are never accepted by another).");
            }
            else
            {
                cookieOwners[cookie] = $"{key}:CookieName";
            }

            ProviderSettingRules.ValidateSignOutUri($"{key}:SignOutUri", app.SignOutUri, problems);
            GatewayPolicyOptionsValidator.ValidatePolicies(app.Policies, problems, $"{key}:Policies");
        }

        return problems.ToResult();
    }

    private static void CheckHosts(string key, string appName, AppOptions app, Dictionary<string, string> hostOwners, List<string> problems)
    {
        if (app.Hosts.Count == 0)
        {
            problems.Add($"{key}:Hosts is missing; list the host names of this app, e.g. {key}:Hosts:0 = '{appName.ToLowerInvariant()}.example.com' (or '*.example.com').");
        }

        for (var i = 0; i < app.Hosts.Count; i++)
        {
            var host = app.Hosts[i]?.Trim() ?? "";
            if (!HostPattern().IsMatch(host))
            {
                problems.Add($"{key}:Hosts:{i} is not a host name (got '{app.Hosts[i]}'); use a name such as 'wiki.example.com' or a wildcard '*.example.com', without scheme, port or path (apps are chosen by host name whatever the port).");
                continue;
            }

            if (hostOwners.TryGetValue(host, out var owner) && owner != appName)
            {
                problems.Add($"{key}:Hosts:{i} '{host}' is also a host of {AppsConfiguration.SectionPath}:{owner}; a host belongs to one app, remove it from one of them.");
            }
            else
            {
                hostOwners[host] = appName;
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,40}\z")]
    private static partial Regex AppNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex CookieNamePattern();

    // A DNS name (labels of letters, digits, '-'), optionally "*." in front; "localhost" names included.
    [GeneratedRegex(@"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostPattern();
}
