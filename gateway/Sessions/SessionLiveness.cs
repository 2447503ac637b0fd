namespace Gateway.Sessions;

/// <summary>
/// Answers "is this session still alive?" for a session whose cache key was signalled as changed, so the live
/// connections opened with it can be closed when the change was its end. The Redis store knows (the session is gone
/// from the store after sign-out or expiry); a cookie-store session changes only by sign-out (signalled as an end
/// already) or refresh, so it is alive until told otherwise.
/// </summary>
internal sealed class SessionLiveness(IServiceProvider services)
{
    private readonly DistributedTicketStore? _store = services.GetService<DistributedTicketStore>();

    /// <summary>True while the session lives, false once it ended, null when that cannot be told now (store unreachable).</summary>
    public Task<bool?> IsAliveAsync(string cacheKey, CancellationToken cancellationToken) =>
        _store is null ? Task.FromResult<bool?>(true) : _store.ExistsAsync(cacheKey, cancellationToken);
}
