using Microsoft.Extensions.Options;

namespace Gateway.Paths;

/// <summary>"Gateway:Paths": each rule one of its named values (the binder alone would accept any number).</summary>
internal sealed class PathOptionsValidator : IValidateOptions<PathOptions>
{
    public ValidateOptionsResult Validate(string? name, PathOptions paths)
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(paths.EncodedSlash))
        {
            problems.Add($"Gateway:Paths:EncodedSlash has an unknown value (got '{paths.EncodedSlash}'); use 'Reject' (400, the default) or 'Decode' (read %2F as '/').");
        }

        if (!Enum.IsDefined(paths.Backslash))
        {
            problems.Add($"Gateway:Paths:Backslash has an unknown value (got '{paths.Backslash}'); use 'Reject' (400, the default) or 'Slash' (read '\\' and %5C as '/').");
        }

        if (!Enum.IsDefined(paths.PathParameters))
        {
            problems.Add($"Gateway:Paths:PathParameters has an unknown value (got '{paths.PathParameters}'); use 'Reject' (400, the default), 'Strip' (remove ';...' from each segment, as Tomcat does) or 'Keep' (';' is data).");
        }

        if (!Enum.IsDefined(paths.TrailingDots))
        {
            problems.Add($"Gateway:Paths:TrailingDots has an unknown value (got '{paths.TrailingDots}'); use 'Reject' (400, the default) or 'Keep'.");
        }

        // Not the Configuration helper: Configuration refers to Paths (GatewayOptions.Paths), so Paths must not refer back.
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
