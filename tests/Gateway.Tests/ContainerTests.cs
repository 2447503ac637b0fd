using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Demo.Hosting;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// There is no container engine here, so the Dockerfile is checked against what it packages: `dotnet publish` output
/// run with the image's environment, its entry point, ports, user and health check (the very command, run for real),
/// and the Kubernetes and compose files that must agree with it.
/// </summary>
public sealed partial class ContainerTests
{
    private static readonly Lazy<Dockerfile> Image = new(() => Dockerfile.Parse(File.ReadAllLines(RepositoryFiles.Find("Dockerfile"))));

    [Fact]
    public void BaseImages_ArePinnedToExactVersions()
    {
        var froms = Image.Value.All("FROM");

        Assert.Equal(2, froms.Count);
        Assert.All(froms, from => Assert.Matches(@"^mcr\.microsoft\.com/dotnet/(sdk|aspnet):\d+\.\d+\.\d+(-[a-z-]+)?(@sha256:[0-9a-f]{64})?( AS \w+)?$", from));
        Assert.Contains("chiseled", froms[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void PortsUserAndHealthCheck_AgreeWithEachOtherAndWithKubernetes()
    {
        var image = Image.Value;
        var publicPort = int.Parse(image.Env["ASPNETCORE_HTTP_PORTS"], System.Globalization.CultureInfo.InvariantCulture);
        var management = new Uri(image.Env["Gateway__Management__Urls"]);

        Assert.Equal(new[] { publicPort, management.Port }.Order(), image.Single("EXPOSE").Split(' ').Select(int.Parse).Order());
        Assert.Equal("json", image.Env["Logging__Console__FormatterName"]);

        var probe = HealthCheckCommand(image);
        Assert.Equal(["dotnet", "Gateway.dll", "--probe"], probe[..3]);
        var probeUrl = new Uri(probe[3]);
        Assert.Equal(management.Port, probeUrl.Port);
        Assert.Equal("/healthz", probeUrl.AbsolutePath);
        Assert.Equal(["dotnet", "Gateway.dll"], JsonSerializer.Deserialize<string[]>(image.Single("ENTRYPOINT"))!);

        var deployment = File.ReadAllText(RepositoryFiles.Find("deploy/kubernetes/deployment.yaml"));
        Assert.Contains($"runAsUser: {image.Single("USER")}", deployment, StringComparison.Ordinal);
        Assert.Matches($@"- name: http\s+containerPort: {publicPort}\b", deployment);
        Assert.Matches($@"- name: management\s+containerPort: {management.Port}\b", deployment);
        Assert.Equal(2, Regex.Matches(deployment, @"port: management\b").Count);

        var compose = File.ReadAllText(RepositoryFiles.Find("deploy/compose/compose.yaml"));
        Assert.Contains($"\"--probe\", \"http://127.0.0.1:{management.Port}/readyz\"", compose, StringComparison.Ordinal);
        Assert.Contains($"gateway-1:{publicPort}", File.ReadAllText(RepositoryFiles.Find("deploy/compose/nginx.conf")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishedOutput_RunWithTheImagesEnvironment_PassesItsOwnHealthCheck()
    {
        var image = Image.Value;
        var publish = Directory.CreateTempSubdirectory("gateway-publish-");
        try
        {
            // What the build stage runs (the project as the Dockerfile names it), into a folder of our own.
            var project = RepositoryFiles.Find(Regex.Match(image.Last("RUN"), @"dotnet publish (\S+)").Groups[1].Value);
            var (published, publishOut, publishErr) = await Run("dotnet", ["publish", project, "-c", "Release", "-o", publish.FullName, "--nologo", "-v", "q"], null, timeoutSeconds: 300);
            Assert.True(published == 0, publishOut + publishErr);
            var entry = JsonSerializer.Deserialize<string[]>(image.Single("ENTRYPOINT"))!;
            Assert.True(File.Exists(Path.Combine(publish.FullName, entry[1])), $"{entry[1]} is not in the published output");
            Assert.True(File.Exists(Path.Combine(publish.FullName, "appsettings.json")));

            // The image's environment, with free ports instead of 8080/9090 (this machine runs other things).
            var (publicPort, managementPort) = (LoopbackPorts.Reserve(), LoopbackPorts.Reserve());
            var environment = image.Env.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
            environment["ASPNETCORE_HTTP_PORTS"] = publicPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["Gateway__Management__Urls"] = image.Env["Gateway__Management__Urls"].Replace(":9090", $":{managementPort}", StringComparison.Ordinal);
            foreach (var (key, value) in StartupConfig.Minimal())
            {
                environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }

            var gateway = StartupConfig.GatewayProcess();
            gateway.WorkingDirectory = publish.FullName;
            gateway.ArgumentList.Clear();
            gateway.ArgumentList.Add(Path.Combine(publish.FullName, entry[1]));
            gateway.Environment.Remove("ASPNETCORE_URLS");
            foreach (var (key, value) in environment)
            {
                gateway.Environment[key] = value;
            }

            using var process = Process.Start(gateway)!;
            var firstLine = process.StandardOutput.ReadLineAsync();
            try
            {
                // The HEALTHCHECK command itself, in the published folder, until the gateway is up.
                var probe = HealthCheckCommand(image);
                var probeArgs = probe[1..].Select(a => a.Replace(":9090", $":{managementPort}", StringComparison.Ordinal)).ToArray();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                (int ExitCode, string Stdout, string Stderr) result;
                while ((result = await Run(probe[0], probeArgs, publish.FullName, 30)).ExitCode != 0 && DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(200);
                }

                Assert.True(result.ExitCode == 0, $"the image's HEALTHCHECK failed: {result.Stdout}{result.Stderr}");

                // Logs are JSON lines with a timestamp (Logging__Console__FormatterName=json).
                using var line = JsonDocument.Parse(await firstLine.WaitAsync(TimeSpan.FromSeconds(30)) ?? "null");
                Assert.True(line.RootElement.TryGetProperty("Timestamp", out _), line.RootElement.ToString());
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            publish.Delete(recursive: true);
        }
    }

    [Fact]
    public void DockerIgnore_KeepsBuildOutputAndSecretsOutOfTheContext_ButNotWhatTheBuildCopies()
    {
        var ignored = File.ReadAllLines(RepositoryFiles.Find(".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains(".git/", ignored);
        Assert.Contains("**/*.env", ignored);
        foreach (var copied in Image.Value.All("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)).SelectMany(c => c.Split(' ')[..^1]))
        {
            Assert.DoesNotContain(ignored, pattern => copied.StartsWith(pattern.TrimEnd('/'), StringComparison.Ordinal));
        }
    }

    private static string[] HealthCheckCommand(Dockerfile image)
    {
        var healthCheck = image.Single("HEALTHCHECK");
        var exec = Regex.Match(healthCheck, @"CMD (\[.*\])$");
        Assert.True(exec.Success, $"HEALTHCHECK must use the exec form (no shell in the image): {healthCheck}");
        return JsonSerializer.Deserialize<string[]>(exec.Groups[1].Value)!;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> Run(string file, IEnumerable<string> args, string? workingDirectory, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return await StartupConfig.RunToExitAsync(psi, timeoutSeconds);
    }

    /// <summary>The final stage of a Dockerfile, instruction by instruction (continuation lines joined).</summary>
    private sealed class Dockerfile
    {
        private readonly List<(string Instruction, string Arguments)> _all;
        private readonly int _finalStage;

        private Dockerfile(List<(string Instruction, string Arguments)> all)
        {
            _all = all;
            _finalStage = all.FindLastIndex(i => i.Instruction == "FROM");
        }

        public static Dockerfile Parse(string[] lines)
        {
            var instructions = new List<(string Instruction, string Arguments)>();
            var current = string.Empty;
            foreach (var raw in lines)
            {
                var line = raw.Trim();
                if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
                {
                    continue;
                }

                current += (current.Length > 0 ? " " : string.Empty) + line.TrimEnd('\\').Trim();
                if (!line.EndsWith('\\'))
                {
                    var space = current.IndexOf(' ', StringComparison.Ordinal);
                    instructions.Add((current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
                    current = string.Empty;
                }
            }

            return new Dockerfile(instructions);
        }

        /// <summary>Every argument of <paramref name="instruction"/> in the whole file (FROM, RUN) or the final stage.</summary>
        public List<string> All(string instruction) =>
            _all.Where((i, index) => i.Instruction == instruction && (instruction is "FROM" or "RUN" or "COPY" || index > _finalStage)).Select(i => i.Arguments).ToList();

        public string Single(string instruction) => Assert.Single(All(instruction));

        public string Last(string instruction) => All(instruction)[^1];

        /// <summary>The final stage's ENV KEY=VALUE pairs.</summary>
        public Dictionary<string, string> Env => All("ENV").Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }
}
