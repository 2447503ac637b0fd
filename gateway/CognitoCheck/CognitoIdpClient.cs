using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gateway.CognitoCheck;

/// <summary>An error answer of the Cognito API (<c>__type</c> such as <c>ResourceNotFoundException</c>), or no usable answer at all.</summary>
internal sealed class CognitoApiException(string errorType, string message) : Exception(message)
{
    /// <summary>The exception name without its namespace (<c>AccessDeniedException</c>), or <c>Unreachable</c> / <c>BadResponse</c>.</summary>
    public string ErrorType { get; } = errorType;
}

/// <summary>
/// The three read-only <c>cognito-idp</c> calls of <c>--check-cognito</c> over the service's JSON 1.1 protocol
/// (POST <c>/</c>, <c>X-Amz-Target: AWSCognitoIdentityProviderService.ACTION</c>), signed with SigV4.
/// </summary>
internal sealed class CognitoIdpClient(HttpClient http, Uri endpoint, string region, AwsCredentials credentials, TimeProvider time)
{
    public const string Service = "cognito-idp";

    /// <summary>
    /// The endpoint as the AWS SDKs and CLI choose it: <c>AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER</c>, else
    /// <c>AWS_ENDPOINT_URL</c>, else <c>https://cognito-idp.REGION.amazonaws.com/</c>.
    /// </summary>
    public static (Uri? Endpoint, string? Problem) ResolveEndpoint(string region, Func<string, string?> environment)
    {
        foreach (var name in new[] { "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL" })
        {
            var value = environment(name);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                    ? (uri, null)
                    : (null, $"{name} is not an absolute http(s) URL");
            }
        }

        return (new Uri($"https://cognito-idp.{region}.amazonaws.com/"), null);
    }

    public Task<JsonElement> DescribeUserPoolAsync(string userPoolId, CancellationToken cancellationToken) =>
        CallAsync("DescribeUserPool", new Dictionary<string, string> { ["UserPoolId"] = userPoolId }, cancellationToken);

    public Task<JsonElement> DescribeUserPoolClientAsync(string userPoolId, string clientId, CancellationToken cancellationToken) =>
        CallAsync("DescribeUserPoolClient", new Dictionary<string, string> { ["UserPoolId"] = userPoolId, ["ClientId"] = clientId }, cancellationToken);

    public Task<JsonElement> DescribeUserPoolDomainAsync(string domain, CancellationToken cancellationToken) =>
        CallAsync("DescribeUserPoolDomain", new Dictionary<string, string> { ["Domain"] = domain }, cancellationToken);

    private async Task<JsonElement> CallAsync(string action, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(parameters);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSCognitoIdentityProviderService." + action);
        SigV4Signer.Sign(request, body, credentials, region, Service, time.GetUtcNow());

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new CognitoApiException("Unreachable", $"{action}: {endpoint} did not answer ({ex.GetType().Name})");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement json;
            try
            {
                json = string.IsNullOrWhiteSpace(text) ? default : JsonSerializer.Deserialize<JsonElement>(text);
            }
            catch (JsonException)
            {
                throw new CognitoApiException("BadResponse", $"{action}: HTTP {(int)response.StatusCode}, not a JSON answer");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CognitoApiException(ErrorType(response, json), $"{action}: {ErrorType(response, json)}: {ErrorMessage(json)}");
            }

            if (json.ValueKind != JsonValueKind.Object)
            {
                throw new CognitoApiException("BadResponse", $"{action}: HTTP {(int)response.StatusCode}, not a JSON object");
            }

            return json;
        }
    }

    /// <summary><c>__type</c> (or <c>X-Amzn-ErrorType</c>) without a namespace prefix (<c>…#ResourceNotFoundException</c>) or suffix (<c>:http://…</c>).</summary>
    private static string ErrorType(HttpResponseMessage response, JsonElement json)
    {
        var type = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : response.Headers.TryGetValues("X-Amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        if (string.IsNullOrWhiteSpace(type))
        {
            return $"HTTP{(int)response.StatusCode}";
        }

        type = type[(type.LastIndexOf('#') + 1)..];
        var colon = type.IndexOf(':');
        return colon >= 0 ? type[..colon] : type;
    }

    /// <summary>The service's message, cut short and on one line (it names resources, never secrets).</summary>
    private static string ErrorMessage(JsonElement json)
    {
        string? message = null;
        if (json.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in json.EnumerateObject())
            {
                if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                {
                    message = property.Value.GetString();
                }
            }
        }

        message = new string((message ?? "(no message)").Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return message.Length > 200 ? message[..200] + "…" : message;
    }
}
