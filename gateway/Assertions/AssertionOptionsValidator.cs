using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Assertions;

/// <summary>"Gateway:Assertion".</summary>
internal sealed partial class AssertionOptionsValidator : IValidateOptions<AssertionOptions>
{
    public ValidateOptionsResult Validate(string? name, AssertionOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.HeaderName) || !HeaderNamePattern().IsMatch(options.HeaderName))
        {
            problems.Add($"Gateway:Assertion:HeaderName is not a valid HTTP header name (got '{options.HeaderName}'); use letters, digits and '-', e.g. '{AssertionOptions.DefaultHeaderName}'.");
        }
        else if (options.HeaderName.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || options.HeaderName.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ||
                 options.HeaderName.Equals("Host", StringComparison.OrdinalIgnoreCase) || options.HeaderName.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"Gateway:Assertion:HeaderName may not be '{options.HeaderName}' (a header the proxy or the identity headers use); the default is '{AssertionOptions.DefaultHeaderName}'.");
        }

        if (options.Lifetime < TimeSpan.FromSeconds(10) || options.Lifetime > TimeSpan.FromHours(1))
        {
            problems.Add($"Gateway:Assertion:Lifetime must be between 00:00:10 and 01:00:00 (got '{options.Lifetime}'); the default 00:01:00 keeps a leaked assertion useless within a minute.");
        }

        if (options.KeyLifetime < TimeSpan.FromHours(1) || options.KeyLifetime > TimeSpan.FromDays(365))
        {
            problems.Add($"Gateway:Assertion:KeyLifetime must be between 01:00:00 and 365.00:00:00 (got '{options.KeyLifetime}'); the default is 7.00:00:00 (a new signing key every week).");
        }

        if (options.Audience is { } audience && !string.IsNullOrWhiteSpace(audience) && (audience.Length > 200 || audience.Any(char.IsControl)))
        {
            problems.Add($"Gateway:Assertion:Audience must be at most 200 characters without control characters (got '{audience}'), e.g. 'https://orders.internal'; remove it for the request's public origin.");
        }

        return problems.ToResult();
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,99}$")]
    private static partial Regex HeaderNamePattern();
}
