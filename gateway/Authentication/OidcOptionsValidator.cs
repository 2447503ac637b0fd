using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication;

/// <summary>"Gateway:Oidc" (checked only when the section is present).</summary>
internal sealed class OidcOptionsValidator(IConfiguration configuration) : IValidateOptions<OidcOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcOptions o)
    {
        var problems = new List<string>();
        if (!configuration.GetSection("Gateway:Oidc").Exists() || configuration.GetSection("Gateway:Cognito").Exists())
        {
            return ValidateOptionsResult.Skip;
        }

        Check("Gateway:Oidc", o, problems);
        return problems.ToResult();
    }

    /// <summary>An OIDC section's problems, keys spelt under <paramref name="p"/> (also used for <c>Gateway:Apps:NAME:Oidc</c>).</summary>
    public static void Check(string p, OidcOptions o, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(o.Authority))
        {
            problems.Add($"{p}:Authority is missing; set it to the provider's issuer URL (where /.well-known/openid-configuration is served).");
        }
        else
        {
            ProviderSettingRules.ValidateAuthority($"{p}:Authority", o.Authority, problems);
        }

        if (string.IsNullOrWhiteSpace(o.ClientId))
        {
            problems.Add($"{p}:ClientId is missing; set it to the client id registered at the provider.");
        }

        ProviderSettingRules.ValidateScopes($"{p}:Scopes", o.Scopes, problems, cognito: false);
        ProviderSettingRules.ValidateSignOutUri($"{p}:SignOutUri", o.SignOutUri, problems);
    }
}
