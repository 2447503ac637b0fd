namespace Gateway.Sessions;

/// <summary>The server-side session store (Redis) cannot be reached: requests that need a session get 503.</summary>
internal sealed class SessionStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
