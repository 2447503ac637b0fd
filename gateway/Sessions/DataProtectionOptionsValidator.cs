using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Sessions;

/// <summary>"Gateway:DataProtection".</summary>
internal sealed class DataProtectionOptionsValidator : IValidateOptions<DataProtectionOptions>
{
    public ValidateOptionsResult Validate(string? name, DataProtectionOptions options)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.KeysPath) && !Path.IsPathFullyQualified(options.KeysPath))
        {
            problems.Add($"Gateway:DataProtection:KeysPath must be an absolute directory path shared by every instance (got '{options.KeysPath}').");
        }

        return problems.ToResult();
    }
}
