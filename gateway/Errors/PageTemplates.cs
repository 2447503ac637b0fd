using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Gateway.Errors;

/// <summary>"Gateway:Pages": the operator's own HTML for the pages the gateway shows to people.</summary>
public sealed class PageOptions
{
    /// <summary>A directory with any of <c>error.html</c>, <c>forbidden.html</c>, <c>sign-out.html</c>, <c>signed-out.html</c>; unset: the built-in pages.</summary>
    public string? Directory { get; set; }
}

/// <summary>The values a page inserts into its template; every one but <see cref="ContentHtml"/> is HTML-escaped on insertion.</summary>
internal sealed record PageValues(int Status, string Code, string Title, string Message, string ContentHtml, string? LinkUrl, string? LinkText, string Path);

/// <summary>
/// Branded pages: the templates of <c>Gateway:Pages:Directory</c>, read once at start. A template is a whole HTML
/// document with <c>{{placeholder}}</c>s; each inserted value is HTML-escaped (the request path, a return URL, a message),
/// except <c>{{content}}</c>, the page's main block as the gateway builds it from escaped parts (with the sign-out
/// form and its anti-forgery token). A page without a template of its own keeps the built-in one; <c>forbidden</c> falls
/// back to <c>error</c>. Branded pages may load images, styles and fonts over https, never scripts.
/// </summary>
internal sealed partial class PageTemplates
{
    public const string Error = "error";
    public const string Forbidden = "forbidden";
    public const string SignOut = "sign-out";
    public const string SignedOut = "signed-out";

    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self' 'unsafe-inline' https:; img-src 'self' https: data:; font-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'";

    public static readonly IReadOnlyList<string> PageNames = [Error, Forbidden, SignOut, SignedOut];

    public static readonly IReadOnlyList<string> PlaceholderNames = ["title", "message", "content", "link_url", "link_text", "status", "code", "path"];

    private const int MaxTemplateBytes = 256 * 1024;

    private readonly Dictionary<string, string> _templates;

    private PageTemplates(Dictionary<string, string> templates) => _templates = templates;

    public static PageTemplates None { get; } = new([]);

    public bool Any => _templates.Count > 0;

    /// <summary>The templates of the directory, and every problem with them as "key: what is wrong; how to fix".</summary>
    public static (PageTemplates Templates, List<string> Problems) Load(string? directory)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(directory))
        {
            return (None, problems);
        }

        const string key = "Gateway:Pages:Directory";
        var full = Path.GetFullPath(directory.Trim());
        if (!System.IO.Directory.Exists(full))
        {
            problems.Add($"{key} is not a directory (got '{directory}', resolved to '{full}'); create it with any of {Files()}, or remove the key for the built-in pages.");
            return (None, problems);
        }

        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var page in PageNames)
        {
            var file = System.IO.Path.Combine(full, page + ".html");
            if (!File.Exists(file))
            {
                continue;
            }

            string text;
            try
            {
                if (new FileInfo(file).Length > MaxTemplateBytes)
                {
                    problems.Add($"{key}: {page}.html is larger than {MaxTemplateBytes / 1024} KB; keep templates small (images and styles can be linked over https).");
                    continue;
                }

                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{key}: {page}.html cannot be read ({ex.GetType().Name}); give the gateway's user read access to it.");
                continue;
            }

            foreach (Match match in Placeholder().Matches(text))
            {
                var name = match.Groups[1].Value;
                if (!PlaceholderNames.Contains(name, StringComparer.Ordinal))
                {
                    problems.Add($"{key}: {page}.html uses the unknown placeholder '{{{{{name}}}}}'; use one of {string.Join(", ", PlaceholderNames.Select(p => "{{" + p + "}}"))}.");
                }
            }

            if (page == SignOut && !text.Contains("{{content}}", StringComparison.Ordinal))
            {
                problems.Add($"{key}: sign-out.html must contain {{{{content}}}} (the sign-out form with its anti-forgery token); without it nobody could sign out.");
            }

            if (text.Contains("<script", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{key}: {page}.html contains a <script>; the gateway's pages run no scripts (their Content-Security-Policy blocks them), remove it.");
            }

            templates[page] = text;
        }

        if (templates.Count == 0 && problems.Count == 0)
        {
            problems.Add($"{key} ('{full}') holds none of {Files()}; add at least one, or remove the key for the built-in pages.");
        }

        return (new PageTemplates(templates), problems);
    }

    /// <summary>The page rendered from its template (forbidden falls back to error), or null to use the built-in page.</summary>
    public string? Render(string page, PageValues values)
    {
        if (!_templates.TryGetValue(page, out var template) && !(page == Forbidden && _templates.TryGetValue(Error, out template)))
        {
            return null;
        }

        return Placeholder().Replace(template, match => match.Groups[1].Value switch
        {
            "content" => values.ContentHtml,
            "title" => WebUtility.HtmlEncode(values.Title),
            "message" => WebUtility.HtmlEncode(values.Message),
            "link_url" => WebUtility.HtmlEncode(values.LinkUrl ?? string.Empty),
            "link_text" => WebUtility.HtmlEncode(values.LinkText ?? string.Empty),
            "status" => values.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "code" => WebUtility.HtmlEncode(values.Code),
            "path" => WebUtility.HtmlEncode(values.Path),
            _ => string.Empty,
        });
    }

    /// <summary>The templates of the request's application (none when it has none registered).</summary>
    public static PageTemplates Of(HttpContext context) => context.RequestServices.GetService<PageTemplates>() ?? None;

    private static string Files() => string.Join(", ", PageNames.Select(p => p + ".html"));

    [GeneratedRegex(@"\{\{\s*([A-Za-z_]+)\s*\}\}")]
    private static partial Regex Placeholder();
}

/// <summary>"Gateway:Pages": the directory and its templates are checked at start-up.</summary>
internal sealed class PageOptionsValidator : IValidateOptions<PageOptions>
{
    public ValidateOptionsResult Validate(string? name, PageOptions options)
    {
        var (_, problems) = PageTemplates.Load(options.Directory);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
