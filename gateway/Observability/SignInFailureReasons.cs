namespace Gateway.Observability;

/// <summary>
/// The closed set of <c>reason</c> labels of <c>gateway_sign_in_failures_total</c>. A callback's <c>?error=</c> is chosen
/// by whoever sends the browser there: passing it through would let anyone create a new series per request until the
/// metrics backend's series limit is hit, so only these values are ever used; anything else becomes <see cref="Other"/>.
/// </summary>
internal static class SignInFailureReasons
{
    public const string Other = "other";

    /// <summary>The error codes an authorization endpoint may return (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6).</summary>
    private static readonly HashSet<string> ProviderErrors = new(StringComparer.Ordinal)
    {
        "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type", "invalid_scope",
        "server_error", "temporarily_unavailable", "interaction_required", "login_required", "account_selection_required",
        "consent_required", "invalid_request_uri", "invalid_request_object", "request_not_supported",
        "request_uri_not_supported", "registration_not_supported",
    };

    /// <summary>The reasons the gateway itself gives (see GatewayOpenIdConnectEvents).</summary>
    private static readonly HashSet<string> GatewayReasons = new(StringComparer.Ordinal)
    {
        "idp_unavailable", "code_rejected", "invalid_token", "invalid_callback", "session_too_large", Other,
    };

    /// <summary>True for a standard error code of the provider's authorization endpoint (compared exactly).</summary>
    public static bool IsProviderError(string? error) => error is not null && ProviderErrors.Contains(error);

    /// <summary>The label for <paramref name="reason"/>: itself when it belongs to the fixed set, else <see cref="Other"/>.</summary>
    public static string Label(string? reason) =>
        reason is not null && (ProviderErrors.Contains(reason) || GatewayReasons.Contains(reason)) ? reason : Other;

    /// <summary>Every label value that can appear (for tests and documentation).</summary>
    public static IReadOnlyCollection<string> All => ProviderErrors.Concat(GatewayReasons).ToArray();
}
