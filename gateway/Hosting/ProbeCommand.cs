using System.Net.Sockets;

namespace Gateway.Hosting;

/// <summary>
/// <c>--probe URL</c>: one GET, exit 0 on a 2xx answer. Lets a container image without a shell or curl check itself
/// (Dockerfile HEALTHCHECK, compose); the reason for any other outcome fits on one line.
/// </summary>
internal static class ProbeCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static int Run(string[] args)
    {
        if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var url) ||
            (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            Console.Error.WriteLine("--probe needs one http(s) URL, e.g. --probe http://127.0.0.1:9090/readyz.");
            return GatewayCommandLine.InvalidConfiguration;
        }

        var (ok, line) = ProbeAsync(url).GetAwaiter().GetResult();
        (ok ? Console.Out : Console.Error).WriteLine(line);
        return ok ? GatewayCommandLine.Success : GatewayCommandLine.Failure;
    }

    private static async Task<(bool Ok, string Line)> ProbeAsync(Uri url)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            return response.IsSuccessStatusCode
                ? (true, $"{url} answered {status}.")
                : (false, $"probe failed: {url} answered {status}.");
        }
        catch (TaskCanceledException)
        {
            return (false, $"probe failed: {url} did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex)
        {
            var cause = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
            return (false, $"probe failed: cannot reach {url}: {cause}.");
        }
    }
}
