namespace Gateway.Hosting;

/// <summary>Thrown at start-up when the configuration has problems; the message lists all of them.</summary>
public sealed class GatewayConfigurationException : Exception
{
    public GatewayConfigurationException(IReadOnlyList<string> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }

    private static string FormatMessage(IReadOnlyList<string> problems) =>
        $"Gateway configuration is invalid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
        + Environment.NewLine
        + string.Join(Environment.NewLine, problems.Select(p => "- " + p));
}
