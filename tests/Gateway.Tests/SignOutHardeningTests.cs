using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class SignOutHardeningTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _fx;

    public SignOutHardeningTests(GatewayFixture fx)
    {
        _fx = fx;
        _fx.ResetStubs();
    }

    [Fact]
    public async Task RemoteSignOutPath_FromAnotherSite_DoesNotEndTheSession()
    {
        using var browser = _fx.NewBrowser();
        await browser.SignInAsync();

        var hop = await browser.NavigateOnceAsync("/oauth2/remote_sign_out");

        Assert.Equal(HttpStatusCode.NotFound, hop.Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/still-signed-in")).Status);
    }

    [Fact]
    public async Task SignOut_MultipartWithoutBoundary_Answers400NotA500()
    {
        using var browser = _fx.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Post, _fx.Gateway.Url + "/oauth2/sign_out")
        {
            Content = new ByteArrayContent("--x\r\n"u8.ToArray()),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");

        var hop = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, hop.Status);
        Assert.DoesNotContain("Exception", hop.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnverifiedEmail_IsNotForwardedAsIdentity()
    {
        _fx.Cognito.CustomizeIdToken = (token, _) => token.Claims["email_verified"] = false;
        using var browser = _fx.NewBrowser();

        await browser.SignInAsync("/unverified");

        var request = _fx.Backend.LastRequestTo("/unverified");
        Assert.Empty(BackendStub.HeaderValues(request, "X-Forwarded-Email"));
        Assert.Equal(TestUser.Default.Sub, BackendStub.HeaderValues(request, "X-Forwarded-User").Single());
    }
}
