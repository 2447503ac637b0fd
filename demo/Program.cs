using Gateway.Demo;
using Gateway.Demo.Emulator;
using Gateway.Hosting;

// One command for a browser to try: the Cognito stand-in, the sample legacy app, and the gateway in front of it.
const string GatewayUrl = "http://localhost:8080";
var profile = Path.Combine(AppContext.BaseDirectory, "demo.json");
var settings = DemoSettings.Load(new ConfigurationBuilder().AddJsonFile(profile, optional: false).Build());

await using var emulator = CognitoEmulator.Build(settings.Emulator, settings.EmulatorUrl);
await using var sample = Gateway.Demo.SampleApp.SampleApp.Build(settings.SampleAppUrl, GatewayUrl);
await using var gateway = GatewayApp.Build(["--config", profile, .. args], b => b.WebHost.UseUrls(GatewayUrl));

// Each host stops on Ctrl+C by itself; if one fails or stops, stop the others too.
await emulator.StartAsync();
await sample.StartAsync();
await gateway.StartAsync();

Console.WriteLine($"""

    Gateway demo is running. Open {GatewayUrl} in a browser.

      Gateway              {GatewayUrl}   (protected: /, /admin needs group 'admins'; public: /public)
      Cognito stand-in     {settings.EmulatorUrl}/{settings.Emulator.UserPoolId}
      Sample legacy app    {settings.SampleAppUrl}   (direct, without the gateway)

    Demo users:
    {string.Join(Environment.NewLine, settings.Emulator.Users.Select(u => u.IdentityProvider is null
        ? $"  {u.Username,-8} {u.Email,-22} password {u.Password,-12} groups: {(u.Groups.Count == 0 ? "(none)" : string.Join(", ", u.Groups))}"
        : $"  {u.Email,-31} no password: 'Continue with {u.IdentityProvider}' on the sign-in page ({u.Username}) groups: {string.Join(", ", u.Groups)}"))}

    Press Ctrl+C to stop.
    """);

var stopped = await Task.WhenAny(emulator.WaitForShutdownAsync(), sample.WaitForShutdownAsync(), gateway.WaitForShutdownAsync());
await Task.WhenAll(emulator.StopAsync(), sample.StopAsync(), gateway.StopAsync());
await stopped;
