using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// The tokens a refresh produced. <see cref="RefreshToken"/> is null when the provider did not rotate it. <see cref="IssuedAt"/>
/// (when the token endpoint answered) with <see cref="ExpiresAt"/> gives the access token's lifetime; default when unknown.
/// </summary>
internal sealed record RefreshedTokens(string AccessToken, string? RefreshToken, string? IdToken, DateTimeOffset ExpiresAt, DateTimeOffset IssuedAt = default);

internal enum RefreshStatus
{
    Refreshed,

    /// <summary>
    /// The provider refused (invalid_grant: revoked, expired, user disabled, or rotated away by a refresh elsewhere): the
    /// session ends once its access token has expired.
    /// </summary>
    Rejected,

    /// <summary>The token endpoint could not be reached or failed: try again on a later request.</summary>
    Unavailable,
}

internal sealed record RefreshOutcome(RefreshStatus Status, RefreshedTokens? Tokens = null, string? Error = null);

/// <summary>
/// Refreshes a session's tokens with the refresh_token grant, single-flight: parallel requests of one
/// session (same refresh token) share one call to the token endpoint, on this instance through an
/// in-process table and across instances through a Redis lock plus a short-lived shared result.
/// A result is remembered for a minute so late requests still carrying the old cookie reuse it.
/// </summary>
internal sealed class TokenRefresher
{
    private static readonly TimeSpan ResultLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LockLifetime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(12);

    private readonly ConcurrentDictionary<string, Lazy<Task<RefreshOutcome>>> _inFlight = new();
    private readonly MemoryCache _recent;
    private readonly TokenClient _tokenClient;
    private readonly TimeProvider _time;
    private readonly IConnectionMultiplexer? _redis;
    private readonly RedisCircuitBreaker? _breaker;
    private readonly string _prefix;
    private readonly IDataProtector _protector;

    private readonly Observability.GatewayMetrics _metrics;

    public TokenRefresher(TokenClient tokenClient, TimeProvider time, IOptions<GatewayOptions> options, IDataProtectionProvider dataProtection, Observability.GatewayMetrics metrics, IConnectionMultiplexer? redis = null, RedisCircuitBreaker? breaker = null)
    {
        _breaker = breaker;
        _metrics = metrics;
        _tokenClient = tokenClient;
        _time = time;
        _redis = redis;
        _prefix = options.Value.Redis.KeyPrefix;
        _protector = dataProtection.CreateProtector("Gateway.Sessions.RefreshResult.v1");
        _recent = new MemoryCache(new MemoryCacheOptions { SizeLimit = 100_000, Clock = new SessionCache.TimeProviderClock(time) });
    }

    /// <summary>Refreshes with <paramref name="client"/> (the session's app's token client), or the primary app's.</summary>
    public async Task<RefreshOutcome> RefreshAsync(string refreshToken, TokenClient? client = null)
    {
        var key = SessionCache.KeyFor(refreshToken);
        if (_recent.TryGetValue(key, out RefreshOutcome? recent) && recent is not null)
        {
            return recent;
        }

        var lazy = _inFlight.GetOrAdd(key, k => new Lazy<Task<RefreshOutcome>>(() => RunAsync(k, refreshToken, client ?? _tokenClient)));
        try
        {
            return await lazy.Value;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<RefreshOutcome>>>(key, lazy));
        }
    }

    private async Task<RefreshOutcome> RunAsync(string key, string refreshToken, TokenClient client)
    {
        // A refresh of this token may have completed between the caller's cache check and its GetOrAdd.
        if (_recent.TryGetValue(key, out RefreshOutcome? finished) && finished is not null)
        {
            return finished;
        }

        var database = _redis?.GetDatabase();
        var lockKey = (RedisKey)(_prefix + "refresh-lock:" + key);
        var resultKey = (RedisKey)(_prefix + "refresh-result:" + key);
        var lockValue = (RedisValue)Guid.NewGuid().ToString("N");
        var locked = false;
        try
        {
            if (database is not null)
            {
                var waited = Stopwatch.StartNew();
                while (true)
                {
                    if (await ReadSharedResultAsync(database, resultKey, refreshToken) is { } shared)
                    {
                        return Remember(key, shared);
                    }

                    if (await RedisAsync(() => database.LockTakeAsync(lockKey, lockValue, LockLifetime), "refresh.lock"))
                    {
                        locked = true;
                        break;
                    }

                    if (waited.Elapsed > LockWait)
                    {
                        break;
                    }

                    // Another instance is refreshing this session: wait for its result.
                    await Task.Delay(25);
                }

                if (locked && await ReadSharedResultAsync(database, resultKey, refreshToken) is { } sharedAfterLock)
                {
                    return Remember(key, sharedAfterLock);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or SessionStoreUnavailableException)
        {
            // Redis trouble must not block a refresh: fall back to this instance's single-flight.
            database = null;
        }

        try
        {
            var outcome = await CallTokenEndpointAsync(refreshToken, client);
            _metrics.Refreshed(outcome.Status.ToString().ToLowerInvariant());
            if (outcome.Status == RefreshStatus.Refreshed && database is not null)
            {
                try
                {
                    // Bound to the old refresh token, which Redis never sees.
                    var payload = _protector.CreateProtector(refreshToken).Protect(JsonSerializer.SerializeToUtf8Bytes(outcome.Tokens));
                    await RedisAsync(() => database.StringSetAsync(resultKey, payload, ResultLifetime), "refresh.result.store");
                }
                catch (Exception ex) when (ex is RedisException or SessionStoreUnavailableException)
                {
                }
            }

            return outcome.Status == RefreshStatus.Unavailable ? outcome : Remember(key, outcome);
        }
        finally
        {
            if (locked && database is not null)
            {
                try
                {
                    await RedisAsync(() => database.LockReleaseAsync(lockKey, lockValue), "refresh.unlock");
                }
                catch (Exception ex) when (ex is RedisException or SessionStoreUnavailableException)
                {
                }
            }
        }
    }

    private async Task<RefreshOutcome> CallTokenEndpointAsync(string refreshToken, TokenClient client)
    {
        try
        {
            var response = await client.RefreshAsync(refreshToken, CancellationToken.None);
            if (string.IsNullOrEmpty(response.AccessToken))
            {
                return new RefreshOutcome(RefreshStatus.Unavailable, Error: "no_access_token");
            }

            var expiresIn = int.TryParse(response.ExpiresIn, out var seconds) && seconds > 0 ? seconds : 3600;
            var now = _time.GetUtcNow();
            var tokens = new RefreshedTokens(
                response.AccessToken,
                string.IsNullOrEmpty(response.RefreshToken) ? null : response.RefreshToken,
                string.IsNullOrEmpty(response.IdToken) ? null : response.IdToken,
                now.AddSeconds(expiresIn),
                now);
            return new RefreshOutcome(RefreshStatus.Refreshed, tokens);
        }
        catch (TokenRequestRejectedException ex) when (ex.Error == "invalid_grant")
        {
            return new RefreshOutcome(RefreshStatus.Rejected, Error: ex.Error);
        }
        catch (TokenRequestRejectedException ex)
        {
            // invalid_client (a mistyped secret), throttling, …: the gateway's problem, not the user's; keep the session.
            return new RefreshOutcome(RefreshStatus.Unavailable, Error: ex.Error);
        }
        catch (IdentityProviderUnavailableException)
        {
            return new RefreshOutcome(RefreshStatus.Unavailable, Error: "unavailable");
        }
    }

    private async Task<RefreshOutcome?> ReadSharedResultAsync(IDatabase database, RedisKey resultKey, string refreshToken)
    {
        var value = await RedisAsync(() => database.StringGetAsync(resultKey), "refresh.result.read");
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            var tokens = JsonSerializer.Deserialize<RefreshedTokens>(_protector.CreateProtector(refreshToken).Unprotect((byte[])value!));
            return tokens is null ? null : new RefreshOutcome(RefreshStatus.Refreshed, tokens);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            return null;
        }
    }

    /// <summary>A Redis call within the operation timeout, failing at once while Redis is known to be down.</summary>
    private Task<T> RedisAsync<T>(Func<Task<T>> call, string name) => _breaker is null ? call() : _breaker.RunAsync(call, name);

    private RefreshOutcome Remember(string key, RefreshOutcome outcome)
    {
        _recent.Set(key, outcome, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ResultLifetime });
        return outcome;
    }
}
