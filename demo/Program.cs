using Gateway.Demo;
using Gateway.Demo.Emulator;
using Gateway.Demo.Hosting;
using Gateway.Hosting;
using Microsoft.AspNetCore.Connections;

// One command for a browser to try: the Cognito stand-in, the sample legacy app, and the gateway in front of it.
// Ports: --urls http://localhost:PORT (gateway), --Demo:Emulator:Url=…, --Demo:SampleApp:Url=… (or Demo__… variables).
var profile = Path.Combine(AppContext.BaseDirectory, "demo.json");
var settings = DemoSettings.Load(new ConfigurationBuilder()
    .AddJsonFile(profile, optional: false)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build());
if (settings.Problem() is { } problem)
{
    Console.Error.WriteLine(problem);
    return GatewayCommandLine.InvalidConfiguration;
}

foreach (var (name, key, url) in settings.Listeners)
{
    if (!LoopbackPorts.IsFree(url))
    {
        Console.Error.WriteLine(BusyPort(name, key, url));
        return GatewayCommandLine.Failure;
    }
}

await using var emulator = CognitoEmulator.Build(settings.Emulator, settings.EmulatorUrl);
await using var sample = Gateway.Demo.SampleApp.SampleApp.Build(settings.SampleAppUrl, settings.GatewayUrl);
await using var gateway = GatewayApp.Build(["--config", profile, .. args], b =>
{
    b.WebHost.UseUrls(settings.GatewayUrl);
    b.Configuration.AddInMemoryCollection(settings.GatewayOverrides());
});

// Each host stops on Ctrl+C by itself; if one fails or stops, stop the others too.
WebApplication[] hosts = [emulator, sample, gateway];
foreach (var (host, (name, key, url)) in hosts.Zip(settings.Listeners))
{
    try
    {
        await host.StartAsync();
    }
    catch (IOException ex) when (ex.InnerException is AddressInUseException)
    {
        // Taken between the check above and now.
        Console.Error.WriteLine(BusyPort(name, key, url));
        return GatewayCommandLine.Failure;
    }
}

Console.WriteLine($"""

    Gateway demo is running. Open {settings.GatewayUrl} in a browser.

      Gateway              {settings.GatewayUrl}   (protected: /, /admin needs group 'admins'; public: /public)
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
return GatewayCommandLine.Success;

static string BusyPort(string name, string key, string url) =>
    $"Port {new Uri(url).Port} ({name}, {url}) is already in use: stop what uses it, or choose another port with {key}, e.g. {key}{(key == "--urls" ? " " : "=")}{Sibling(url)}.";

static string Sibling(string url)
{
    var uri = new UriBuilder(url) { Port = new Uri(url).Port + 10 };
    return uri.Uri.GetLeftPart(UriPartial.Authority);
}
