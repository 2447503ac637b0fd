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
            return Fail("config", "Gateway:Cognito:UserPoolId (e.g. eu-west-1_AbC123xyz) is needed to find the pool; with only Gateway:Cognito:Authority the check cannot tell which pool to read");
        }

        var (credentials, credentialProblem) = AwsCredentialSource.Resolve(environment);
        if (credentials is null)
        {
            return Fail("aws-credentials", credentialProblem!);
        }

        var (endpoint, endpointProblem) = CognitoIdpClient.ResolveEndpoint(settings.Region, environment);
        if (endpoint is null)
        {
            return Fail("aws-endpoint", endpointProblem!);
        }

        output.WriteLine($"Checking user pool {settings.UserPoolId} and app client {settings.ClientId} at {endpoint} against the gateway's configuration.");
        using var http = new HttpClient(handler, disposeHandler: false) { Timeout = CallTimeout };
        var api = new CognitoIdpClient(http, endpoint, settings.Region, credentials, time);

        JsonElement pool;
        try
        {
            pool = Property(await api.DescribeUserPoolAsync(settings.UserPoolId, cancellationToken), "UserPool");
        }
        catch (CognitoApiException ex)
        {
            return Fail(ex.ErrorType == "ResourceNotFoundException" ? "user-pool" : "aws", Explain(ex, $"user pool {settings.UserPoolId} (region {settings.Region})"));
        }

        JsonElement client;
        try
        {
            client = Property(await api.DescribeUserPoolClientAsync(settings.UserPoolId, settings.ClientId, cancellationToken), "UserPoolClient");
        }
        catch (CognitoApiException ex)
        {
            return Fail(ex.ErrorType == "ResourceNotFoundException" ? "app-client" : "aws", Explain(ex, $"app client {settings.ClientId} (Gateway:Cognito:ClientId) in user pool {settings.UserPoolId}"));
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
                return Fail("aws", Explain(ex, $"domain '{domain}'"));
            }
        }

        findings.AddRange(CognitoPoolCheck.CheckDomain(settings, domain, domainDescription));
        findings.AddRange(CognitoPoolCheck.CheckClient(settings, client));
        foreach (var finding in findings)
        {
            output.WriteLine(finding.ToString());
        }

        var problems = findings.Count(f => f.Severity == FindingSeverity.Problem);
        var warnings = findings.Count - problems;
        output.WriteLine(problems == 0
            ? $"OK: the pool and app client match the gateway's configuration ({warnings} warning{(warnings == 1 ? "" : "s")})."
            : $"{problems} problem{(problems == 1 ? "" : "s")}, {warnings} warning{(warnings == 1 ? "" : "s")}.");
        return problems == 0 ? 0 : 1;
    }

    private int Fail(string code, string text)
    {
        output.WriteLine(new CognitoFinding(FindingSeverity.Problem, code, text).ToString());
        output.WriteLine("1 problem: the check could not finish.");
        return 1;
    }

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
