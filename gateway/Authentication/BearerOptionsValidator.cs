using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication;

/// <summary>"Gateway:Bearer": Cognito access tokens only.</summary>
internal sealed class BearerOptionsValidator(IConfiguration configuration) : IValidateOptions<BearerOptions>
{
    public ValidateOptionsResult Validate(string? name, BearerOptions bearer)
    {
        var problems = new List<string>();
        if (!configuration.GetSection("Gateway:Cognito").Exists() && (bearer.AllowedClientIds.Count > 0 || bearer.ForwardAuth))
        {
            problems.Add("Gateway:Bearer is only supported with Gateway:Cognito (the access-token rules are Cognito's: token_use and client_id); remove the section.");
        }

        for (var i = 0; i < bearer.AllowedClientIds.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(bearer.AllowedClientIds[i]))
            {
                problems.Add($"Gateway:Bearer:AllowedClientIds:{i} is empty; give an app client id or remove the entry.");
            }
        }

        return problems.ToResult();
    }
}
