using Gateway.Errors;

namespace Gateway.IdentityProvider;

/// <summary>The identity provider (discovery, JWKS, token or revocation endpoint) could not be reached or answered with a server error.</summary>
internal sealed class IdentityProviderUnavailableException(string message, Exception? inner = null)
    : DependencyUnavailableException(message, inner, "idp_unavailable", "The sign-in service is not answering",
        "We could not reach the sign-in service. Please try again in a moment.");

/// <summary>The token endpoint refused a request (an OAuth error such as invalid_grant or invalid_client).</summary>
internal sealed class TokenRequestRejectedException(string error, int statusCode)
    : Exception($"The token endpoint refused the request ({error}, HTTP {statusCode}).")
{
    public string Error { get; } = error;
    public int StatusCode { get; } = statusCode;
}
