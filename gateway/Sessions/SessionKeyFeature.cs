namespace Gateway.Sessions;

/// <summary>
/// The request's session cache key: the hash of its session cookie (cookie store) or session handle (Redis store),
/// set where the session is read (<see cref="SessionCache.KeyFor(HttpContext?, string)"/>) so it is hashed once, and
/// read where the cached session must be recorded or dropped (validation, refresh, sign-out).
/// </summary>
internal sealed class SessionKeyFeature(string? value, string key)
{
    /// <summary>The cookie value or handle that was hashed; null when the key was found without reading the cookie (fast path).</summary>
    public string? Value { get; } = value;

    public string Key { get; } = key;

    /// <summary>The key of the request's session, or null when no session was read.</summary>
    public static string? Of(HttpContext context) => context.Features.Get<SessionKeyFeature>()?.Key;
}
