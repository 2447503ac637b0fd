using System.Net.Http.Headers;
using System.Text;
using Gateway.CognitoCheck;

namespace Gateway.Tests;

/// <summary>The SigV4 signing of <c>--check-cognito</c>, byte for byte against AWS's published test-suite vectors.</summary>
public sealed class SigV4SignerTests
{
    // The aws-sig-v4-test-suite's fixed credentials, date, region and service.
    private static readonly AwsCredentials Suite = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    [Theory]
    [InlineData("get-vanilla", "GET", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("post-vanilla", "POST", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    [InlineData("get-vanilla-query-order-key-case", "GET", "Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    public void SigV4_PublishedTestSuiteVectors(string vector, string method, string query, string expectedSignature)
    {
        _ = vector; // the suite's test name, shown in the test results
        var authorization = SigV4Signer.Authorization(
            method, "/", query, [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")], [],
            Suite, "us-east-1", "service", "20150830T123600Z");

        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={expectedSignature}",
            authorization);
    }

    /// <summary>
    /// A real DescribeUserPool request as the check sends it (JSON body, content type, X-Amz-Target, session token):
    /// the expected value was computed with botocore 1.43.11's SigV4Auth for the same request and timestamp.
    /// </summary>
    [Fact]
    public void SigV4_CognitoJsonRequest_MatchesBotocore()
    {
        var body = Encoding.UTF8.GetBytes("""{"UserPoolId":"eu-west-1_AbC123xyz"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://cognito-idp.eu-west-1.amazonaws.com/");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool");

        SigV4Signer.Sign(request, body, Suite with { SessionToken = "session-token-example" }, "eu-west-1", "cognito-idp",
            new DateTimeOffset(2026, 11, 29, 20, 37, 0, TimeSpan.Zero));

        Assert.Equal("20261129T203700Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("session-token-example", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/eu-west-1/cognito-idp/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, " +
            "Signature=7b17297ac0863f1c96e1133cb2878d3068043fdfcf3573e23d7b9a9454ec938a",
            request.Headers.GetValues("Authorization").Single());
    }
}
