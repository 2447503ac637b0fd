using System.Text.Json;

namespace Gateway.CognitoCheck;

/// <summary>
/// <c>--check-cognito</c>: reads the live user pool, app client and domain (DescribeUserPool, DescribeUserPoolClient,
/// DescribeUserPoolDomain) and prints one line per finding. Exit code 0 when nothing would fail for users (warnings
/// allowed), 1 when there is a problem or the pool cannot be read.
/// </summary>
internal sealed class CognitoCheckRunner(HttpMessageHandler handler, Func<string, string?> environment, TimeProvider time, TextWriter output)
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public async Task<int> RunAsync(CognitoCheckSettings settings, CancellationToken cancellationToken)
    {
        if (settings.UserPoolId is null || settings.Region is null)
        {
            return Fail(settings, "config", $"{settings.Section}:UserPoolId (e.g. eu-west-1_AbC123xyz) is needed to find the pool; with only {settings.Section}:Authority the check cannot tell which pool to read");
        }

        var (credentials, credentialProblem) = AwsCredentialSource.Resolve(environment);
        if (credentials is null)
        {
            return Fail(settings, "aws-credentials", credentialProblem!);
        }

        var (endpoint, endpointProblem) = CognitoIdpClient.ResolveEndpoint(settings.Region, environment);
        if (endpoint is null)
        {
            return Fail(settings, "aws-endpoint", endpointProblem!);
        }

        Line(settings, $"Checking user pool {settings.UserPoolId} and app client {settings.ClientId} at {endpoint} against the gateway's configuration.");
        using var http = new HttpClient(handler, disposeHandler: false) { Timeout = CallTimeout };
        var api = new CognitoIdpClient(http, endpoint, settings.Region, credentials, time);

        JsonElement pool;
        try
        {
            pool = Property(await api.DescribeUserPoolAsync(settings.UserPoolId, cancellationToken), "UserPool");
        }
        catch (CognitoApiException ex)
        {
            return Fail(settings, ex.ErrorType == "ResourceNotFoundException" ? "user-pool" : "aws", Explain(ex, $"user pool {settings.UserPoolId} (region {settings.Region})"));
        }

        JsonElement client;
        try
        {
            client = Property(await api.DescribeUserPoolClientAsync(settings.UserPoolId, settings.ClientId, cancellationToken), "UserPoolClient");
        }
        catch (CognitoApiException ex)
        {
            return Fail(settings, ex.ErrorType == "ResourceNotFoundException" ? "app-client" : "aws", Explain(ex, $"app client {settings.ClientId} ({settings.Section}:ClientId) in user pool {settings.UserPoolId}"));
        }

        var findings = new List<CognitoFinding>();
        var domain = CognitoPoolCheck.DomainToDescribe(settings, pool);
        JsonElement? domainDescription = null;
        if (domain is not null)
        {
            try
            {
                domainDescription = Property(await api.DescribeUserPoolDomainAsync(domain, cancellationToken), "DomainDescription");
            }
            catch (CognitoApiException ex)
            {
                return Fail(settings, "aws", Explain(ex, $"domain '{domain}'"));
            }
        }

        findings.AddRange(CognitoPoolCheck.CheckDomain(settings, domain, domainDescription));
        findings.AddRange(CognitoPoolCheck.CheckClient(settings, client));
        foreach (var finding in findings)
        {
            Line(settings, finding.ToString());
        }

        var problems = findings.Count(f => f.Severity == FindingSeverity.Problem);
        var warnings = findings.Count - problems;
        Line(settings, problems == 0
            ? $"OK: the pool and app client match the gateway's configuration ({warnings} warning{(warnings == 1 ? "" : "s")})."
            : $"{problems} problem{(problems == 1 ? "" : "s")}, {warnings} warning{(warnings == 1 ? "" : "s")}.");
        return problems == 0 ? 0 : 1;
    }

    private int Fail(CognitoCheckSettings settings, string code, string text)
    {
        Line(settings, new CognitoFinding(FindingSeverity.Problem, code, text).ToString());
        Line(settings, "1 problem: the check could not finish.");
        return 1;
    }

    /// <summary>One output line; with <c>Gateway:Apps</c> prefixed with the checked section (<c>[app wiki] …</c>).</summary>
    private void Line(CognitoCheckSettings settings, string text) =>
        output.WriteLine(settings.Label is null ? text : $"[{settings.Label}] {text}");

    private static string Explain(CognitoApiException ex, string what) => ex.ErrorType switch
    {
        "ResourceNotFoundException" => $"{what} does not exist ({ex.Message}); check the id and the region",
        "AccessDeniedException" or "NotAuthorizedException" => $"reading {what} was refused ({ex.Message}); the credentials need cognito-idp:DescribeUserPool, DescribeUserPoolClient and DescribeUserPoolDomain (see the README's IAM policy)",
        "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException" => $"AWS did not accept the credentials ({ex.Message}); {AwsCredentialSource.ExportHint}",
        _ => $"reading {what} failed: {ex.Message}",
    };

    private static JsonElement Property(JsonElement response, string name) =>
        response.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : throw new CognitoApiException("BadResponse", $"the answer has no {name} object");
}
