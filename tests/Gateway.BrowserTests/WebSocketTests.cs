using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Gateway.BrowserTests;

public sealed class WebSocketTests(GatewayStackFixture stack, ITestOutputHelper output) : BrowserTest(stack, output)
{
    [SkippableFact]
    public async Task Signed_in_the_sample_apps_websocket_echo_works_through_the_gateway()
    {
        var page = await NewPageAsync();
        await SignInAtAsync(page, "/ws", GatewayStackFixture.Alice);

        await page.Locator("#send button").ClickAsync();

        await Expect(page.Locator("#log")).ToContainTextAsync("< hello");
    }

    [SkippableFact]
    public async Task Without_a_session_a_websocket_to_a_protected_route_is_refused()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/public");

        var outcome = await page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
                const ws = new WebSocket('ws://' + location.host + '/ws/echo');
                ws.onopen = () => resolve('open');
                ws.onerror = () => resolve('refused');
            })
            """);

        Assert.Equal("refused", outcome);
    }
}
