using System.Diagnostics;
using Gateway.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Sessions;

/// <summary>
/// Bounds what a Redis outage costs a request. Every call through it takes at most <c>Gateway:Redis:OperationTimeout</c>
/// (StackExchange.Redis checks its own timeouts only on a one-second heartbeat, so a call could otherwise take a second
/// longer than configured). The first failure opens the breaker: for <c>Gateway:Redis:BreakDuration</c> every call fails
/// at once without touching Redis; then one call tries again (the others keep failing at once) and its success closes
/// the breaker. Opening and recovery are logged once per outage, not once per request.
/// </summary>
internal sealed class RedisCircuitBreaker
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _breakDuration;
    private readonly ILogger<RedisCircuitBreaker> _logger;
    private readonly Lock _lock = new();

    // Read without the lock on every call: a closed breaker costs one volatile read.
    private volatile bool _open;
    private DateTimeOffset _downSince;
    private DateTimeOffset _retryAt;
    private bool _trialRunning;

    public RedisCircuitBreaker(IOptions<GatewayOptions> options, TimeProvider time, ILogger<RedisCircuitBreaker> logger)
    {
        _time = time;
        _timeout = options.Value.Redis.OperationTimeout;
        _breakDuration = options.Value.Redis.BreakDuration;
        _logger = logger;
    }

    public TimeSpan OperationTimeout => _timeout;

    /// <summary>Whether Redis is known to be down right now (calls would fail at once).</summary>
    public bool IsOpen => _open;

    /// <summary>
    /// Runs <paramref name="operation"/> within the operation timeout; throws <see cref="SessionStoreUnavailableException"/>
    /// when Redis fails, is too slow, or is known to be down.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, string name = "call")
    {
        using var activity = StartActivity(name);
        try
        {
            return await RunCoreAsync(operation);
        }
        catch (SessionStoreUnavailableException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.InnerException?.GetType().Name ?? "breaker open");
            throw;
        }
    }

    private async Task<T> RunCoreAsync<T>(Func<Task<T>> operation)
    {
        var trial = Enter();
        try
        {
            var task = operation();
            T result;
            try
            {
                result = await task.WaitAsync(_timeout, _time);
            }
            catch (TimeoutException) when (!task.IsCompleted)
            {
                // Abandoned, not cancelled (StackExchange.Redis commands cannot be): observe its eventual failure.
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }

            Succeeded();
            return result;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed(ex);
            throw new SessionStoreUnavailableException("The session store (Redis) cannot be reached.", ex);
        }
        finally
        {
            EndTrial(trial);
        }
    }

    public Task RunAsync(Func<Task> operation, string name = "call") => RunAsync(
        async () =>
        {
            await operation();
            return true;
        },
        name);

    /// <summary>
    /// The same for a synchronous call (the Data Protection key ring's repository): the breaker fails it at once while open;
    /// StackExchange.Redis bounds a synchronous call by its <c>syncTimeout</c>, which is set to the operation timeout.
    /// </summary>
    public T Run<T>(Func<T> operation, string name = "call")
    {
        using var activity = StartActivity(name);
        try
        {
            return RunCore(operation);
        }
        catch (SessionStoreUnavailableException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.InnerException?.GetType().Name ?? "breaker open");
            throw;
        }
    }

    /// <summary>A client span per Redis operation (only when tracing is on: otherwise nobody listens and nothing is allocated).</summary>
    private static Activity? StartActivity(string name)
    {
        var activity = Observability.GatewayTracing.Source.StartActivity("redis " + name, ActivityKind.Client);
        activity?.SetTag("db.system.name", "redis");
        activity?.SetTag("db.operation.name", name);
        return activity;
    }

    private T RunCore<T>(Func<T> operation)
    {
        var trial = Enter();
        try
        {
            var result = operation();
            Succeeded();
            return result;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            Failed(ex);
            throw new SessionStoreUnavailableException("The session store (Redis) cannot be reached.", ex);
        }
        finally
        {
            EndTrial(trial);
        }
    }

    /// <summary>Known down from the start (the first connection attempt failed): the next calls fail at once.</summary>
    public void ConnectFailed(string reason)
    {
        lock (_lock)
        {
            if (!_open)
            {
                Open(reason);
            }
        }
    }

    /// <summary>The client reconnected: let the next call try at once instead of waiting out the break.</summary>
    public void ConnectionRestored()
    {
        lock (_lock)
        {
            if (_open)
            {
                _retryAt = _time.GetUtcNow();
            }
        }
    }

    /// <summary>The trial call (the one let through to find out whether Redis is back) is over, whatever its outcome.</summary>
    private void EndTrial(bool trial)
    {
        if (trial)
        {
            lock (_lock)
            {
                _trialRunning = false;
            }
        }
    }

    /// <summary>True when the caller runs the one trial call of an open breaker; throws when it must fail at once.</summary>
    private bool Enter()
    {
        if (!_open)
        {
            return false;
        }

        lock (_lock)
        {
            if (!_open)
            {
                return false;
            }

            if (_trialRunning || _time.GetUtcNow() < _retryAt)
            {
                throw new SessionStoreUnavailableException("The session store (Redis) is known to be down; failing at once.");
            }

            _trialRunning = true;
            return true;
        }
    }

    private void Succeeded()
    {
        if (!_open)
        {
            return;
        }

        lock (_lock)
        {
            if (!_open)
            {
                return;
            }

            _open = false;
            _logger.RedisRecovered(_time.GetUtcNow() - _downSince);
        }
    }

    private void Failed(Exception ex)
    {
        lock (_lock)
        {
            if (_open)
            {
                // A failed trial (or a call that started before the breaker opened): wait another break, say nothing new.
                _retryAt = _time.GetUtcNow() + _breakDuration;
                return;
            }

            Open(ex is TimeoutException && ex is not RedisException ? "no answer within " + _timeout.TotalMilliseconds + " ms" : Observability.FailureCause.Describe(ex));
        }
    }

    private void Open(string reason)
    {
        var now = _time.GetUtcNow();
        _downSince = now;
        _retryAt = now + _breakDuration;
        _open = true;
        _logger.RedisUnavailable(reason, _breakDuration);
    }

    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;
}
