using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>The built gateway run as a process with --help, --version, --check-config, --probe URL: exit codes and what it says.</summary>
public sealed class CommandLineTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture _fx;

    public CommandLineTests(GatewayFixture fx) => _fx = fx;

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string?>? config, params string[] args)
    {
        var psi = StartupConfig.GatewayProcess().WithEnvironment(config ?? new Dictionary<string, string?>());
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return StartupConfig.RunToExitAsync(psi);
    }

    [Fact]
    public async Task Help_ListsCommandsConfigurationSourcesAndExitCodes()
    {
        var (exitCode, stdout, _) = await RunAsync(null, "--help");

        Assert.Equal(0, exitCode);
        foreach (var expected in new[] { "--check-config", "--probe URL", "--version", "--config FILE", "Gateway__Session__Store", "Gateway:Management:Urls", "Exit codes", "  2  invalid configuration" })
        {
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (exitCode, stdout, _) = await RunAsync(null, "--version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^Gateway \d+\.\d+\.\d+", stdout);
    }

    [Fact]
    public async Task CheckConfig_Valid_ExitsZeroWithoutListening()
    {
        var (exitCode, stdout, stderr) = await RunAsync(StartupConfig.Minimal(), "--check-config");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("The configuration is valid.", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_Invalid_ExitsTwoWithEveryProblemInOneMessage()
    {
        var config = StartupConfig.With(StartupConfig.Minimal(),
            ("Gateway:Management:Urls", "https://0.0.0.0:9090"), ("Gateway:Session:Store", "Redsi"));

        var (exitCode, stdout, stderr) = await RunAsync(config, "--check-config");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("Gateway configuration is invalid (2 problems)", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Management:Urls", stderr, StringComparison.Ordinal);
        Assert.Contains("Gateway:Session:Store", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("is valid", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_ConfigFileArgument_IsReadAsAtStartUp()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gateway-check-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{ "Gateway": { "Sesion": { "Store": "Redis" } } }""");
        try
        {
            var (exitCode, _, stderr) = await RunAsync(StartupConfig.Minimal(), "--check-config", "--config", file);

            Assert.Equal(2, exitCode);
            Assert.Contains("Gateway:Sesion", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Probe_ManagementHealthz_ExitsZero()
    {
        var (exitCode, stdout, stderr) = await RunAsync(null, "--probe", _fx.Gateway.ManagementUrl + "/healthz");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("200", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_Non2xxAnswer_ExitsOneWithTheStatusOnOneLine()
    {
        var url = _fx.Gateway.ManagementUrl + "/no-such-path";

        var (exitCode, _, stderr) = await RunAsync(null, "--probe", url);

        Assert.Equal(1, exitCode);
        Assert.Equal($"probe failed: {url} answered 404 Not Found.", stderr.Trim());
    }

    [Fact]
    public async Task Probe_NothingListening_ExitsOneWithTheCause()
    {
        var url = $"http://127.0.0.1:{BackendStub.GetClosedPort()}/readyz";

        var (exitCode, _, stderr) = await RunAsync(null, "--probe", url);

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"probe failed: cannot reach {url}: ", stderr, StringComparison.Ordinal);
        Assert.Contains("refused", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/x")]
    [InlineData("not a url")]
    public async Task Probe_NotAnHttpUrl_ExitsTwo(string url)
    {
        var (exitCode, _, stderr) = await RunAsync(null, "--probe", url);

        Assert.Equal(2, exitCode);
        Assert.Contains("--probe needs one http(s) URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PublicPortInUse_ExitsOneNamingThePortAndHowToChooseAnother()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var psi = StartupConfig.GatewayProcess().WithEnvironment(StartupConfig.Minimal());
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";

        var (exitCode, _, stderr) = await StartupConfig.RunToExitAsync(psi);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("--urls", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ManagementPortInUse_ExitsOneNamingThePort()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var config = StartupConfig.With(StartupConfig.Minimal(), ("Gateway:Management:Urls", $"http://127.0.0.1:{port}"));

        var (exitCode, _, stderr) = await RunAsync(config);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("Gateway:Management:Urls", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithManagementListener_ServesItAndStopsCleanlyOnSigterm()
    {
        var managementUrl = $"http://127.0.0.1:{Gateway.Demo.Hosting.LoopbackPorts.Reserve()}";
        var psi = StartupConfig.GatewayProcess().WithEnvironment(StartupConfig.With(StartupConfig.Minimal(), ("Gateway:Management:Urls", managementUrl)));
        using var process = System.Diagnostics.Process.Start(psi)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpStatusCode? status = null;
            while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    status = (await client.GetAsync(managementUrl + "/healthz")).StatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(status == HttpStatusCode.OK, $"/healthz on {managementUrl}: {status}\n{string.Join('\n', output)}");

            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(stopped.Token);
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{string.Join('\n', output)}");
            // One host lifetime: the management server neither announces itself as an application nor handles SIGTERM.
            Assert.Single(output, l => l.Contains("Application started", StringComparison.Ordinal));
            Assert.Contains(output, l => l.Contains($"Management listener (/healthz, /readyz, /metrics) on {managementUrl}", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
