using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A real nginx (the distribution's /usr/sbin/nginx) running deploy/nginx/nginx.conf with loopback addresses put in:
/// foreground (<c>daemon off</c>), its own prefix, pid and temp directories, stopped by killing the process.
/// </summary>
public sealed class NginxProcess : IDisposable
{
    public const string Binary = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly DirectoryInfo _prefix;

    private NginxProcess(Process process, DirectoryInfo prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        // Browsers address it as localhost: Cognito allows plain-http callback URLs only there (it listens on 127.0.0.1).
        Url = $"http://localhost:{port}";
    }

    public string Url { get; }

    public string ErrorLog => File.Exists(Path.Combine(_prefix.FullName, "error.log")) ? File.ReadAllText(Path.Combine(_prefix.FullName, "error.log")) : string.Empty;

    /// <summary>Whether tests may skip: nginx is missing and this is not CI (under CI=true a missing nginx is a failure).</summary>
    public static bool MissingAndSkippable => !File.Exists(Binary) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string ExampleConfigPath() => RepositoryFiles.Find(Path.Combine("deploy", "nginx", "nginx.conf"));

    /// <summary>Starts nginx with the shipped example, the gateway and app upstreams replaced by loopback addresses.</summary>
    public static async Task<NginxProcess> StartExampleAsync(string gatewayUrl, string appUrl)
    {
        var port = BackendStub.GetClosedPort();
        var config = await File.ReadAllTextAsync(ExampleConfigPath());
        config = Replace(config, "server gateway:8080;", $"server 127.0.0.1:{new Uri(gatewayUrl).Port};");
        config = Replace(config, "server app:8080;", $"server 127.0.0.1:{new Uri(appUrl).Port};");
        config = Replace(config, "listen 80;", $"listen 127.0.0.1:{port};");
        return await StartAsync(config, port);
    }

    public static string CentralAuthConfigPath() => RepositoryFiles.Find(Path.Combine("deploy", "nginx", "central-auth.conf"));

    /// <summary>
    /// Starts nginx with the shipped central-auth example on <paramref name="port"/>: TLS removed, upstreams on loopback,
    /// <c>corp.example.com</c> names turned into <c>apps.localhost</c> ones (the auth host is <c>auth.apps.localhost</c>).
    /// </summary>
    public static async Task<NginxProcess> StartCentralAuthExampleAsync(string gatewayUrl, string appUrl, int port)
    {
        var config = await File.ReadAllTextAsync(CentralAuthConfigPath());
        config = Replace(config, "server gateway:8080;", $"server 127.0.0.1:{new Uri(gatewayUrl).Port};");
        config = Replace(config, "server app:8080;", $"server 127.0.0.1:{new Uri(appUrl).Port};");
        config = Replace(config, "listen 443 ssl;", $"listen 127.0.0.1:{port};");
        config = Replace(config, "ssl_certificate /etc/nginx/tls/corp.example.com.crt;", string.Empty);
        config = Replace(config, "ssl_certificate_key /etc/nginx/tls/corp.example.com.key;", string.Empty);
        config = Replace(config, "https://auth.corp.example.com", $"http://auth.apps.localhost:{port}");
        config = Replace(config, "server_name auth.corp.example.com;", "server_name auth.apps.localhost;");
        config = Replace(config, "server_name *.corp.example.com;", "server_name *.apps.localhost;");
        return await StartAsync(config, port);
    }

    /// <summary>
    /// Starts nginx with deploy/compose/nginx.conf, its two gateways replaced by loopback addresses. Docker's DNS
    /// (<c>resolver</c>, <c>resolve</c>: nginx 1.27.3+) is taken out; everything else is the file as shipped.
    /// </summary>
    public static async Task<NginxProcess> StartComposeExampleAsync(string gateway1Url, string gateway2Url)
    {
        var port = BackendStub.GetClosedPort();
        var config = await File.ReadAllTextAsync(RepositoryFiles.Find(Path.Combine("deploy", "compose", "nginx.conf")));
        config = Replace(config, "resolver 127.0.0.11 valid=10s ipv6=off;", string.Empty);
        config = Replace(config, "server gateway-1:8080 resolve ", $"server 127.0.0.1:{new Uri(gateway1Url).Port} ");
        config = Replace(config, "server gateway-2:8080 resolve ", $"server 127.0.0.1:{new Uri(gateway2Url).Port} ");
        config = Replace(config, "listen 8080;", $"listen 127.0.0.1:{port};");
        config = Replace(config, "listen 8081;", $"listen 127.0.0.1:{BackendStub.GetClosedPort()};");
        config = Replace(config, "worker_processes auto;", "worker_processes 1;");
        return await StartAsync(config, port);
    }

    /// <summary>
    /// A legacy backend as many stacks behave: nginx with its default <c>merge_slashes on</c>, decoding and resolving the
    /// path itself, and an "admin" area recognised as liberally as Tomcat (<c>;params</c> stripped), IIS (trailing dots,
    /// backslashes, any case) would. Every page answers <c>{AREA} uri={$uri}</c>, so a test sees what the backend made of the path.
    /// </summary>
    public static Task<NginxProcess> StartLegacyBackendAsync()
    {
        var port = BackendStub.GetClosedPort();
        var config = $$"""
            worker_processes 1;
            events { worker_connections 64; }
            http {
                server {
                    listen 127.0.0.1:{{port}};
                    merge_slashes on;
                    default_type text/plain;
                    location ~* "^[/\\\\]*admin(?:[;.][^/\\\\]*)?(?:[/\\\\]|$)" { return 200 "{{LegacyAdminMarker}} uri=$uri\n"; }
                    location / { return 200 "page uri=$uri\n"; }
                }
            }
            """;
        return StartAsync(config, port);
    }

    /// <summary>What the legacy backend's admin area answers: seeing it without the admins policy is a bypass.</summary>
    public const string LegacyAdminMarker = "ADMIN PAGE";

    private static async Task<NginxProcess> StartAsync(string config, int port)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is not installed (apt-get install nginx); under CI=true the nginx tests never skip.");
        var prefix = Directory.CreateTempSubdirectory("gateway-nginx-");
        var temp = string.Join(" ", new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }
            .Select(t => $"{t}_temp_path {Path.Combine(prefix.FullName, t)};"));
        config = Replace(config, "http {", $"http {{\n    access_log {Path.Combine(prefix.FullName, "access.log")};\n    {temp}");
        var configPath = Path.Combine(prefix.FullName, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);

        var globals = $"daemon off; pid {Path.Combine(prefix.FullName, "nginx.pid")}; error_log {Path.Combine(prefix.FullName, "error.log")} info;";
        if (Environment.UserName == "root")
        {
            // Workers would otherwise run as nobody and could not use the temp directories (0700, owned by root).
            globals += " user root;";
        }

        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList = { "-p", prefix.FullName, "-c", configPath, "-g", globals },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        var nginx = new NginxProcess(process, prefix, port);
        await nginx.WaitUntilListeningAsync(port);
        return nginx;
    }

    private static string Replace(string config, string find, string replacement)
    {
        Assert.True(config.Contains(find, StringComparison.Ordinal), $"the nginx example no longer contains '{find}'; update NginxProcess.");
        return config.Replace(find, replacement, StringComparison.Ordinal);
    }

    private async Task WaitUntilListeningAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"nginx exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}\n{ErrorLog}");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        Dispose();
        Assert.Fail("nginx did not listen within 15 s:\n" + ErrorLog);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        try
        {
            _prefix.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
