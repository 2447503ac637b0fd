using Microsoft.Playwright;

namespace Gateway.BrowserTests;

/// <summary>
/// Where the system Chromium is and how to launch it. Never downloads a browser (no <c>playwright install</c>):
/// without /usr/bin/chromium the tests are skipped on a developer machine and fail under CI=true.
/// </summary>
internal static class BrowserEnvironment
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static bool ChromiumInstalled => File.Exists(ChromiumPath);

    public static bool RunningInCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Call first in every test: skips (laptop) or fails (CI) when Chromium is missing.</summary>
    public static void RequireChromium()
    {
        if (ChromiumInstalled)
        {
            return;
        }

        if (RunningInCi)
        {
            Assert.Fail($"CI=true but {ChromiumPath} does not exist: the browser tests never skip under CI. Install it with 'apt-get install chromium' (.ci/run does).");
        }

        Skip.If(true, $"{ChromiumPath} is not installed (apt-get install chromium); browser tests are skipped outside CI.");
    }

    public static BrowserTypeLaunchOptions LaunchOptions => new()
    {
        ExecutablePath = ChromiumPath,
        Headless = true,
        Args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    };
}
