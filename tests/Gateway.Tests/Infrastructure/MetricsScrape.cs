using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

/// <summary>Reads the gateway's Prometheus page (/metrics on its management listener) as an operator's scraper would.</summary>
public static partial class MetricsScrape
{
    public static async Task<string> ScrapeAsync(GatewayHost host)
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(host.ManagementUrl + "/metrics");
    }

    /// <summary>The value of <paramref name="metric"/> summed over all its series (0 when absent).</summary>
    public static long Total(string body, string metric) =>
        Series(body, metric).Sum(s => s.Value);

    /// <summary>Every series of <paramref name="metric"/>: its label text (inside the braces) and value.</summary>
    public static IReadOnlyList<(string Labels, long Value)> Series(string body, string metric) =>
        SampleLine().Matches(body)
            .Where(m => m.Groups["name"].Value == metric)
            .Select(m => (m.Groups["labels"].Value, (long)double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();

    /// <summary>The values of one label across the series of <paramref name="metric"/>.</summary>
    public static IReadOnlyList<string> LabelValues(string body, string metric, string label) =>
        Series(body, metric)
            .Select(s => Regex.Match(s.Labels, "(?:^|,)" + Regex.Escape(label) + "=\"(?<v>(?:[^\"\\\\]|\\\\.)*)\""))
            .Where(m => m.Success)
            .Select(m => m.Groups["v"].Value)
            .ToList();

    /// <summary>
    /// Scrapes until <paramref name="metric"/> reaches at least <paramref name="atLeast"/> (the exporter caches a scrape
    /// for a moment), then returns the page. Fails after five seconds.
    /// </summary>
    public static async Task<string> WaitForAsync(GatewayHost host, string metric, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var body = await ScrapeAsync(host);
            if (Total(body, metric) >= atLeast)
            {
                return body;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{metric} did not reach {atLeast} within 5 s:\n{string.Join('\n', body.Split('\n').Where(l => l.Contains(metric.Replace("_total", ""), StringComparison.Ordinal)))}\n({body.Length} chars: {body})");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"(?m)^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+)")]
    private static partial Regex SampleLine();
}

/// <summary>
/// Test classes that scrape /metrics run alone: OpenTelemetry listens by meter name, so a gateway's /metrics also shows
/// (and, when they stop, loses) the series of the gateways other test classes run in parallel in this process.
/// </summary>
[CollectionDefinition(nameof(MetricsScrapeCollection), DisableParallelization = true)]
public sealed class MetricsScrapeCollection
{
}
