using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>The documented JSON console logging (as in deploy/): one JSON object per line, UTC timestamps, structured fields.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task JsonFormatterKeys_StartupSummaryIsOneJsonLineWithUtcTimestampAndFields()
    {
        using var cognito = new FakeCognito();
        var psi = StartupConfig.GatewayProcess();
        psi.Environment["Gateway__Cognito__Authority"] = cognito.Authority;
        psi.Environment["Gateway__Cognito__ClientId"] = FakeCognito.ClientId;
        psi.Environment["ReverseProxy__Routes__app__ClusterId"] = "backend";
        psi.Environment["ReverseProxy__Routes__app__Match__Path"] = "{**catch-all}";
        psi.Environment["ReverseProxy__Clusters__backend__Destinations__d1__Address"] = "http://127.0.0.1:9";
        psi.Environment["Logging__Console__FormatterName"] = "json";
        psi.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        psi.Environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";

        var lines = new ConcurrentQueue<string>();
        using var process = Process.Start(psi)!;
        void Add(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lines.Enqueue(e.Data);
            }
        }

        process.OutputDataReceived += Add;
        process.ErrorDataReceived += Add;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        try
        {
            var deadline = Stopwatch.StartNew();
            string? summary;
            while ((summary = lines.FirstOrDefault(l => l.Contains("\"EventId\":7100", StringComparison.Ordinal))) is null)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited, "No start-up summary:\n" + string.Join('\n', lines));
                await Task.Delay(50);
            }

            using var json = JsonDocument.Parse(summary);
            var root = json.RootElement;
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", root.GetProperty("Timestamp").GetString());
            Assert.Equal("Gateway.Startup", root.GetProperty("Category").GetString());
            Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
            var state = root.GetProperty("State");
            Assert.Equal("1", state.GetProperty("RouteCount").ToString());
            Assert.StartsWith("http://127.0.0.1:", state.GetProperty("Listeners").GetString(), StringComparison.Ordinal);

            // Every line the gateway wrote is one JSON object.
            Assert.All(lines.ToArray(), l => JsonDocument.Parse(l).Dispose());
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }
}
