using System.Net;
using System.Text;
using Gateway.Demo.Hosting;

namespace Gateway.Demo.SampleApp;

/// <summary>
/// A stand-in for an unmodified legacy web app behind the gateway. It knows nothing about authentication:
/// it shows the identity headers (and every other header) it receives.
/// </summary>
public static class SampleApp
{
    private const string EmailHeader = "X-Forwarded-Email";
    private const string UserHeader = "X-Forwarded-User";
    private const string UsernameHeader = "X-Forwarded-Preferred-Username";
    private const string GroupsHeader = "X-Forwarded-Groups";
    private const string ProviderHeader = "X-Forwarded-Identity-Provider";

    /// <summary>
    /// Builds (does not start) the sample app listening on <paramref name="url"/>, e.g. <c>http://127.0.0.1:0</c>. With
    /// <paramref name="gatewayOrigin"/> it also verifies the gateway's signed assertion against that gateway's JWKS.
    /// </summary>
    /// <exception cref="ArgumentException">The URL's host is not a loopback address.</exception>
    public static WebApplication Build(string url, string? gatewayOrigin = null)
    {
        var assertions = gatewayOrigin is null ? null : new AssertionCheck(gatewayOrigin);
        var builder = LoopbackWebApplication.CreateBuilder(url, "Gateway.Demo.SampleApp");
        var app = builder.Build();
        app.UseWebSockets();

        app.MapGet("/", async context =>
        {
            // A cookie of the app's own: it must travel through the gateway untouched.
            context.Response.Cookies.Append("app_pref", "1", new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
            await Html(context, "Sample legacy app", await AssertionLineAsync(assertions, context.Request) + HomeBody(context.Request));
        });

        app.MapGet("/api/me", context =>
        {
            var headers = context.Request.Headers;
            return context.Response.WriteAsJsonAsync(new Dictionary<string, object?>
            {
                ["user"] = Value(headers, UserHeader),
                ["email"] = Value(headers, EmailHeader),
                ["username"] = Value(headers, UsernameHeader),
                ["groups"] = Groups(headers),
                ["identity_provider"] = Value(headers, ProviderHeader),
                ["headers"] = headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            }, context.RequestAborted);
        });

        app.MapGet("/admin/{**rest}", context => Html(context, "Admin area",
            $"<p>Only members of the <code>admins</code> group should get here (the gateway enforces it; this app does not check).</p>{IdentitySummary(context.Request)}{Links()}"));

        app.MapGet("/public/{**rest}", context =>
        {
            var present = new[] { UserHeader, EmailHeader, UsernameHeader, GroupsHeader, ProviderHeader }.Where(h => context.Request.Headers.ContainsKey(h)).ToArray();
            var verdict = present.Length == 0
                ? "<p id=\"identity\">No identity headers were received (anonymous request).</p>"
                : $"<p id=\"identity\">Identity headers present: {Encode(string.Join(", ", present))}</p>";
            return Html(context, "Public page", $"<p>This page is public: the gateway lets anyone through.</p>{verdict}{HeaderTable(context.Request)}{Links()}");
        });

        // WebSocket echo: the first message says who the gateway forwarded (identity headers pass on upgrades too).
        app.Map("/ws/echo", EchoWebSocketAsync);
        app.MapGet("/ws", context => Html(context, "WebSocket echo", WebSocketPage()));

        // A legacy form: submitted after the session ran out, the gateway keeps it through sign-in and sends it again.
        app.MapGet("/form", context => Html(context, "Order form", FormPage()));
        app.MapPost("/form", async context =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var list = new StringBuilder("<ul id=\"fields\">");
            foreach (var (name, values) in form)
            {
                list.Append("<li>").Append(Encode(name)).Append(": <span id=\"field-").Append(Encode(name)).Append("\">")
                    .Append(Encode(values.ToString())).Append("</span></li>");
            }

            await Html(context, "Order received", $"<p>Method: <code id=\"method\">{Encode(context.Request.Method)}</code></p>{list}</ul>{IdentitySummary(context.Request)}{Links()}");
        });

        app.Map("/{**rest}", async context =>
        {
            var request = context.Request;
            var body = new StringBuilder()
                .Append("<p>Method: <code id=\"method\">").Append(Encode(request.Method)).Append("</code></p>")
                .Append("<p>Path and query: <code id=\"path\">").Append(Encode(request.PathBase + request.Path + request.QueryString)).Append("</code></p>")
                .Append(IdentitySummary(request)).Append(await AssertionLineAsync(assertions, request)).Append(HeaderTable(request)).Append(Links());
            await Html(context, "Sample legacy app: echo", body.ToString());
        });

        return app;
    }

    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Connect with a WebSocket client (see /ws).", context.RequestAborted);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var who = Value(context.Request.Headers, EmailHeader) ?? Value(context.Request.Headers, UserHeader) ?? "anonymous";
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello " + who), System.Net.WebSockets.WebSocketMessageType.Text, true, context.RequestAborted);
        var buffer = new byte[4096];
        while (socket.State == System.Net.WebSockets.WebSocketState.Open)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
            {
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                break;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
        }
    }

    private static string WebSocketPage() =>
        """
        <p>Messages typed here go through the gateway to <code>/ws/echo</code> and come back.</p>
        <form id="send"><input id="text" value="hello"><button>Send</button></form>
        <pre id="log"></pre>
        <script>
        const log = m => document.getElementById('log').textContent += m + '\n';
        const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/echo');
        ws.onmessage = e => log('< ' + e.data);
        ws.onclose = e => log('closed (' + e.code + ')');
        document.getElementById('send').onsubmit = e => { e.preventDefault(); const t = document.getElementById('text').value; log('> ' + t); ws.send(t); };
        </script>
        """ + Links();

    private static string FormPage() =>
        """
        <p>Fill this in and send it. Signed out meanwhile (session expired, cookie deleted)? The gateway keeps the form
        through the sign-in and sends it afterwards.</p>
        <form id="order" method="post" action="/form">
        <p><label>Item <input name="item" value=""></label></p>
        <p><label>Note <textarea name="note"></textarea></label></p>
        <p><button type="submit">Send order</button></p>
        </form>
        """ + Links();

    private static string HomeBody(HttpRequest request) =>
        new StringBuilder()
            .Append(IdentitySummary(request))
            .Append("<p>Cookie header received: <code id=\"cookies\">").Append(Encode(request.Headers.Cookie.ToString())).Append("</code></p>")
            .Append(HeaderTable(request))
            .Append(Links())
            .ToString();

    private static async Task<string> AssertionLineAsync(AssertionCheck? assertions, HttpRequest request) =>
        assertions is null ? string.Empty : await assertions.DescribeAsync(request);

    private static string IdentitySummary(HttpRequest request)
    {
        var email = Value(request.Headers, EmailHeader);
        var username = Value(request.Headers, UsernameHeader) ?? Value(request.Headers, UserHeader);
        var provider = Value(request.Headers, ProviderHeader);
        var groups = Groups(request.Headers);
        var who = email is not null ? "Signed in as " + Encode(email)
            : username is not null ? "Signed in as " + Encode(username) + " (no X-Forwarded-Email header: the address is not verified)"
            : "Not signed in (no X-Forwarded-Email header)";
        return new StringBuilder()
            .Append("<p id=\"who\">").Append(who).Append("</p>")
            .Append("<p>Groups: <span id=\"groups\">").Append(Encode(string.Join(", ", groups))).Append("</span></p>")
            .Append("<p>Identity provider: <span id=\"provider\">")
            .Append(provider is null ? "none (a user of the pool itself)" : Encode(provider)).Append("</span></p>")
            .ToString();
    }

    private static string HeaderTable(HttpRequest request)
    {
        var table = new StringBuilder("<h2>Request headers received</h2><table id=\"headers\"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>");
        foreach (var (name, values) in request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            foreach (var value in values)
            {
                table.Append("<tr><td>").Append(Encode(name)).Append("</td><td>").Append(Encode(value ?? "")).Append("</td></tr>");
            }
        }

        return table.Append("</tbody></table>").ToString();
    }

    private static string Links() =>
        """
        <nav><a id="home" href="/">Home</a> · <a id="admin" href="/admin">Admin</a> · <a id="public" href="/public">Public</a> · <a id="corp" href="/corp">Corp (CorpSAML sign-in)</a> · <a id="api" href="/api/me">/api/me</a> · <a id="ws" href="/ws">WebSocket</a> · <a id="form" href="/form">Form</a> · <a id="signout" href="/oauth2/sign_out">Sign out</a></nav>
        """;

    private static string? Value(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var values) && !string.IsNullOrEmpty(values.ToString()) ? values.ToString() : null;

    /// <summary>
    /// The group names, whichever format the gateway uses: a JSON array (<c>GroupsFormat: Json</c>) or names joined with
    /// ',' where a ',' or '%' inside a name is percent-encoded (the default).
    /// </summary>
    private static string[] Groups(IHeaderDictionary headers)
    {
        var value = Value(headers, GroupsHeader) ?? "";
        if (value.StartsWith('['))
        {
            try
            {
                return System.Text.Json.JsonSerializer.Deserialize<string[]>(value) ?? [];
            }
            catch (System.Text.Json.JsonException)
            {
                return [value];
            }
        }

        return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Uri.UnescapeDataString).ToArray();
    }

    private static Task Html(HttpContext context, string title, string body)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(
            $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{Encode(title)}}</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em;} table{border-collapse:collapse;} td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-family:monospace;word-break:break-all;}</style>
            </head><body><h1>{{Encode(title)}}</h1>{{body}}</body></html>
            """,
            context.RequestAborted);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
