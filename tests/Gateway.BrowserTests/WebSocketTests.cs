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
    public async Task Signing_out_closes_the_pages_open_websocket_with_1008()
    {
        var page = await NewPageAsync();
        await SignInAtAsync(page, "/ws", GatewayStackFixture.Alice);

        // Open a socket, wait for the echo's greeting, then sign out from the same page (a same-origin POST).
        var outcome = await page.EvaluateAsync<string>("""
            () => new Promise(resolve => {
                const ws = new WebSocket('ws://' + location.host + '/ws/echo');
                ws.onmessage = () => {
                    ws.onmessage = null;
                    fetch('/oauth2/sign_out', { method: 'POST', redirect: 'manual', credentials: 'same-origin' });
                };
                ws.onclose = e => resolve(e.code + ' ' + e.reason);
                setTimeout(() => resolve('still open after 8 s'), 8000);
            })
            """);

        Assert.Equal("1008 session ended", outcome);
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
