using Gateway.Demo.Emulator;
using Gateway.Demo.Hosting;

namespace Gateway.Demo;

/// <summary>
/// The <c>Demo</c> section of demo.json (overridable from the environment, <c>Demo__SampleApp__Url</c>, and the command
/// line, <c>--Demo:SampleApp:Url=…</c>): where the emulator and sample app listen, and the emulator's pool; plus the
/// gateway's own URL (<c>--urls</c>).
/// </summary>
internal sealed record DemoSettings(string EmulatorUrl, CognitoEmulatorOptions Emulator, string SampleAppUrl, string GatewayUrl)
{
    public const string SectionName = "Demo";

    /// <summary>The gateway's URL in demo.json's callback and sign-out URLs; <c>--urls</c> replaces it everywhere.</summary>
    public const string DefaultGatewayUrl = "http://localhost:8080";

    public static DemoSettings Load(IConfiguration configuration)
    {
        var demo = configuration.GetSection(SectionName);
        var emulatorSection = demo.GetSection("Emulator");
        var emulator = emulatorSection.Get<CognitoEmulatorOptions>() ?? new CognitoEmulatorOptions();

        // "custom:department" contains the configuration key separator, so the binder cannot put it in a dictionary:
        // read each user's Attributes section as flattened relative paths instead.
        emulator.Users = emulatorSection.GetSection("Users").GetChildren().Select((section, index) =>
        {
            var user = index < emulator.Users.Count ? emulator.Users[index] : new EmulatorUser();
            user.Attributes = section.GetSection("Attributes")
                .AsEnumerable(makePathsRelative: true)
                .Where(p => p.Value is not null)
                .ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
            return user;
        }).ToList();

        var gatewayUrl = (configuration["urls"] ?? DefaultGatewayUrl).TrimEnd('/');
        foreach (var client in emulator.Clients)
        {
            client.CallbackUrls = client.CallbackUrls.Select(u => Rebase(u, gatewayUrl)).ToList();
            client.SignOutUrls = client.SignOutUrls.Select(u => Rebase(u, gatewayUrl)).ToList();
        }

        return new DemoSettings(
            (emulatorSection["Url"] ?? "http://127.0.0.1:9011").TrimEnd('/'),
            emulator,
            (demo["SampleApp:Url"] ?? "http://127.0.0.1:9012").TrimEnd('/'),
            gatewayUrl);
    }

    /// <summary>The three listeners in the order they start: what each is, the key that moves it, its URL.</summary>
    public IReadOnlyList<(string Name, string Key, string Url)> Listeners =>
    [
        ("Cognito stand-in", "--Demo:Emulator:Url", EmulatorUrl),
        ("sample app", "--Demo:SampleApp:Url", SampleAppUrl),
        ("gateway", "--urls", GatewayUrl),
    ];

    /// <summary>
    /// The problem with these URLs in one line, or null. The stand-in and the sample app bind to loopback only; the
    /// gateway must be <c>http://localhost:PORT</c>, the only plain-http callback origin Cognito (and the stand-in) accepts.
    /// </summary>
    public string? Problem()
    {
        if (!Uri.TryCreate(GatewayUrl, UriKind.Absolute, out var gateway) || gateway.Scheme != Uri.UriSchemeHttp ||
            !string.Equals(gateway.Host, "localhost", StringComparison.OrdinalIgnoreCase) || gateway.IsDefaultPort ||
            gateway.AbsolutePath != "/")
        {
            return $"--urls must be one http://localhost:PORT address (got '{GatewayUrl}'): Cognito accepts plain-http callback URLs only for localhost. Example: --urls http://localhost:8081";
        }

        foreach (var (name, key, url) in Listeners.Where(l => l.Url != GatewayUrl))
        {
            try
            {
                LoopbackWebApplication.EnsureLoopback(url);
            }
            catch (ArgumentException ex)
            {
                return $"{key} ({name}): {ex.Message.Split(" (Parameter", 2)[0]} Example: {key}=http://127.0.0.1:9021";
            }
        }

        return null;
    }

    /// <summary>What the gateway's configuration (demo.json) must say to reach the listeners where they really are.</summary>
    public Dictionary<string, string?> GatewayOverrides() => new()
    {
        ["Gateway:Cognito:Authority"] = $"{EmulatorUrl}/{Emulator.UserPoolId}",
        ["Gateway:Cognito:SignOutUri"] = GatewayUrl + "/oauth2/signed_out",
        // demo.json's one cluster and destination.
        ["ReverseProxy:Clusters:sample:Destinations:app:Address"] = SampleAppUrl + "/",
    };

    private static string Rebase(string url, string gatewayUrl) =>
        url.StartsWith(DefaultGatewayUrl + "/", StringComparison.OrdinalIgnoreCase) ? gatewayUrl + url[DefaultGatewayUrl.Length..] : url;
}
