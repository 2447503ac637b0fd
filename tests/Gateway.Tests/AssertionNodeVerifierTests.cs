using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests;

/// <summary>
/// An independent verifier: the README's Node snippet, run as written (only the origin and the request object filled
/// in) with npm's <c>jose</c> from tests/node-verifier (<c>npm ci</c> there; .ci/run does it). Skips without node or
/// jose, except under CI=true.
/// </summary>
public sealed class AssertionNodeVerifierTests : GatewayTest<AssertionGatewayFixture>
{
    private const string SnippetStart = "Node (`npm install jose`):\n\n```js\n";

    public AssertionNodeVerifierTests(AssertionGatewayFixture fx)
        : base(fx)
    {
    }

    private static string VerifierDirectory => Path.GetDirectoryName(RepositoryFiles.Find(Path.Combine("tests", "node-verifier", "package.json")))!;

    private static void SkipOrFailWhenMissing()
    {
        var ready = File.Exists("/usr/bin/node") && Directory.Exists(Path.Combine(VerifierDirectory, "node_modules", "jose"));
        if (!ready && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("node or tests/node-verifier/node_modules/jose is missing; CI must run 'npm ci --prefix tests/node-verifier'.");
        }

        Skip.IfNot(ready, "node and jose (npm ci --prefix tests/node-verifier) are not installed; skipped outside CI.");
    }

    /// <summary>The README's Node code block, with the gateway's origin for the example one.</summary>
    private string Script()
    {
        var readme = File.ReadAllText(RepositoryFiles.Find("README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf(SnippetStart, StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Node snippet");
        start += SnippetStart.Length;
        var snippet = readme[start..readme.IndexOf("\n```", start, StringComparison.Ordinal)];
        return "const req = { headers: { 'x-gateway-assertion': process.env.ASSERTION } };\n" +
               snippet.Replace("https://app.example.com", Fx.Gateway.Url, StringComparison.Ordinal) +
               "\nconsole.log(JSON.stringify(payload));\n";
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, string assertion)
    {
        var file = Path.Combine(VerifierDirectory, $"readme-snippet-{Guid.NewGuid():N}.mjs");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var start = new ProcessStartInfo("node", [file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = VerifierDirectory,
            };
            start.Environment["ASSERTION"] = assertion;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await output, await error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task Assertion_ReadmeNodeSnippetWithJose_VerifiesTheAssertionAndRefusesAForgedOne()
    {
        SkipOrFailWhenMissing();
        await Browser.SignInAsync("/assert/start");
        var hop = await Browser.NavigateOnceAsync("/assert/page");
        Assert.Equal(HttpStatusCode.OK, hop.Status);
        var token = Assert.Single(BackendStub.HeaderValues(Fx.Backend.LastRequestTo("/assert/page"), "X-Gateway-Assertion"));
        var script = Script();

        var (exitCode, output, error) = await RunAsync(script, token);

        Assert.True(exitCode == 0, $"node exited {exitCode}: {error}");
        using (var payload = JsonDocument.Parse(output))
        {
            Assert.Equal(TestUser.Default.Sub, payload.RootElement.GetProperty("sub").GetString());
            Assert.Equal(TestUser.Default.Groups, payload.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
        }

        var parts = token.Split('.');
        var claims = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(TestUser.Default.Sub, TestUser.NoGroups.Sub, StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(claims)}.{parts[2]}";
        var refused = await RunAsync(script, forged);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("signature verification failed", refused.Error, StringComparison.OrdinalIgnoreCase);
    }
}
