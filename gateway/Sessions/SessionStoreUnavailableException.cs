using Gateway.Errors;

namespace Gateway.Sessions;

/// <summary>The server-side session store (Redis) cannot be reached: requests that need a session get 503.</summary>
internal sealed class SessionStoreUnavailableException(string message, Exception? inner = null)
    : DependencyUnavailableException(message, inner, "session_store_unavailable", "Sessions are unavailable",
        "The gateway cannot reach its session store right now. Your session is kept; please try again in a moment.");
