using Gateway.Configuration;
using Gateway.Paths;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests;

/// <summary>The one canonicalizer the proxy pipeline and /oauth2/auth share, without any server around it.</summary>
public sealed class PathCanonicalizerTests
{
    private static string? Canonical(string raw, PathOptions? options = null) =>
        PathCanonicalizer.TryCanonicalize(raw, options ?? new PathOptions(), out var canonical, out _) ? canonical : null;

    [Theory]
    [MemberData(nameof(PathVariants.Rows), MemberType = typeof(PathVariants))]
    public void DefaultRules_GiveTheCanonicalPathOrRefuse(string raw, string? expected)
    {
        Assert.Equal(expected, Canonical(raw));
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/a/b/", "/a/b/")]
    [InlineData("/a/b/.", "/a/b/")]
    [InlineData("/a/b/%2E", "/a/b/")]
    [InlineData("/a//", "/a/")]
    [InlineData("/..", "/")]
    [InlineData("/a/..//b", "/b")]
    [InlineData("/a%20b/%7Euser", "/a b/~user")]
    [InlineData("/q%3F/h%23/p%25", "/q?/h#/p%")]
    [InlineData("/%E2%82%AC/%F0%9F%98%80", "/€/😀")]
    [InlineData("/a.b/.well-known/x", "/a.b/.well-known/x")]
    public void Canonical_Forms(string raw, string expected)
    {
        Assert.Equal(expected, Canonical(raw));
    }

    [Theory]
    [InlineData("/admin%2Fx", "/admin/x")]
    [InlineData("/public%2f..%2fadmin/x", "/admin/x")]
    [InlineData("%2Fadmin", null)]
    public void EncodedSlashDecode_ReadsItAsASlash(string raw, string? expected)
    {
        Assert.Equal(expected, Canonical(raw, new PathOptions { EncodedSlash = EncodedSlashRule.Decode }));
    }

    [Theory]
    [InlineData("/public\\..\\admin/x", "/admin/x")]
    [InlineData("/admin%5cx", "/admin/x")]
    [InlineData("/%5C%5Cadmin", "/admin")]
    public void BackslashSlash_ReadsItAsASlash(string raw, string expected)
    {
        Assert.Equal(expected, Canonical(raw, new PathOptions { Backslash = BackslashRule.Slash }));
    }

    [Theory]
    [InlineData("/admin;jsessionid=1/x", "/admin/x")]
    [InlineData("/public/..;/admin/x", "/admin/x")]
    [InlineData("/public;a=b/../admin/x", "/admin/x")]
    [InlineData("/admin%3Bx/y", "/admin/y")]
    [InlineData("/app/page;jsessionid=1", "/app/page")]
    [InlineData("/;x/admin", "/admin")]
    public void PathParametersStrip_DropsThemLikeTomcat(string raw, string expected)
    {
        Assert.Equal(expected, Canonical(raw, new PathOptions { PathParameters = PathParameterRule.Strip }));
    }

    [Theory]
    [InlineData("/admin;x/y", "/admin;x/y")]
    [InlineData("/a/..;/b", "/a/..;/b")]
    [InlineData("/admin%3bx", "/admin;x")]
    public void PathParametersKeep_TreatsTheSemicolonAsData(string raw, string expected)
    {
        Assert.Equal(expected, Canonical(raw, new PathOptions { PathParameters = PathParameterRule.Keep }));
    }

    [Theory]
    [InlineData("/admin./x", "/admin./x")]
    [InlineData("/v1.2./x", "/v1.2./x")]
    public void TrailingDotsKeep_KeepsTheSegment(string raw, string expected)
    {
        Assert.Equal(expected, Canonical(raw, new PathOptions { TrailingDots = TrailingDotRule.Keep }));
    }

    [Theory]
    [InlineData("/admin%2Fx", "EncodedSlash")]
    [InlineData("/a\\b", "Backslash")]
    [InlineData("/a%5Cb", "Backslash")]
    [InlineData("/a;b", "PathParameter")]
    [InlineData("/a./b", "TrailingDot")]
    [InlineData("/a%00", "ControlCharacter")]
    [InlineData("/a%C2%9F", "ControlCharacter")]
    [InlineData("/a%C0%AE", "InvalidUtf8")]
    [InlineData("/a%ED%A0%80", "InvalidUtf8")]
    [InlineData("/a%EF%BC%8F", "LookAlike")]
    [InlineData("/a%E2%84%80b", "LookAlike")]
    [InlineData("/x%F0%9F%84%80", "LookAlike")]
    [InlineData("/a%G0", "BadEscape")]
    [InlineData("/a%", "BadEscape")]
    [InlineData("/a b", "InvalidCharacter")]
    [InlineData("/caf\u00e9", "InvalidCharacter")]
    [InlineData("a/b", "NotAbsolute")]
    [InlineData("", "NotAbsolute")]
    public void Refusals_NameTheirReason(string raw, string expected)
    {
        Assert.False(PathCanonicalizer.TryCanonicalize(raw, new PathOptions(), out _, out var problem));
        Assert.Equal(expected, problem.ToString());
    }

    [Theory]
    [InlineData("/public/page?x=1", "/public/page")]
    [InlineData("/public/%2e%2e/admin/x#frag", "/admin/x")]
    [InlineData("https://app.example.com/public/../admin/x?q", "/admin/x")]
    [InlineData("http://app.example.com", "/")]
    [InlineData("//app.example.com/x", "/app.example.com/x")]
    [InlineData("*", null)]
    public void RawPathOf_TakesThePathOfATargetOrUrl(string target, string? expectedCanonical)
    {
        var raw = PathCanonicalizer.RawPathOf(target);

        Assert.Equal(expectedCanonical, raw is null ? null : Canonical(raw));
    }
}
