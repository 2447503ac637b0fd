using System.Net;
using System.Text;

namespace Gateway.Demo.Emulator;

/// <summary>The hosted-UI HTML: a login page and an error page that look roughly like Cognito's.</summary>
internal static class HostedUiPages
{
    public const string Banner = "Local Cognito stand-in — for development and tests only";

    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f2f3f3; margin: 0; color: #16191f; }
        .banner { background: #ff9900; color: #16191f; text-align: center; padding: 8px; font-weight: 600; }
        .card { background: #fff; max-width: 360px; margin: 48px auto; padding: 24px 32px; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
        h1 { font-size: 20px; margin: 0 0 16px; }
        label { display: block; font-size: 14px; margin: 12px 0 4px; }
        input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: 8px; border: 1px solid #aab7b8; border-radius: 4px; font-size: 14px; }
        button { margin-top: 20px; width: 100%; padding: 10px; background: #0972d3; color: #fff; border: 0; border-radius: 20px; font-size: 15px; cursor: pointer; }
        .error { background: #fff1f0; border: 1px solid #d91515; color: #d91515; padding: 8px; border-radius: 4px; font-size: 14px; }
        .muted { color: #5f6b7a; font-size: 12px; margin-top: 16px; }
        code { background: #f2f3f3; padding: 1px 4px; }
        """;

    public static string Login(
        string action, IEnumerable<KeyValuePair<string, string>> hiddenFields, string? clientId, string? error, string? username, string? lang = null,
        IReadOnlyList<KeyValuePair<string, string>>? providers = null)
    {
        var body = new StringBuilder();
        body.Append("<h1>Sign in</h1>");
        if (error is not null)
        {
            body.Append("<p class=\"error\" id=\"loginErrorMessage\">").Append(Encode(error)).Append("</p>");
        }

        body.Append("<form method=\"post\" action=\"").Append(Encode(action)).Append("\" name=\"cognitoSignInForm\">");
        foreach (var (name, value) in hiddenFields)
        {
            body.Append("<input type=\"hidden\" name=\"").Append(Encode(name)).Append("\" value=\"").Append(Encode(value)).Append("\">");
        }

        body.Append("<label for=\"signInFormUsername\">Username or email</label>")
            .Append("<input type=\"text\" id=\"signInFormUsername\" name=\"username\" autocomplete=\"username\" autofocus required value=\"")
            .Append(Encode(username ?? "")).Append("\">")
            .Append("<label for=\"signInFormPassword\">Password</label>")
            .Append("<input type=\"password\" id=\"signInFormPassword\" name=\"password\" autocomplete=\"current-password\" required>")
            .Append("<button type=\"submit\" id=\"signin\" name=\"signInSubmitButton\">Sign in</button>")
            .Append("</form>");
        foreach (var (name, href) in providers ?? [])
        {
            // Links, not buttons: the only button on this page is the pool's own "Sign in".
            body.Append("<p><a class=\"federatedProvider\" href=\"").Append(Encode(href)).Append("\">Continue with ")
                .Append(Encode(name)).Append("</a></p>");
        }

        if (clientId is not null)
        {
            body.Append("<p class=\"muted\">App client <code>").Append(Encode(clientId)).Append("</code></p>");
        }

        return Page("Signin", body.ToString(), lang);
    }

    /// <summary>
    /// The fake upstream IdP (what Google's or the company's SAML sign-in page would be): one button per user of that
    /// provider, each completing the sign-in as that user.
    /// </summary>
    public static string FederatedSignIn(
        string action, IEnumerable<KeyValuePair<string, string>> hiddenFields, EmulatorIdentityProvider provider,
        IReadOnlyList<EmulatorUser> users, string? lang)
    {
        var fields = hiddenFields.ToList();
        var body = new StringBuilder();
        body.Append("<h1 id=\"idpTitle\">Sign in with ").Append(Encode(provider.ProviderName)).Append(" (demo)</h1>")
            .Append("<p class=\"muted\">A stand-in for the ").Append(Encode(provider.ProviderType))
            .Append(" identity provider: no password, pick the account to continue as.</p>");
        if (users.Count == 0)
        {
            body.Append("<p class=\"error\">No user of this identity provider is configured.</p>");
        }

        foreach (var user in users)
        {
            body.Append("<form method=\"post\" action=\"").Append(Encode(action)).Append("\">");
            foreach (var (name, value) in fields)
            {
                body.Append("<input type=\"hidden\" name=\"").Append(Encode(name)).Append("\" value=\"").Append(Encode(value)).Append("\">");
            }

            body.Append("<input type=\"hidden\" name=\"provider\" value=\"").Append(Encode(provider.ProviderName)).Append("\">")
                .Append("<input type=\"hidden\" name=\"username\" value=\"").Append(Encode(user.Username)).Append("\">")
                .Append("<button type=\"submit\" class=\"federatedSignIn\">Continue as ")
                .Append(Encode(string.IsNullOrEmpty(user.Email) ? user.Username : user.Email)).Append("</button></form>");
        }

        return Page("Sign in with " + provider.ProviderName, body.ToString(), lang);
    }

    public static string Error(string code, string description)
    {
        var body = new StringBuilder()
            .Append("<h1>An error was encountered with the requested page.</h1>")
            .Append("<p class=\"error\" id=\"errorMessage\"><span id=\"errorCode\">").Append(Encode(code)).Append("</span>: ")
            .Append(Encode(description)).Append("</p>");
        return Page("Error", body.ToString());
    }

    private static string Page(string title, string body, string? lang = null) =>
        $"""
        <!DOCTYPE html>
        <html lang="{Encode(lang ?? "en")}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Encode(title)}</title><style>{Style}</style></head>
        <body><div class="banner" id="emulatorBanner">{Encode(Banner)}</div><div class="card">{body}</div></body></html>
        """;

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
