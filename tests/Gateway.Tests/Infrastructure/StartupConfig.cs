using System.Diagnostics;
using Gateway.Hosting;

namespace Gateway.Tests.Infrastructure;

/// <summary>What the start-up validation tests share: a minimal valid configuration, changes to it, a build expected to fail, and the built gateway as its own process.</summary>
public static class StartupConfig
{
    /// <summary>A Cognito pool, one catch-all route and its cluster: the least the gateway starts with.</summary>
    public static Dictionary<string, string?> Minimal() => new()
    {
        ["Gateway:Cognito:Authority"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz",
        ["Gateway:Cognito:ClientId"] = "3n4b5urk1ft4fl3mg5e62d9ado",
        ["ReverseProxy:Routes:app:ClusterId"] = "backend",
        ["ReverseProxy:Routes:app:Match:Path"] = "{**catch-all}",
        ["ReverseProxy:Clusters:backend:Destinations:d1:Address"] = "http://127.0.0.1:9",
    };

    /// <summary>Sets each key to its value in <paramref name="config"/>; a null value removes the key.</summary>
    public static Dictionary<string, string?> With(Dictionary<string, string?> config, params (string Key, string? Value)[] changes)
    {
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                config.Remove(key);
            }
            else
            {
                config[key] = value;
            }
        }

        return config;
    }

    /// <summary>Builds the gateway, which must refuse the configuration; the app is disposed if it was built after all.</summary>
    public static GatewayConfigurationException BuildFails(Dictionary<string, string?> config, string[]? args = null)
    {
        var ex = Record.Exception(() => ((IDisposable)GatewayApp.Build(args ?? [], b => GatewayHost.Configure(b, config))).Dispose());
        Assert.True(ex is not null, "GatewayApp.Build accepted the configuration");
        return Assert.IsType<GatewayConfigurationException>(ex);
    }

    /// <summary>
    /// <c>dotnet Gateway.dll</c> (the built gateway beside the tests) on a loopback port, without the Gateway__/ReverseProxy__
    /// variables of the test process's own environment; the caller adds its configuration as environment variables.
    /// </summary>
    public static ProcessStartInfo GatewayProcess()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Gateway.dll");
        Assert.True(File.Exists(dll), $"Gateway.dll not found in {AppContext.BaseDirectory}");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var key in psi.Environment.Keys.Where(k =>
                     k.StartsWith("Gateway__", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("ReverseProxy__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        return psi;
    }

    /// <summary>Each key of <paramref name="config"/> as an environment variable of <paramref name="psi"/> (':' written as '__').</summary>
    public static ProcessStartInfo WithEnvironment(this ProcessStartInfo psi, IReadOnlyDictionary<string, string?> config)
    {
        foreach (var (key, value) in config)
        {
            psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return psi;
    }

    /// <summary>Runs the process to its end (killed and failed after <paramref name="timeoutSeconds"/>).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(ProcessStartInfo psi, int timeoutSeconds = 60)
    {
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{string.Join(' ', psi.ArgumentList)} did not exit within {timeoutSeconds} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
