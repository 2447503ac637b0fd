namespace Gateway.Paths;

/// <summary>
/// "Gateway:Paths": what to do with path spellings that servers read differently. Everything else is made canonical
/// (unreserved characters decoded, dot segments resolved, duplicate slashes merged) without any setting.
/// The defaults refuse (400) rather than guess; each alternative is right only for some backends, so each is opt-in.
/// </summary>
public sealed class PathOptions
{
    /// <summary><c>%2F</c> inside a path.</summary>
    public EncodedSlashRule EncodedSlash { get; set; } = EncodedSlashRule.Reject;

    /// <summary><c>\</c> or <c>%5C</c> inside a path.</summary>
    public BackslashRule Backslash { get; set; } = BackslashRule.Reject;

    /// <summary><c>;</c> (or <c>%3B</c>) inside a path: a path parameter such as <c>;jsessionid=…</c> to Tomcat, Jetty and Spring.</summary>
    public PathParameterRule PathParameters { get; set; } = PathParameterRule.Reject;

    /// <summary>A segment ending in <c>.</c> other than <c>.</c> and <c>..</c> (Windows and IIS read <c>admin.</c> as <c>admin</c>).</summary>
    public TrailingDotRule TrailingDots { get; set; } = TrailingDotRule.Reject;
}

/// <summary>Values of <see cref="PathOptions.EncodedSlash"/>.</summary>
public enum EncodedSlashRule
{
    /// <summary>400: some backends read <c>%2F</c> as a separator, others as data.</summary>
    Reject,

    /// <summary>Read (and forward) it as <c>/</c>, like nginx and most servers do.</summary>
    Decode,
}

/// <summary>Values of <see cref="PathOptions.Backslash"/>.</summary>
public enum BackslashRule
{
    /// <summary>400: Windows servers and browsers read <c>\</c> as <c>/</c>, others as data.</summary>
    Reject,

    /// <summary>Read (and forward) it as <c>/</c>.</summary>
    Slash,
}

/// <summary>Values of <see cref="PathOptions.PathParameters"/>.</summary>
public enum PathParameterRule
{
    /// <summary>400: Tomcat strips <c>;…</c> from each segment before routing, most other servers do not.</summary>
    Reject,

    /// <summary>Remove <c>;…</c> up to the end of each segment (as Tomcat does) before the rules apply; the backend gets the path without them.</summary>
    Strip,

    /// <summary><c>;</c> is an ordinary character; only for backends that never treat it specially.</summary>
    Keep,
}

/// <summary>Values of <see cref="PathOptions.TrailingDots"/>.</summary>
public enum TrailingDotRule
{
    /// <summary>400.</summary>
    Reject,

    /// <summary>An ordinary segment; only for backends that do not drop trailing dots.</summary>
    Keep,
}
