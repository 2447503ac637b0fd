using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication;

/// <summary>"Gateway:Cognito" (checked only when the section is present), federation and sign-in hints included.</summary>
internal sealed partial class CognitoOptionsValidator(IConfiguration configuration) : IValidateOptions<CognitoOptions>
{
    public ValidateOptionsResult Validate(string? name, CognitoOptions c)
    {
        if (!configuration.GetSection("Gateway:Cognito").Exists() || configuration.GetSection("Gateway:Oidc").Exists())
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = new List<string>();
        Check("Gateway:Cognito", c, problems);
        return problems.ToResult();
    }

    /// <summary>A Cognito section's problems, keys spelt under <paramref name="p"/> (also used for <c>Gateway:Apps:NAME:Cognito</c>).</summary>
    public static void Check(string p, CognitoOptions c, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(c.ClientId))
        {
            problems.Add($"{p}:ClientId is missing; set it to the app client id (Cognito console → your user pool → App clients).");
        }

        var hasPool = !string.IsNullOrWhiteSpace(c.UserPoolId);
        var hasAuthority = !string.IsNullOrWhiteSpace(c.Authority);
        if (hasPool && !UserPoolIdPattern().IsMatch(c.UserPoolId!.Trim()))
        {
            problems.Add($"{p}:UserPoolId is not a Cognito user pool id (got '{c.UserPoolId}'); it looks like 'eu-west-1_AbC123xyz' (region, underscore, id).");
        }
        else if (!hasPool && !hasAuthority)
        {
            problems.Add($"{p}:UserPoolId is missing; set it to the user pool id (e.g. 'eu-west-1_AbC123xyz'), or set {p}:Authority to the issuer URL.");
        }

        if (!string.IsNullOrWhiteSpace(c.Region) && !RegionPattern().IsMatch(c.Region.Trim()))
        {
            problems.Add($"{p}:Region is not an AWS region (got '{c.Region}'); use a value such as 'eu-west-1', or remove it to derive the region from the user pool id.");
        }

        if (hasAuthority)
        {
            ProviderSettingRules.ValidateAuthority($"{p}:Authority", c.Authority!, problems);
        }

        if (!string.IsNullOrWhiteSpace(c.Domain))
        {
            var domain = c.Domain.Trim();
            if (Uri.TryCreate(domain, UriKind.Absolute, out var url))
            {
                if (!UriRules.IsSecureOrLoopback(url) || url.AbsolutePath != "/" || !string.IsNullOrEmpty(url.Query))
                {
                    problems.Add($"{p}:Domain must be a domain prefix or an https origin of the hosted UI (got '{c.Domain}'); use e.g. 'myapp' or 'https://auth.example.com' with no path.");
                }
            }
            else if (!DomainPrefixPattern().IsMatch(domain))
            {
                problems.Add($"{p}:Domain must be a domain prefix or an https origin of the hosted UI (got '{c.Domain}'); use e.g. 'myapp' (for https://myapp.auth.REGION.amazoncognito.com) or 'https://auth.example.com'.");
            }
            else if (string.IsNullOrWhiteSpace(c.Region) && IdentityProviderSettings.RegionFromPoolId(c.UserPoolId) is null)
            {
                problems.Add($"{p}:Domain is a prefix but no region is known; set {p}:UserPoolId or {p}:Region, or give the Domain as a full https URL.");
            }
        }

        ProviderSettingRules.ValidateScopes($"{p}:Scopes", c.Scopes, problems, cognito: true);
        ProviderSettingRules.ValidateSignOutUri($"{p}:SignOutUri", c.SignOutUri, problems);
        ValidateFederation(p, c, problems);
    }

    /// <summary>Federated users and sign-in hints: provider names and IdP identifiers as Cognito allows them.</summary>
    private static void ValidateFederation(string p, CognitoOptions c, List<string> problems)
    {
        const string nameRule = "a provider name as shown in the user pool (1-32 characters, no spaces), e.g. 'Google' or 'CorpSAML'";
        CheckProviderNames($"{p}:TrustedEmailProviders", c.TrustedEmailProviders, nameRule, problems);
        CheckProviderNames($"{p}:AllowedIdentityProviders", c.AllowedIdentityProviders, nameRule, problems);

        if (!string.IsNullOrWhiteSpace(c.IdentityProvider) && !SignInHintRules.IsProviderName(c.IdentityProvider.Trim()))
        {
            problems.Add($"{p}:IdentityProvider is not {nameRule} (got '{c.IdentityProvider}').");
        }

        if (!string.IsNullOrWhiteSpace(c.IdpIdentifier) && !SignInHintRules.IsIdpIdentifier(c.IdpIdentifier.Trim()))
        {
            problems.Add($"{p}:IdpIdentifier is not a Cognito IdP identifier (got '{c.IdpIdentifier}'); use one of the provider's identifiers, 1-40 letters, digits or '.', '_', '-', '@', '+', '=', e.g. 'example.com'.");
        }

        if (!string.IsNullOrWhiteSpace(c.IdentityProvider) && !string.IsNullOrWhiteSpace(c.IdpIdentifier))
        {
            problems.Add($"{p}:IdentityProvider and {p}:IdpIdentifier are both set; Cognito takes one sign-in hint, keep one of them.");
        }
    }

    private static void CheckProviderNames(string key, List<string> names, string rule, List<string> problems)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]) || !SignInHintRules.IsProviderName(names[i].Trim()))
            {
                problems.Add($"{key}:{i} is not {rule} (got '{names[i]}').");
            }
        }
    }

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+_[A-Za-z0-9]+$")]
    private static partial Regex UserPoolIdPattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DomainPrefixPattern();
}
