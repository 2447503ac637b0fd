namespace Gateway.CognitoCheck;

internal enum FindingSeverity
{
    /// <summary>Sign-in, refresh or sign-out will fail for users: the check exits 1.</summary>
    Problem,

    /// <summary>Works, but not as well as it could (e.g. short tokens): printed, the exit code stays 0.</summary>
    Warning,
}

/// <summary>One line of <c>--check-cognito</c>: <c>problem [code]: what is wrong; how to fix it</c>. Never carries a secret's value.</summary>
internal sealed record CognitoFinding(FindingSeverity Severity, string Code, string Text)
{
    public override string ToString() => $"{(Severity == FindingSeverity.Problem ? "problem" : "warning")} [{Code}]: {Text}";
}
