using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;

namespace Gateway.Sessions;

/// <summary>
/// Server-side sessions on <see cref="IDistributedCache"/> (Redis): the ticket is serialized, encrypted
/// with Data Protection and stored under a hash of the random handle (so the store's contents never
/// reveal a usable cookie), with a TTL matching the session. Reads go through the local
/// <see cref="SessionCache"/>; changes are signalled to the other instances. Every call to Redis goes through the
/// <see cref="RedisCircuitBreaker"/>: when Redis is down or slow it throws <see cref="SessionStoreUnavailableException"/>
/// (503) within <c>Gateway:Redis:OperationTimeout</c>, or at once while Redis is known to be down. Nothing here turns an
/// unreadable store into "no session": that would answer 401 to a signed-in user (a sign-in loop behind forward-auth) and
/// show "signed out" for a session that lives on. Requests that do not need a session do not get here (see
/// <c>GatewayAuthenticationSchemeProvider</c>).
/// </summary>
internal sealed class DistributedTicketStore(
    IDistributedCache store,
    IDataProtectionProvider dataProtection,
    SessionCache cache,
    SessionSignals signals,
    RedisCircuitBreaker breaker,
    TimeProvider time,
    ILogger<DistributedTicketStore> logger,
    IHttpContextAccessor? accessor = null) : ITicketStore
{
    /// <summary>
    /// The store and cache key of a handle: with <c>Gateway:Apps</c>, per app (AppSessions), so a handle of one app, sent
    /// to another app's host, names nothing there; without apps (and for the default app) the same key as always.
    /// </summary>
    private string KeyOf(string handle) => SessionCache.KeyFor(handle, AppSessions.ScopeOf(accessor?.HttpContext));

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Gateway.Sessions.Ticket.v1");

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var handle = SessionHandle.Create();
        await RenewAsync(handle, ticket, cancellationToken);
        return handle;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        // Bound to the raw handle, which Redis never sees: a blob copied under another handle does not decrypt.
        var bytes = _protector.CreateProtector(key).Protect(TicketSerializer.Default.Serialize(ticket));
        var options = new DistributedCacheEntryOptions();
        var now = time.GetUtcNow();
        options.AbsoluteExpirationRelativeToNow = ticket.Properties.ExpiresUtc is { } expires && expires > now
            ? expires - now
            : TimeSpan.FromMinutes(1);
        var cacheKey = KeyOf(key);
        await breaker.RunAsync(() => store.SetAsync(StoreKey(cacheKey), bytes, options, cancellationToken), "session.store");
        signals.Changed(cacheKey);
        cache.Set(cacheKey, ticket);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var cacheKey = SessionCache.KeyFor(httpContext, key);

        var cached = cache.Get(cacheKey);
        return cached is not null ? Task.FromResult<AuthenticationTicket?>(cached) : RetrieveFromStoreAsync(key, cacheKey, cancellationToken);
    }

    private async Task<AuthenticationTicket?> RetrieveFromStoreAsync(string key, string cacheKey, CancellationToken cancellationToken)
    {
        var bytes = await breaker.RunAsync(() => store.GetAsync(StoreKey(cacheKey), cancellationToken), "session.read");
        if (bytes is null)
        {
            return null;
        }

        AuthenticationTicket? ticket;
        try
        {
            ticket = TicketSerializer.Default.Deserialize(_protector.CreateProtector(key).Unprotect(bytes));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            logger.UnreadableSession();
            return null;
        }

        if (ticket is not null)
        {
            cache.Set(cacheKey, ticket);
        }

        return ticket;
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        var cacheKey = KeyOf(key);
        await breaker.RunAsync(() => store.RemoveAsync(StoreKey(cacheKey), cancellationToken), "session.remove");
        signals.Changed(cacheKey);
    }

    /// <summary>
    /// Whether the store still holds the session with this cache key: false once it was removed (sign-out) or expired,
    /// null when Redis cannot be reached (a live connection is not closed for an outage).
    /// </summary>
    public async Task<bool?> ExistsAsync(string cacheKey, CancellationToken cancellationToken)
    {
        try
        {
            return await breaker.RunAsync(() => store.GetAsync(StoreKey(cacheKey), cancellationToken), "session.exists") is not null;
        }
        catch (SessionStoreUnavailableException)
        {
            return null;
        }
    }

    private static string StoreKey(string cacheKey) => "session:" + cacheKey;
}
