using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

public static partial class PageAssert
{
    [GeneratedRegex(@"\bat [A-Za-z_][\w.`]*\.[\w<>`|]+\(|\bSystem\.[A-Za-z.]+Exception\b|Microsoft\.[A-Za-z.]+Exception\b")]
    private static partial Regex StackTraceLike();

    /// <summary>The body shows no stack trace or exception type names.</summary>
    public static void NoStackTrace(Hop hop) =>
        Assert.False(StackTraceLike().IsMatch(hop.Body), $"Stack trace or exception leaked in {hop}:\n{hop.Body}");

    /// <summary>A friendly HTML error page with a 4xx status.</summary>
    public static void Is4xxHtmlPage(Hop hop, GatewayHost host)
    {
        var status = (int)hop.Status;
        Assert.True(status is >= 400 and < 500,
            $"Expected 4xx, got {status} from {hop}:\n{hop.Body}\nGateway log:\n{host.Logs.Dump()}");
        Assert.Equal("text/html", TestBrowser.MediaType(hop));
        NoStackTrace(hop);
    }
}
