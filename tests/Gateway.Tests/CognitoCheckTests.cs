using System.Diagnostics;
using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Tests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Gateway.Tests;

/// <summary>
/// <c>--check-cognito</c> against a WireMock stand-in of the three cognito-idp calls, answering with the response shapes
/// of the Cognito API reference: a pool that matches the configuration, and pools broken in each way users get wrong.
/// </summary>
public sealed class CognitoCheckTests : IDisposable
{
    private const string PoolId = "eu-west-1_AbC123xyz";
    private const string ClientId = "1h2j3k4l5m6n7o8p9q0r1s2t3u";
    private const string Secret = "s3cr3t-value-from-cognito-0123456789abcdefghijklmnop";
    private const string Origin = "https://app.example.com";

    private readonly WireMockServer api = WireMockServer.Start();

    // What DescribeUserPool, DescribeUserPoolClient and DescribeUserPoolDomain return for a pool set up as the README says.
    private readonly JsonObject pool = JsonNode.Parse($$"""
        { "UserPool": { "Id": "{{PoolId}}", "Name": "legacy-app", "Arn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{{PoolId}}",
          "Status": "Enabled", "Domain": "legacy-app-auth", "DeletionProtection": "ACTIVE", "MfaConfiguration": "OFF",
          "UsernameAttributes": [ "email" ], "AutoVerifiedAttributes": [ "email" ],
          "UsernameConfiguration": { "CaseSensitive": false }, "EstimatedNumberOfUsers": 12,
          "CreationDate": 1.7e9, "LastModifiedDate": 1.7e9 } }
        """)!.AsObject();

    private readonly JsonObject client = JsonNode.Parse($$"""
        { "UserPoolClient": { "UserPoolId": "{{PoolId}}", "ClientName": "legacy-app-gateway", "ClientId": "{{ClientId}}",
          "ClientSecret": "{{Secret}}", "RefreshTokenValidity": 30, "AccessTokenValidity": 60, "IdTokenValidity": 60,
          "TokenValidityUnits": { "AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days" },
          "SupportedIdentityProviders": [ "COGNITO", "Google" ],
          "CallbackURLs": [ "{{Origin}}/oauth2/callback" ], "LogoutURLs": [ "{{Origin}}/oauth2/signed_out" ],
          "AllowedOAuthFlows": [ "code" ], "AllowedOAuthScopes": [ "openid", "email", "profile" ],
          "AllowedOAuthFlowsUserPoolClient": true, "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": true,
          "EnablePropagateAdditionalUserContextData": false, "AuthSessionValidity": 3,
          "RefreshTokenRotation": { "Feature": "ENABLED", "RetryGracePeriodSeconds": 10 },
          "CreationDate": 1.7e9, "LastModifiedDate": 1.7e9 } }
        """)!.AsObject();

    private readonly JsonObject domain = JsonNode.Parse($$"""
        { "DomainDescription": { "UserPoolId": "{{PoolId}}", "AWSAccountId": "123456789012", "Domain": "legacy-app-auth",
          "S3Bucket": "aws-cognito-prod-dub-assets", "CloudFrontDistribution": "d3oia8etllorh5.cloudfront.net",
          "Version": "20250101000000", "Status": "ACTIVE", "ManagedLoginVersion": 2 } }
        """)!.AsObject();

    private readonly Dictionary<string, string?> environment = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ["AWS_SESSION_TOKEN"] = "session-token-example",
    };

    private readonly Dictionary<string, string?> config = new()
    {
        ["Gateway:Cognito:UserPoolId"] = PoolId,
        ["Gateway:Cognito:ClientId"] = ClientId,
        ["Gateway:Cognito:ClientSecret"] = Secret,
        ["Gateway:Cognito:SignOutUri"] = Origin + "/oauth2/signed_out",
        ["Gateway:PublicOrigin"] = Origin,
        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
    };

    public CognitoCheckTests()
    {
        environment["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = api.Url;
        Answer("DescribeUserPool", () => pool);
        Answer("DescribeUserPoolClient", () => client);
        Answer("DescribeUserPoolDomain", () => domain);
    }

    public void Dispose() => api.Dispose();

    [Fact]
    public void CheckCognito_CleanPool_PrintsOkAndExitsZero()
    {
        var (exit, output) = Check();

        Assert.True(exit == 0, output);
        Assert.Contains("OK: the pool and app client match the gateway's configuration (0 warnings).", output);
        Assert.DoesNotContain("problem", output);
        Assert.DoesNotContain("warning [", output);
        Assert.DoesNotContain(Secret, output);

        // The three read-only calls, each a SigV4-signed JSON 1.1 request for the pool's region.
        var targets = api.LogEntries.Select(e => Header(e.RequestMessage, "X-Amz-Target")).ToList();
        Assert.Equal(
            ["AWSCognitoIdentityProviderService.DescribeUserPool", "AWSCognitoIdentityProviderService.DescribeUserPoolClient", "AWSCognitoIdentityProviderService.DescribeUserPoolDomain"],
            targets);
        foreach (var entry in api.LogEntries)
        {
            var request = entry.RequestMessage!;
            Assert.Equal("POST", request.Method);
            Assert.StartsWith("application/x-amz-json-1.1", Header(request, "Content-Type"));
            Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/eu-west-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$",
                Header(request, "Authorization"));
            Assert.Equal("session-token-example", Header(request, "X-Amz-Security-Token"));
        }

        Assert.Contains($"\"Domain\":\"legacy-app-auth\"", api.LogEntries.Last().RequestMessage!.Body);
        Assert.Contains($"\"ClientId\":\"{ClientId}\"", api.LogEntries[1].RequestMessage!.Body);
    }

    public static TheoryData<string> BrokenPools() =>
    [
        "callback-url-missing", "sign-out-url-mismatch", "public-client", "secret-mismatch", "secret-not-configured",
        "scope-not-allowed", "revocation-off", "code-grant-off", "identity-provider-unsupported", "domain-of-another-pool",
        "no-domain", "client-not-found", "access-denied",
    ];

    [Theory]
    [MemberData(nameof(BrokenPools))]
    public void CheckCognito_BrokenPool_NamesTheProblemAndExitsOne(string broken)
    {
        var c = client["UserPoolClient"]!.AsObject();
        string expected;
        switch (broken)
        {
            case "callback-url-missing":
                c["CallbackURLs"] = new JsonArray("https://old-host.example.com/oauth2/callback");
                expected = $"problem [callback-url]: {Origin}/oauth2/callback is not an allowed callback URL of app client {ClientId} (registered: https://old-host.example.com/oauth2/callback)";
                break;
            case "sign-out-url-mismatch":
                c["LogoutURLs"] = new JsonArray(Origin + "/");
                expected = $"problem [sign-out-url]: {Origin}/oauth2/signed_out (Gateway:Cognito:SignOutUri) is not an allowed sign-out URL of app client {ClientId} (registered: {Origin}/)";
                break;
            case "public-client":
                c.Remove("ClientSecret");
                expected = $"problem [client-secret]: Gateway:Cognito:ClientSecret is set but app client {ClientId} has no secret (a public client)";
                break;
            case "secret-mismatch":
                config["Gateway:Cognito:ClientSecret"] = "an-old-secret-value-that-was-rotated-0123456789";
                expected = $"problem [client-secret]: Gateway:Cognito:ClientSecret is not app client {ClientId}'s secret";
                break;
            case "secret-not-configured":
                config.Remove("Gateway:Cognito:ClientSecret");
                expected = $"problem [client-secret]: app client {ClientId} has a client secret but Gateway:Cognito:ClientSecret is not set";
                break;
            case "scope-not-allowed":
                c["AllowedOAuthScopes"] = new JsonArray("openid", "email");
                expected = $"problem [scopes]: scope profile (Gateway:Cognito:Scopes) not allowed for app client {ClientId} (allowed: openid, email)";
                break;
            case "revocation-off":
                c["EnableTokenRevocation"] = false;
                expected = $"problem [token-revocation]: token revocation is off for app client {ClientId}";
                break;
            case "code-grant-off":
                c["AllowedOAuthFlows"] = new JsonArray("implicit");
                expected = $"problem [code-grant]: app client {ClientId} does not allow the authorization code grant (OAuth flows: implicit)";
                break;
            case "identity-provider-unsupported":
                config["ReverseProxy:Routes:corp:ClusterId"] = "backend";
                config["ReverseProxy:Routes:corp:Match:Path"] = "/corp/{**rest}";
                config["ReverseProxy:Routes:corp:Metadata:Gateway.IdentityProvider"] = "CorpSAML";
                expected = "problem [identity-provider]: ReverseProxy:Routes:corp:Metadata:Gateway.IdentityProvider names identity provider 'CorpSAML', which app client " +
                           $"{ClientId} does not support (supported: COGNITO, Google)";
                break;
            case "domain-of-another-pool":
                domain["DomainDescription"]!["UserPoolId"] = "eu-west-1_Other0000";
                expected = $"problem [domain]: domain 'legacy-app-auth' belongs to user pool eu-west-1_Other0000, not {PoolId}";
                break;
            case "no-domain":
                pool["UserPool"]!.AsObject().Remove("Domain");
                expected = $"problem [domain]: user pool {PoolId} has no domain";
                break;
            case "client-not-found":
                AnswerError("DescribeUserPoolClient", 400, "ResourceNotFoundException", "User pool client 1h2j3k4l5m6n7o8p9q0r1s2t3u does not exist.");
                expected = $"problem [app-client]: app client {ClientId} (Gateway:Cognito:ClientId) in user pool {PoolId} does not exist";
                break;
            case "access-denied":
                AnswerError("DescribeUserPool", 400, "com.amazonaws.cognito.identity.idp.model#AccessDeniedException",
                    "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cognito-idp:DescribeUserPool");
                expected = "problem [aws]: reading user pool eu-west-1_AbC123xyz (region eu-west-1) was refused (DescribeUserPool: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(broken), broken, null);
        }

        var (exit, output) = Check();

        Assert.True(exit == 1, output);
        Assert.Contains(expected, output);
        Assert.DoesNotContain(Secret, output);
        Assert.DoesNotContain("an-old-secret-value", output);
        Assert.DoesNotContain("OK:", output);
    }

    [Fact]
    public void CheckCognito_ShortAccessTokens_WarnAboutTheRefreshMarginButPass()
    {
        client["UserPoolClient"]!["AccessTokenValidity"] = 5;

        var (exit, output) = Check();

        Assert.True(exit == 0, output);
        Assert.Contains($"warning [refresh-margin]: access tokens of app client {ClientId} live 5 min: the gateway refreshes a session 75 s before they expire (a quarter of the lifetime), not Gateway:Session:RefreshMargin 00:05:00", output);
        Assert.Contains("OK: the pool and app client match the gateway's configuration (1 warning).", output);
    }

    [Fact]
    public void CheckCognito_RotationWithoutGrace_WarnsWithoutRedisOnly()
    {
        client["UserPoolClient"]!["RefreshTokenRotation"] = new JsonObject { ["Feature"] = "ENABLED", ["RetryGracePeriodSeconds"] = 0 };

        var (exit, output) = Check();
        Assert.True(exit == 0, output);
        Assert.Contains($"warning [rotation-grace]: app client {ClientId} rotates refresh tokens with a 0 s grace period and Gateway:Redis:Configuration is not set", output);

        config["Gateway:Redis:Configuration"] = "127.0.0.1:6379";
        (exit, output) = Check();
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("rotation-grace", output);
    }

    [Fact]
    public void CheckCognito_ImplicitGrantAndShortRefreshTokens_AreWarnings()
    {
        var c = client["UserPoolClient"]!;
        c["AllowedOAuthFlows"] = new JsonArray("code", "implicit");
        c["RefreshTokenValidity"] = 60;
        c["TokenValidityUnits"]!["RefreshToken"] = "minutes";

        var (exit, output) = Check();

        Assert.True(exit == 0, output);
        Assert.Contains($"warning [implicit-grant]: app client {ClientId} allows the implicit grant", output);
        Assert.Contains($"warning [session-lifetime]: refresh tokens of app client {ClientId} live 1 h, less than Gateway:Session:Lifetime 08:00:00", output);
    }

    [Fact]
    public void CheckCognito_WithoutPublicOrigin_ChecksTheSignOutUrlOfEachRegisteredGatewayHost()
    {
        config.Remove("Gateway:PublicOrigin");
        config.Remove("Gateway:Cognito:SignOutUri");
        client["UserPoolClient"]!["CallbackURLs"] = new JsonArray("https://a.example.com/oauth2/callback", "https://b.example.com/oauth2/callback");
        client["UserPoolClient"]!["LogoutURLs"] = new JsonArray("https://a.example.com/");

        var (exit, output) = Check();

        Assert.True(exit == 1, output);
        Assert.Contains($"problem [sign-out-url]: https://b.example.com/ (the default of Gateway:Cognito:SignOutUri) is not an allowed sign-out URL of app client {ClientId}", output);
        Assert.DoesNotContain("https://a.example.com/ (the default", output);
    }

    [Fact]
    public void CheckCognito_GroupsScope_IsAConfigurationErrorWithExitTwo()
    {
        config["Gateway:Cognito:Scopes"] = "openid email groups";

        var (exit, output) = Check();

        Assert.True(exit == 2, output);
        Assert.Contains("Gateway:Cognito:Scopes", output);
        Assert.Contains("groups", output);
        Assert.Empty(api.LogEntries);
    }

    [Fact]
    public void CheckCognito_NoCredentials_SaysHowToProvideThemWithoutCallingAws()
    {
        environment.Remove("AWS_ACCESS_KEY_ID");
        environment.Remove("AWS_SECRET_ACCESS_KEY");
        environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "credentials");

        var (exit, output) = Check();

        Assert.True(exit == 1, output);
        Assert.Contains("problem [aws-credentials]: no AWS credentials found", output);
        Assert.Contains("aws configure export-credentials --format env", output);
        Assert.Empty(api.LogEntries);
    }

    [Fact]
    public void CheckCognito_SharedCredentialsFileProfileAndGenericEndpoint_AreUsed()
    {
        var file = Path.Combine(Path.GetTempPath(), "gateway-creds-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, """
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret

            # the profile the check should use
            [ops]
            aws_access_key_id = AKIDOPS
            aws_secret_access_key = ops-secret
            """);
        try
        {
            environment.Remove("AWS_ACCESS_KEY_ID");
            environment.Remove("AWS_SECRET_ACCESS_KEY");
            environment.Remove("AWS_SESSION_TOKEN");
            environment["AWS_SHARED_CREDENTIALS_FILE"] = file;
            environment["AWS_PROFILE"] = "ops";
            environment["AWS_ENDPOINT_URL"] = environment["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"];
            environment.Remove("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER");

            var (exit, output) = Check();

            Assert.True(exit == 0, output);
            var authorization = Header(api.LogEntries.First().RequestMessage, "Authorization");
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDOPS/", authorization);
            Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,", authorization);
            Assert.DoesNotContain("ops-secret", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The domain asked about: Gateway:Cognito:Domain as the API names it (prefix, or a custom domain's host), else the pool's custom domain, else its prefix.</summary>
    [Theory]
    [InlineData("legacy-app-auth", null, "legacy-app-auth")]
    [InlineData("https://legacy-app-auth.auth.eu-west-1.amazoncognito.com", null, "legacy-app-auth")]
    [InlineData("https://auth.example.com", null, "auth.example.com")]
    [InlineData(null, "auth.example.com", "auth.example.com")]
    public void CheckCognito_DescribesTheDomainTheGatewayUses(string? configured, string? poolCustomDomain, string described)
    {
        if (configured is not null)
        {
            config["Gateway:Cognito:Domain"] = configured;
        }

        if (poolCustomDomain is not null)
        {
            pool["UserPool"]!["CustomDomain"] = poolCustomDomain;
        }

        domain["DomainDescription"]!["Domain"] = described;

        var (exit, output) = Check();

        Assert.True(exit == 0, output);
        Assert.Contains($"\"Domain\":\"{described}\"", api.LogEntries.Last().RequestMessage!.Body);
    }

    [Fact]
    public void CheckCognito_EndpointDown_SaysSoAndExitsOne()
    {
        environment["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] = "http://127.0.0.1:9/";

        var (exit, output) = Check();

        Assert.True(exit == 1, output);
        Assert.Contains("problem [aws]: reading user pool eu-west-1_AbC123xyz (region eu-west-1) failed: DescribeUserPool: http://127.0.0.1:9/ did not answer", output);
    }

    /// <summary>The published gateway's own command line: <c>dotnet Gateway.dll --check-cognito</c>, configured by environment variables.</summary>
    [Fact]
    public async Task CheckCognito_GatewayProcess_PrintsFindingsAndExitsWithTheirCode()
    {
        client["UserPoolClient"]!["EnableTokenRevocation"] = false;
        var psi = StartupConfig.GatewayProcess();
        psi.ArgumentList.Add("--check-cognito");
        foreach (var (key, value) in config)
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 1, output);
        Assert.Contains($"problem [token-revocation]: token revocation is off for app client {ClientId}", output);
        Assert.Contains("1 problem, 0 warnings.", output);
        Assert.DoesNotContain(Secret, output);
    }

    private (int Exit, string Output) Check()
    {
        var args = new List<string> { CheckCognitoCommand.Flag };
        args.AddRange(config.Select(kv => $"--{kv.Key}={kv.Value}"));
        using var output = new StringWriter();
        var exit = CheckCognitoCommand.Run(args.ToArray(), output, output, name => environment.GetValueOrDefault(name), new SocketsHttpHandler(), TimeProvider.System);
        return (exit, output.ToString());
    }

    private void Answer(string action, Func<JsonObject> body) =>
        api.Given(Request.Create().UsingPost().WithPath("/").WithHeader("X-Amz-Target", "AWSCognitoIdentityProviderService." + action))
            .RespondWith(Response.Create().WithCallback(_ => new ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/x-amz-json-1.1") },
                BodyData = new WireMock.Util.BodyData { BodyAsString = body().ToJsonString(), DetectedBodyType = WireMock.Types.BodyType.String },
            }));

    private void AnswerError(string action, int status, string type, string message) =>
        api.Given(Request.Create().UsingPost().WithPath("/").WithHeader("X-Amz-Target", "AWSCognitoIdentityProviderService." + action))
            .AtPriority(0)
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/x-amz-json-1.1")
                .WithBody(new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString()));

    private static string Header(IRequestMessage? request, string name) =>
        request?.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() ?? "";
}
