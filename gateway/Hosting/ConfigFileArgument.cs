using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Gateway.Hosting;

/// <summary>
/// Handles <c>--config FILE</c>: one JSON file an operator keeps anywhere, layered over the published
/// defaults and under environment variables and command-line keys.
/// </summary>
internal static class ConfigFileArgument
{
    public static (string[] RemainingArgs, string? Path, string? Problem) Extract(string[] args)
    {
        var rest = new List<string>(args.Length);
        string? path = null;
        string? problem = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--config" or "-c")
            {
                if (i + 1 >= args.Length)
                {
                    problem = "--config needs a file path, e.g. --config /etc/gateway/gateway.json.";
                    continue;
                }

                path = args[++i];
            }
            else if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                path = arg["--config=".Length..];
            }
            else
            {
                rest.Add(arg);
            }
        }

        if (path is not null)
        {
            path = System.IO.Path.GetFullPath(path);
            if (!File.Exists(path))
            {
                problem = $"--config file '{path}' does not exist; give the path of a JSON configuration file.";
                path = null;
            }
        }

        return (rest.ToArray(), path, problem);
    }

    /// <summary>
    /// Inserts the JSON file just before the unprefixed environment-variable source (so env vars and the command line still win).
    /// The file is watched: on a change, policies and routes are re-read and validated (an invalid change is logged and ignored);
    /// every other setting is read once at start-up (<see cref="StartupOnlyKeyWatcher"/> logs "restart needed" when one changes).
    /// </summary>
    /// <returns>The source, or a problem message when the file cannot be read as JSON.</returns>
    public static (ReloadSafeJsonConfigurationSource? Source, string? Problem) AddBeforeEnvironment(IConfigurationBuilder configuration, string path)
    {
        var source = new ReloadSafeJsonConfigurationSource
        {
            Path = System.IO.Path.GetFileName(path),
            Optional = false,
            ReloadOnChange = true,
            FileProvider = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(path)!),
        };

        var index = -1;
        for (var i = 0; i < configuration.Sources.Count; i++)
        {
            if (configuration.Sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                index = i;
                break;
            }
        }

        try
        {
            if (index < 0)
            {
                configuration.Sources.Add(source);
            }
            else
            {
                configuration.Sources.Insert(index, source);
            }
        }
        catch (InvalidDataException ex)
        {
            configuration.Sources.Remove(source);
            return (null, $"--config file '{path}' is not valid JSON ({JsonErrorText.Describe(ex)}); fix the file.");
        }

        return (source, null);
    }
}
