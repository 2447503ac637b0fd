namespace Gateway.Demo.Emulator;

/// <summary>
/// An error answer of a Cognito endpoint as the rules decide it: the HTTP status and the OAuth <c>error</c> code, plus a
/// description for logs and error pages. Transport-neutral, so the emulator and the tests' WireMock stand-in answer alike.
/// </summary>
public sealed record CognitoError(int Status, string Error, string Description)
{
    /// <summary>The JSON body Cognito sends on its back-channel endpoints: <c>{"error":"…"}</c>.</summary>
    public IReadOnlyDictionary<string, string> Body => new Dictionary<string, string>(StringComparer.Ordinal) { ["error"] = Error };
}
