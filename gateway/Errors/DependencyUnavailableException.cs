namespace Gateway.Errors;

/// <summary>
/// Something the gateway depends on (the identity provider, the session store) is not answering. The exception handler
/// answers 503 with this page and a link that retries the same request; the feature that throws says what the user reads.
/// </summary>
internal abstract class DependencyUnavailableException(string message, Exception? inner, string code, string title, string userMessage)
    : Exception(message, inner)
{
    /// <summary>The machine-readable code on the page and in JSON (e.g. <c>idp_unavailable</c>).</summary>
    public string Code { get; } = code;

    public string Title { get; } = title;

    /// <summary>What the user reads: never the technical <see cref="Exception.Message"/>.</summary>
    public string UserMessage { get; } = userMessage;
}
