namespace Gateway.CognitoCheck;

/// <summary>
/// Finds AWS credentials the way the AWS CLI does for its two most common sources: the environment variables
/// (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>), else the shared credentials file
/// (<c>AWS_SHARED_CREDENTIALS_FILE</c> or <c>~/.aws/credentials</c>, profile <c>AWS_PROFILE</c> or <c>default</c>).
/// Other sources (SSO, instance roles, process credentials) are exported with
/// <c>eval "$(aws configure export-credentials --format env)"</c>, which the problem text says.
/// </summary>
internal static class AwsCredentialSource
{
    public const string ExportHint = "export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or run eval \"$(aws configure export-credentials --format env)\" first";

    public static (AwsCredentials? Credentials, string? Problem) Resolve(Func<string, string?> environment)
    {
        var accessKey = environment("AWS_ACCESS_KEY_ID");
        var secretKey = environment("AWS_SECRET_ACCESS_KEY");
        if (!string.IsNullOrWhiteSpace(accessKey) || !string.IsNullOrWhiteSpace(secretKey))
        {
            if (string.IsNullOrWhiteSpace(accessKey) || string.IsNullOrWhiteSpace(secretKey))
            {
                return (null, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
            }

            return (new AwsCredentials(accessKey.Trim(), secretKey.Trim(), NullIfBlank(environment("AWS_SESSION_TOKEN"))), null);
        }

        var profile = NullIfBlank(environment("AWS_PROFILE")) ?? "default";
        var file = NullIfBlank(environment("AWS_SHARED_CREDENTIALS_FILE"));
        if (file is null)
        {
            var home = NullIfBlank(environment("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            file = Path.Combine(home, ".aws", "credentials");
        }

        if (!File.Exists(file))
        {
            return (null, $"no AWS credentials found (no AWS_ACCESS_KEY_ID, no {file}): {ExportHint}");
        }

        var values = ReadProfile(file, profile);
        if (values is null)
        {
            return (null, $"profile '{profile}' is not in {file}: set AWS_PROFILE to one of its profiles, or {ExportHint}");
        }

        if (!values.TryGetValue("aws_access_key_id", out var fileKey) || !values.TryGetValue("aws_secret_access_key", out var fileSecret))
        {
            return (null, $"profile '{profile}' in {file} has no aws_access_key_id/aws_secret_access_key (SSO and role profiles are not read here): {ExportHint}");
        }

        return (new AwsCredentials(fileKey, fileSecret, values.GetValueOrDefault("aws_session_token")), null);
    }

    /// <summary>The keys of one <c>[profile]</c> section of an INI-style credentials file, or null when the section is absent.</summary>
    private static Dictionary<string, string>? ReadProfile(string file, string profile)
    {
        Dictionary<string, string>? values = null;
        var inProfile = false;
        foreach (var raw in File.ReadLines(file))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                inProfile = string.Equals(line[1..^1].Trim(), profile, StringComparison.Ordinal);
                if (inProfile)
                {
                    values ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                }

                continue;
            }

            var eq = line.IndexOf('=');
            if (inProfile && eq > 0)
            {
                values![line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return values;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
