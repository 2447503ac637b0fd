using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Assertions;

/// <summary>"Gateway:Alb".</summary>
internal sealed partial class AlbOptionsValidator : IValidateOptions<AlbOptions>
{
    public ValidateOptionsResult Validate(string? name, AlbOptions options)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Signer) && (options.Signer.Length > 512 || options.Signer.Any(c => c < 0x21 || c > 0x7e)))
        {
            problems.Add($"Gateway:Alb:Signer must be printable ASCII without spaces, at most 512 characters (got '{options.Signer}'); use the load balancer ARN your apps check, e.g. 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188'.");
        }

        if (!string.IsNullOrWhiteSpace(options.PublicKeysPath) && !PathPattern().IsMatch(options.PublicKeysPath))
        {
            problems.Add($"Gateway:Alb:PublicKeysPath must start with '/', have no trailing '/' and use only letters, digits and '-', '_', '.', '/' (got '{options.PublicKeysPath}'); the default is '{{BasePath}}/alb-keys'.");
        }

        return problems.ToResult();
    }

    [GeneratedRegex("^(/[A-Za-z0-9._-]+)+$")]
    private static partial Regex PathPattern();
}
