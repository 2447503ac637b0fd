using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication;

/// <summary>The "Gateway" keys about talking to the identity provider (its own settings are in Gateway:Cognito or Gateway:Oidc).</summary>
public sealed class IdentityProviderOptions
{
    /// <summary>See <see cref="GatewayOptions.BackchannelTimeout"/>.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>See <see cref="GatewayOptions.AllowUnverifiedEmail"/>.</summary>
    public bool AllowUnverifiedEmail { get; set; }
}

/// <summary>Exactly one identity provider section, and a sane back-channel timeout.</summary>
internal sealed class IdentityProviderOptionsValidator(IConfiguration configuration) : IValidateOptions<IdentityProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityProviderOptions options)
    {
        var problems = new List<string>();
        var hasCognito = configuration.GetSection("Gateway:Cognito").Exists();
        var hasOidc = configuration.GetSection("Gateway:Oidc").Exists();
        if (hasCognito && hasOidc)
        {
            problems.Add("Gateway:Cognito and Gateway:Oidc are both set; configure exactly one identity provider (Gateway:Cognito for an Amazon Cognito user pool, Gateway:Oidc for any other OpenID Connect provider).");
        }
        else if (!hasCognito && !hasOidc && !configuration.GetSection(AppsConfiguration.SectionPath).Exists())
        {
            // With Gateway:Apps the top-level provider is optional: it is then only the app of hosts no named app claims.
            problems.Add("Gateway:Cognito is missing; set Gateway:Cognito:UserPoolId and Gateway:Cognito:ClientId (or configure Gateway:Oidc for another OpenID Connect provider).");
        }

        if (options.BackchannelTimeout < TimeSpan.FromMilliseconds(100) || options.BackchannelTimeout > TimeSpan.FromMinutes(2))
        {
            problems.Add($"Gateway:BackchannelTimeout must be between 00:00:00.1 and 00:02:00 (got '{options.BackchannelTimeout}'); e.g. '00:00:10'.");
        }

        return problems.ToResult();
    }
}

/// <summary>URL and scope rules shared by the Cognito and OIDC sections.</summary>
internal static class ProviderSettingRules
{
    public static void ValidateAuthority(string key, string value, List<string> problems)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"{key} is not an absolute URL (got '{value}'); use the issuer URL, e.g. 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz'.");
        }
        else if (!UriRules.IsSecureOrLoopback(uri))
        {
            problems.Add($"{key} must use https (got '{value}'); plain http is only allowed for loopback addresses (local emulators and tests).");
        }
        else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            problems.Add($"{key} must not have a query or fragment (got '{value}'); use the bare issuer URL.");
        }
    }

    public static void ValidateScopes(string key, string? scopes, List<string> problems, bool cognito)
    {
        var list = IdentityProviderSettings.SplitScopes(scopes);
        if (!list.Contains("openid", StringComparer.Ordinal))
        {
            problems.Add($"{key} must include 'openid' (got '{scopes}'); the gateway needs an ID token, e.g. 'openid email profile'.");
        }

        if (cognito && list.Contains("groups", StringComparer.Ordinal))
        {
            problems.Add($"{key} must not include 'groups' (Cognito answers invalid_scope); groups come from the cognito:groups claim of the ID token without any scope.");
        }
    }

    public static void ValidateSignOutUri(string key, string? value, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || !UriRules.IsSecureOrLoopback(uri))
        {
            problems.Add($"{key} must be an absolute https URL registered as an allowed sign-out URL (got '{value}'); e.g. 'https://app.example.com/' (http only on loopback).");
        }
    }
}
