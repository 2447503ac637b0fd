using System.Net;
using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Demo.Hosting;

/// <summary>
/// Creates the small web hosts of the demo (emulator, sample app): Kestrel on one loopback URL only,
/// no appsettings files (the gateway's appsettings.json sits in the same output folder and is not theirs).
/// </summary>
internal static class LoopbackWebApplication
{
    public static WebApplicationBuilder CreateBuilder(string url, string applicationName)
    {
        EnsureLoopback(url);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = applicationName,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Drop appsettings*.json: they belong to the gateway that shares this output folder.
        var sources = builder.Configuration.Sources;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                sources.RemoveAt(i);
            }
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        return builder;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="url"/> is an http(s) URL on a loopback host.</summary>
    public static void EnsureLoopback(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{url}' is not an absolute http(s) URL.", nameof(url));
        }

        var loopback = string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            throw new ArgumentException(
                $"'{url}' is not a loopback address: this is a development and test tool, bind it to 127.0.0.1, ::1 or localhost only.",
                nameof(url));
        }
    }
}
