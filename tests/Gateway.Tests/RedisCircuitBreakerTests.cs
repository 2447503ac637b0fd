using Gateway.Configuration;
using Gateway.Sessions;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Gateway.Tests;

/// <summary>The breaker in front of Redis, on a fake clock: bounded calls, failing at once while open, one trial, logged once.</summary>
public sealed class RedisCircuitBreakerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly InMemoryLogSink _logs = new();
    private readonly RedisCircuitBreaker _breaker;
    private int _calls;

    public RedisCircuitBreakerTests()
    {
        var options = new GatewayOptions();
        options.Redis.OperationTimeout = Timeout;
        options.Redis.BreakDuration = Break;
        using var factory = new LoggerFactory([_logs]);
        _breaker = new RedisCircuitBreaker(Microsoft.Extensions.Options.Options.Create(options), _clock, factory.CreateLogger<RedisCircuitBreaker>());
    }

    private Task<int> Answer()
    {
        _calls++;
        return Task.FromResult(42);
    }

    private Task<int> Refuse()
    {
        _calls++;
        throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "refused");
    }

    private int Logged(string text) => _logs.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task Closed_CallsGoThrough()
    {
        Assert.Equal(42, await _breaker.RunAsync(Answer));
        Assert.Equal(1, _calls);
        Assert.False(_breaker.IsOpen);
    }

    [Fact]
    public async Task AFailure_Opens_ThenCallsFailAtOnceWithoutAskingRedis()
    {
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Refuse));
        Assert.True(_breaker.IsOpen);

        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(Break / 4);
            await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Answer));
        }

        Assert.Equal(1, _calls);
        Assert.Equal(1, Logged("Redis cannot be reached (Redis UnableToConnect)"));
    }

    [Fact]
    public async Task ACallThatDoesNotAnswer_FailsAfterTheOperationTimeout()
    {
        var never = new TaskCompletionSource<int>();
        var call = _breaker.RunAsync(() => never.Task);

        _clock.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(call.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        var ex = await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => call);
        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.True(_breaker.IsOpen);
        Assert.Equal(1, Logged("no answer within 1000 ms"));
    }

    [Fact]
    public async Task AfterTheBreak_OneTrialAtATime_ItsSuccessCloses_RecoveryLoggedOnce()
    {
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Refuse));
        _clock.Advance(Break);

        var trialAnswer = new TaskCompletionSource<int>();
        var trial = _breaker.RunAsync(() => trialAnswer.Task);
        // While the trial runs, everyone else still fails at once.
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Answer));
        Assert.Equal(1, _calls);

        trialAnswer.SetResult(7);
        Assert.Equal(7, await trial);
        Assert.False(_breaker.IsOpen);
        Assert.Equal(42, await _breaker.RunAsync(Answer));
        Assert.Equal(42, await _breaker.RunAsync(Answer));
        Assert.Equal(1, Logged("Redis answers again after an outage of 00:00:05"));
    }

    [Fact]
    public async Task FailedTrials_WaitAnotherBreak_AndLogNothingNew()
    {
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Refuse));
        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(Break);
            await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Refuse));
            _clock.Advance(Break - TimeSpan.FromMilliseconds(1));
            await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Refuse));
        }

        Assert.Equal(4, _calls);
        Assert.Equal(1, Logged("Redis cannot be reached"));
        Assert.Equal(0, Logged("Redis answers again"));
    }

    [Fact]
    public async Task ConnectionRestored_LetsTheNextCallTryAtOnce()
    {
        _breaker.ConnectFailed("no connection within 1000 ms");
        await Assert.ThrowsAsync<SessionStoreUnavailableException>(() => _breaker.RunAsync(Answer));

        _breaker.ConnectionRestored();

        Assert.Equal(42, await _breaker.RunAsync(Answer));
        Assert.False(_breaker.IsOpen);
        Assert.Equal(1, Logged("Redis answers again"));
    }

    [Fact]
    public void SynchronousCalls_FailAtOnceWhileOpen()
    {
        Assert.Throws<SessionStoreUnavailableException>(() => _breaker.Run<int>(() => throw new RedisTimeoutException("slow", CommandStatus.Sent)));
        Assert.Throws<SessionStoreUnavailableException>(() => _breaker.Run(() => ++_calls));
        Assert.Equal(0, _calls);
    }
}
