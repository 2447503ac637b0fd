using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

public sealed class SignOutHardeningTests : GatewayTest<GatewayFixture>
{
    public SignOutHardeningTests(GatewayFixture fx)
        : base(fx)
    {
    }

    [Fact]
    public async Task RemoteSignOutPath_FromAnotherSite_DoesNotEndTheSession()
    {
        using var browser = Fx.NewBrowser();
        await browser.SignInAsync();

        var hop = await browser.NavigateOnceAsync("/oauth2/remote_sign_out");

        Assert.Equal(HttpStatusCode.NotFound, hop.Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.ApiGetAsync("/still-signed-in")).Status);
    }

    [Fact]
    public async Task SignOut_MultipartWithoutBoundary_Answers400NotA500()
    {
        using var browser = Fx.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Post, Fx.Gateway.Url + "/oauth2/sign_out")
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
        Fx.Cognito.CustomizeIdToken = (token, _) => token.Claims["email_verified"] = false;
        using var browser = Fx.NewBrowser();

        await browser.SignInAsync("/unverified");

        var request = Fx.Backend.LastRequestTo("/unverified");
        Assert.Empty(BackendStub.HeaderValues(request, "X-Forwarded-Email"));
        Assert.Equal(TestUser.Default.Sub, BackendStub.HeaderValues(request, "X-Forwarded-User").Single());
    }
}
