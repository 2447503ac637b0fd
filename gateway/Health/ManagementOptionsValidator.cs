using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Health;

/// <summary>"Gateway:Management:Urls": plain-http listen addresses with an explicit port.</summary>
internal sealed partial class ManagementOptionsValidator : IValidateOptions<ManagementOptions>
{
    public ValidateOptionsResult Validate(string? name, ManagementOptions options)
    {
        var problems = new List<string>();
        foreach (var url in options.UrlList)
        {
            if (!IsListenAddress(url))
            {
                // TLS is the job of whatever reaches this port inside the cluster; the listener is plain http on purpose.
                problems.Add($"Gateway:Management:Urls has an entry that is not an address to listen on (got '{url}'); use 'http://HOST:PORT' with HOST an IP address, 'localhost' or '*', e.g. 'http://0.0.0.0:9090' (several: separate them with ';').");
            }
        }

        return problems.ToResult();
    }

    private static bool IsListenAddress(string url)
    {
        var match = ListenAddress().Match(url);
        if (!match.Success ||
            !int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return false;
        }

        var host = match.Groups["host"].Value;
        return host is "*" or "+" || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
               IPAddress.TryParse(host.Trim('[', ']'), out _);
    }

    [GeneratedRegex(@"^http://(?<host>\[[0-9A-Fa-f:.]+\]|[^:/\[\]\s]+):(?<port>[0-9]{1,5})/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ListenAddress();
}
