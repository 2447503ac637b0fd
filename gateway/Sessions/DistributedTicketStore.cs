using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Server-side sessions on <see cref="IDistributedCache"/> (Redis): the ticket is serialized, encrypted
/// with Data Protection and stored under a hash of the random handle (so the store's contents never
/// reveal a usable cookie), with a TTL matching the session. Reads go through the local
/// <see cref="SessionCache"/>; changes are signalled to the other instances.
/// </summary>
internal sealed class DistributedTicketStore(
    IDistributedCache store,
    IDataProtectionProvider dataProtection,
    SessionCache cache,
    SessionSignals signals,
    TimeProvider time,
    ILogger<DistributedTicketStore> logger) : ITicketStore
{
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
        var cacheKey = SessionCache.KeyFor(key);
        await GuardAsync(() => store.SetAsync(StoreKey(cacheKey), bytes, options, cancellationToken));
        signals.Changed(cacheKey);
        cache.Set(cacheKey, ticket);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveAsync(key, null!, cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var cacheKey = SessionCache.KeyFor(httpContext, key);

        var cached = cache.Get(cacheKey);
        return cached is not null ? Task.FromResult<AuthenticationTicket?>(cached) : RetrieveFromStoreAsync(key, cacheKey, httpContext, cancellationToken);
    }

    private async Task<AuthenticationTicket?> RetrieveFromStoreAsync(string key, string cacheKey, HttpContext? httpContext, CancellationToken cancellationToken)
    {

        byte[]? bytes;
        try
        {
            bytes = await GuardAsync(() => store.GetAsync(StoreKey(cacheKey), cancellationToken));
        }
        catch (SessionStoreUnavailableException) when (AllowsAnonymous(httpContext))
        {
            // This route works without a session: answer it as anonymous rather than failing it.
            return null;
        }

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
        var cacheKey = SessionCache.KeyFor(key);
        await GuardAsync(async () =>
        {
            await store.RemoveAsync(StoreKey(cacheKey), cancellationToken);
            return true;
        });
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
            return await GuardAsync(() => store.GetAsync(StoreKey(cacheKey), cancellationToken)) is not null;
        }
        catch (SessionStoreUnavailableException)
        {
            return null;
        }
    }

    private static string StoreKey(string cacheKey) => "session:" + cacheKey;

    private static bool AllowsAnonymous(HttpContext? context) =>
        context?.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    private async Task GuardAsync(Func<Task> action) => await GuardAsync(async () =>
    {
        await action();
        return true;
    });

    private async Task<T> GuardAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.StoreUnavailable(ex.GetType().Name);
            throw new SessionStoreUnavailableException("The session store (Redis) cannot be reached.", ex);
        }
    }
}
