using System.Diagnostics;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>
/// The Caddy and Traefik recipes in deploy/ (central auth host): Caddy's own parser adapts and validates the Caddyfile;
/// Traefik is not packaged for Debian, so its dynamic configuration is parsed as YAML and its keys and references checked.
/// Both programs may be missing on a laptop (the tests skip); under CI=true they run (.ci/run installs caddy and python3-yaml).
/// </summary>
public sealed class ForwardAuthRecipeTests
{
    private const string Caddy = "/usr/bin/caddy";
    private const string Python = "/usr/bin/python3";

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static (int ExitCode, string Output, string Error) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Caddy keeps its data (certificates, autosave) under HOME/XDG directories: a scratch one, never the user's.
        var home = Directory.CreateTempSubdirectory("gateway-recipe-");
        start.Environment["HOME"] = home.FullName;
        start.Environment["XDG_DATA_HOME"] = home.FullName;
        start.Environment["XDG_CONFIG_HOME"] = home.FullName;
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(60_000), $"{file} did not finish within 60 s");
            return (process.ExitCode, output.Result, error.Result);
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    private static string Caddyfile => RepositoryFiles.Find(Path.Combine("deploy", "caddy", "Caddyfile"));

    [SkippableFact]
    public void Caddy_CentralAuthRecipe_AdaptsAndValidates()
    {
        Skip.If(!File.Exists(Caddy) && !InCi, "caddy is not installed (apt-get install caddy); skipped outside CI only.");

        var adapted = Run(Caddy, "adapt", "--config", Caddyfile, "--adapter", "caddyfile");
        var validated = Run(Caddy, "validate", "--config", Caddyfile, "--adapter", "caddyfile");

        Assert.True(adapted.ExitCode == 0, adapted.Error);
        Assert.True(validated.ExitCode == 0, validated.Error);
        Assert.DoesNotContain("not formatted", adapted.Error, StringComparison.OrdinalIgnoreCase);
        var json = adapted.Output;
        using var _ = JsonDocument.Parse(json);
        // forward_auth: GET /oauth2/auth to the gateway; a browser's 401 becomes the central sign-in with the page as rd.
        Assert.Contains("\"rewrite\":{\"method\":\"GET\",\"uri\":\"/oauth2/auth\"}", json);
        Assert.Contains("\"Location\":[\"https://auth.corp.example.com/oauth2/sign_in?rd={http.request.scheme}://{http.request.hostport}{http.request.uri}\"]", json);
        Assert.Contains("\"status_code\":[401]", json);
        Assert.Contains("\"X-Forwarded-User\"", json);
        Assert.Contains("\"dial\":\"gateway:8080\"", json);
    }

    [SkippableFact]
    public void Traefik_CentralAuthRecipe_ParsesWithConsistentRoutersMiddlewaresAndServices()
    {
        var yamlAvailable = File.Exists(Python) && Run(Python, "-c", "import yaml").ExitCode == 0;
        Skip.If(!yamlAvailable && !InCi, "python3-yaml is not installed (apt-get install python3-yaml); skipped outside CI only.");

        var file = RepositoryFiles.Find(Path.Combine("deploy", "traefik", "dynamic.yaml"));
        var parsed = Run(Python, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", file);
        Assert.True(parsed.ExitCode == 0, parsed.Error);
        using var doc = JsonDocument.Parse(parsed.Output);
        var http = doc.RootElement.GetProperty("http");
        var middlewares = http.GetProperty("middlewares");
        var services = http.GetProperty("services");

        var forwardAuth = middlewares.GetProperty("gateway-auth").GetProperty("forwardAuth");
        Assert.Equal("http://gateway:8080/oauth2/auth", forwardAuth.GetProperty("address").GetString());
        Assert.False(forwardAuth.GetProperty("trustForwardHeader").GetBoolean());
        var responseHeaders = forwardAuth.GetProperty("authResponseHeaders").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("X-Forwarded-User", responseHeaders);
        Assert.Contains("X-Forwarded-Email", responseHeaders);
        Assert.DoesNotContain("X-Original-URI", forwardAuth.GetProperty("authRequestHeaders").EnumerateArray().Select(e => e.GetString()));

        var errors = middlewares.GetProperty("gateway-sign-in").GetProperty("errors");
        Assert.Equal(["401"], errors.GetProperty("status").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(302, errors.GetProperty("statusRewrites").GetProperty("401").GetInt32());
        Assert.Equal("/oauth2/sign_in?rd={url}", errors.GetProperty("query").GetString());
        Assert.True(services.TryGetProperty(errors.GetProperty("service").GetString()!, out _));

        // Every router names a defined service and defined middlewares; the apps run the sign-in redirect around forward-auth.
        foreach (var router in http.GetProperty("routers").EnumerateObject())
        {
            Assert.True(services.TryGetProperty(router.Value.GetProperty("service").GetString()!, out _), $"router {router.Name}: unknown service");
            Assert.Contains("Host(`", router.Value.GetProperty("rule").GetString());
            if (router.Value.TryGetProperty("middlewares", out var used))
            {
                Assert.All(used.EnumerateArray(), m => Assert.True(middlewares.TryGetProperty(m.GetString()!, out _), $"router {router.Name}: unknown middleware {m}"));
            }
        }

        var apps = http.GetProperty("routers").GetProperty("apps").GetProperty("middlewares").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.True(apps.IndexOf("gateway-sign-in") >= 0 && apps.IndexOf("gateway-sign-in") < apps.IndexOf("gateway-auth"), string.Join(", ", apps));
        Assert.Contains("!PathRegexp(`(?i)^/oauth2/auth`)", http.GetProperty("routers").GetProperty("gateway").GetProperty("rule").GetString());
    }
}
