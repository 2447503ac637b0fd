using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Demo.Hosting;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary><c>dotnet Demo.dll</c> (the demo beside the tests) on ports from the command line, and on a busy port.</summary>
public sealed class DemoPortsTests
{
    private static ProcessStartInfo Demo(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Demo.dll");
        Assert.True(File.Exists(dll), $"Demo.dll not found in {AppContext.BaseDirectory}");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var key in psi.Environment.Keys.Where(k =>
                     k.StartsWith("Gateway__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Demo__", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("ReverseProxy__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        return psi;
    }

    [Fact]
    public async Task Demo_PortsFromTheCommandLine_SignInGoesThroughTheStandInOnItsPort()
    {
        var (gatewayPort, emulatorPort, samplePort) = (LoopbackPorts.Reserve(), LoopbackPorts.Reserve(), LoopbackPorts.Reserve());
        var gatewayUrl = $"http://localhost:{gatewayPort}";
        var emulatorUrl = $"http://127.0.0.1:{emulatorPort}";
        using var process = Process.Start(Demo("--urls", gatewayUrl, $"--Demo:Emulator:Url={emulatorUrl}", $"--Demo:SampleApp:Url=http://127.0.0.1:{samplePort}"))!;
        var output = new StringBuilder();
        var running = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Gateway demo is running", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(running.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(running.Task.IsCompleted, $"the demo did not start:\n{output}");

            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, gatewayUrl + "/");
            request.Headers.Accept.ParseAdd("text/html");
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "navigate");
            using var signIn = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            var authorize = signIn.Headers.Location!;
            Assert.Equal(emulatorUrl, authorize.GetLeftPart(UriPartial.Authority));
            Assert.Contains(Uri.EscapeDataString(gatewayUrl + "/oauth2/callback"), authorize.Query, StringComparison.Ordinal);

            // The stand-in accepts that callback URL: its app client was given the gateway's real port.
            using var loginPage = await client.GetAsync(authorize);
            Assert.Equal(HttpStatusCode.OK, loginPage.StatusCode);

            // The sample app, on its own port, behind the gateway.
            Assert.Contains("Public page", await client.GetStringAsync(gatewayUrl + "/public"), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("gateway")]
    [InlineData("emulator")]
    [InlineData("sample")]
    public async Task Demo_PortInUse_ExitsOneWithOneLineNamingThePortAndTheKey(string which)
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var busyPort = ((IPEndPoint)busy.LocalEndpoint).Port;
        int Port(string name) => name == which ? busyPort : LoopbackPorts.Reserve();
        var psi = Demo("--urls", $"http://localhost:{Port("gateway")}",
            $"--Demo:Emulator:Url=http://127.0.0.1:{Port("emulator")}", $"--Demo:SampleApp:Url=http://127.0.0.1:{Port("sample")}");

        var (exitCode, stdout, stderr) = await StartupConfig.RunToExitAsync(psi);

        Assert.True(exitCode == 1, $"exit {exitCode}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith($"Port {busyPort} ", line, StringComparison.Ordinal);
        Assert.Contains(which switch { "gateway" => "--urls", "emulator" => "--Demo:Emulator:Url", _ => "--Demo:SampleApp:Url" }, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_GatewayUrlNotLocalhost_ExitsTwoSayingWhy()
    {
        var (exitCode, _, stderr) = await StartupConfig.RunToExitAsync(Demo("--urls", "http://0.0.0.0:8080"));

        Assert.Equal(2, exitCode);
        Assert.Contains("--urls must be one http://localhost:PORT address", stderr, StringComparison.Ordinal);
    }
}
