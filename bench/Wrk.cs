using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Bench;

/// <summary>What one wrk run measured.</summary>
internal sealed record WrkResult(
    double RequestsPerSecond, long Requests, double Seconds, double? P50Ms, double? P99Ms, long Non2xx3xx, long SocketErrors, long BackendServed,
    TimeSpan ServerCpu, long ServerAllocatedBytes, long RssBytesAfter = 0, long HeapBytesAfter = 0)
{
    /// <summary>Bytes the server process allocated per request (backend included): deterministic, so it shows extra work even on a noisy box.</summary>
    public double AllocatedBytesPerRequest => Requests == 0 ? double.NaN : (double)ServerAllocatedBytes / Requests;

    /// <summary>
    /// CPU time the server process (backend + whatever is in front of it) spent per request, in microseconds: unlike
    /// requests/s it hardly moves when other work competes for the cores, so it is the better diagnostic on a shared box.
    /// </summary>
    public double CpuMicrosPerRequest => Requests == 0 ? double.NaN : ServerCpu.TotalMicroseconds / Requests;

    /// <summary>Several runs of the same target: total requests over total time; latencies are the runs' medians.</summary>
    public static WrkResult Combine(IReadOnlyList<WrkResult> runs) =>
        runs.Count == 1
            ? runs[0]
            : new WrkResult(
                runs.Sum(r => r.Requests) / runs.Sum(r => r.Seconds),
                runs.Sum(r => r.Requests),
                runs.Sum(r => r.Seconds),
                Median(runs.Select(r => r.P50Ms)),
                Median(runs.Select(r => r.P99Ms)),
                runs.Sum(r => r.Non2xx3xx),
                runs.Sum(r => r.SocketErrors),
                runs.Sum(r => r.BackendServed),
                TimeSpan.FromTicks(runs.Sum(r => r.ServerCpu.Ticks)),
                runs.Sum(r => r.ServerAllocatedBytes),
                runs.Max(r => r.RssBytesAfter),
                runs.Max(r => r.HeapBytesAfter));

    private static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        return sorted.Count == 0 ? null : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>Runs wrk and parses its report ("Requests/sec:", the --latency distribution, errors).</summary>
internal static partial class Wrk
{
    /// <summary>Full path of wrk, or null when it is not installed.</summary>
    public static string? Find(string name = "wrk") =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    public static async Task<string> VersionAsync(string wrk)
    {
        var (_, output) = await RunAsync(wrk, ["-v"], TimeSpan.FromSeconds(5));
        return output.Split('\n').FirstOrDefault()?.Replace("Copyright (C) 2012 Will Glozer", "", StringComparison.Ordinal).Trim() ?? "unknown";
    }

    public static Task<WrkResult> MeasureAsync(string wrk, BenchOptions options, int seconds, Target target, Backend backend) =>
        MeasureAsync(wrk, options, seconds, target.Url, target.Cookie, backend, target.CookieFile);

    /// <summary>
    /// wrk script for many sessions: every request takes the next Cookie header of the file given after <c>--</c>; each
    /// wrk thread starts at another place in the list, so the connections do not walk it in step.
    /// </summary>
    private const string RotateCookiesScript = """
        local threads = 0
        function setup(thread)
          thread:set("offset", threads * 4999)
          threads = threads + 1
        end
        local cookies = {}
        local i = 0
        function init(args)
          for line in io.lines(args[1]) do cookies[#cookies + 1] = line end
          i = (offset or 0) % #cookies
        end
        function request()
          i = i % #cookies + 1
          return wrk.format(nil, nil, { ["Cookie"] = cookies[i] })
        end
        """;

    private static readonly Lazy<string> RotateCookiesScriptPath = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"gateway-bench-rotate-cookies-{Environment.ProcessId}.lua");
        File.WriteAllText(path, RotateCookiesScript);
        return path;
    });

    /// <summary>Resident set size of this process (all servers of the bench), from /proc; 0 where there is none.</summary>
    public static long RssBytes(string field = "VmRSS")
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        return long.TryParse(kb, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value * 1024 : 0;
    }

    public static async Task<WrkResult> MeasureAsync(string wrk, BenchOptions options, int seconds, string url, string? cookie, Backend backend, string? cookieFile = null)
    {
        var args = new List<string>
        {
            "-t", options.Threads.ToString(CultureInfo.InvariantCulture),
            "-c", options.Connections.ToString(CultureInfo.InvariantCulture),
            "-d", seconds.ToString(CultureInfo.InvariantCulture) + "s",
            "--timeout", "5s",
            "--latency",
        };
        if (cookie is not null)
        {
            args.Add("-H");
            args.Add("Cookie: " + cookie);
        }

        if (cookieFile is not null)
        {
            args.Add("-s");
            args.Add(RotateCookiesScriptPath.Value);
        }

        args.Add(url);
        if (cookieFile is not null)
        {
            args.Add("--");
            args.Add(cookieFile);
        }

        using var self = Process.GetCurrentProcess();
        var before = backend.Served;
        var cpuBefore = self.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var (exitCode, output) = await RunAsync(wrk, args, TimeSpan.FromSeconds(seconds + 30));
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var served = backend.Served - before;
        if (exitCode != 0)
        {
            throw new BenchFailedException($"wrk exited with {exitCode}:\n{output}");
        }

        return Parse(output, served, cpu, allocated) with { RssBytesAfter = RssBytes(), HeapBytesAfter = GC.GetGCMemoryInfo().HeapSizeBytes };
    }

    public static WrkResult Parse(string output, long backendServed, TimeSpan serverCpu, long serverAllocatedBytes)
    {
        var rps = RequestsPerSecRegex().Match(output);
        var total = TotalRegex().Match(output);
        if (!rps.Success || !total.Success)
        {
            throw new BenchFailedException("Could not read wrk's report:\n" + output);
        }

        var non2xx = Non2xxRegex().Match(output);
        var errors = SocketErrorsRegex().Match(output);
        return new WrkResult(
            double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Duration(total.Groups[2].Value),
            Percentile(output, "50%"),
            Percentile(output, "99%"),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            errors.Success ? errors.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0,
            backendServed,
            serverCpu,
            serverAllocatedBytes);
    }

    private static double? Percentile(string output, string label)
    {
        var match = Regex.Match(output, @"^\s+" + Regex.Escape(label) + @"\s+(\S+)\s*$", RegexOptions.Multiline);
        return match.Success ? Duration(match.Groups[1].Value) * 1000 : null;
    }

    /// <summary>wrk durations: "812.00us", "1.23ms", "10.00s", "1.00m" → seconds.</summary>
    private static double Duration(string text)
    {
        var match = DurationRegex().Match(text);
        if (!match.Success)
        {
            throw new BenchFailedException($"Unexpected wrk duration '{text}'.");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1_000_000,
            "ms" => value / 1000,
            "s" => value,
            "m" => value * 60,
            "h" => value * 3600,
            _ => throw new BenchFailedException($"Unexpected wrk unit in '{text}'."),
        };
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new BenchFailedException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new BenchFailedException($"{file} did not finish within {limit.TotalSeconds:0} s.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecRegex();

    [GeneratedRegex(@"(\d+) requests in ([0-9.]+\w+),")]
    private static partial Regex TotalRegex();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxRegex();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsRegex();

    [GeneratedRegex(@"^([0-9.]+)(us|ms|s|m|h)$")]
    private static partial Regex DurationRegex();
}
