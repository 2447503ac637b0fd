using Gateway.Configuration;
using Gateway.Sessions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>The revocation list itself: generations, the cap, and the shared file in the keys directory.</summary>
public sealed class SessionRevocationListTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gateway-revocation-list-");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public void Dispose() => _directory.Delete(recursive: true);

    private SessionRevocations List(int max = 1000) =>
        new(Options.Create(new GatewayOptions { Session = new Configuration.SessionOptions { MaxRevokedSessions = max } }), _clock, NullLogger<SessionRevocations>.Instance);

    [Fact]
    public void RefusedRefreshToken_RevokesItsGenerationAndOlderOnes_SignOutRevokesEvery()
    {
        var list = List();
        var until = _clock.GetUtcNow().AddHours(1);

        list.Remember("session-a", until, generation: 1);
        list.Remember("session-b", until, SessionRevocations.AllGenerations);

        Assert.True(list.IsRevoked("session-a", 0));
        Assert.True(list.IsRevoked("session-a", 1));
        Assert.False(list.IsRevoked("session-a", 2));
        Assert.True(list.IsRevoked("session-b", 7));
        Assert.False(list.IsRevoked("session-c", 0));
    }

    [Fact]
    public void AlreadyExpiredSession_IsNotListed()
    {
        var list = List();

        list.Remember("expired", _clock.GetUtcNow().AddSeconds(-1), SessionRevocations.AllGenerations);

        Assert.False(list.IsRevoked("expired", 0));
    }

    [Fact]
    public void OverTheCap_TheEntriesNearestTheirExpiryGoFirst()
    {
        var list = List(max: 1000);
        var now = _clock.GetUtcNow();
        for (var i = 0; i < 1000; i++)
        {
            list.Remember("s" + i, now.AddMinutes(i + 1), SessionRevocations.AllGenerations);
        }

        Assert.True(list.IsRevoked("s0", 0));

        list.Remember("latest", now.AddDays(1), SessionRevocations.AllGenerations);

        // A tenth of the cap is freed, nearest expiry first.
        Assert.False(list.IsRevoked("s0", 0));
        Assert.False(list.IsRevoked("s100", 0));
        Assert.True(list.IsRevoked("s101", 0));
        Assert.True(list.IsRevoked("s999", 0));
        Assert.True(list.IsRevoked("latest", 0));
    }

    [Fact]
    public async Task SharedFile_EachReaderSeesTheOthersAppendsOnce_AndStartsOverAfterTheFileIsTidied()
    {
        var path = Path.Combine(_directory.FullName, RevocationFile.FileName);
        var a = new RevocationFile(path, max: 1000, minLinesToTidy: 0);
        var b = new RevocationFile(path, max: 1000, minLinesToTidy: 0);
        var now = _clock.GetUtcNow();

        Assert.Null(await b.ReadAsync(now, CancellationToken.None));
        await a.AddAsync("first", now.AddMinutes(1), SessionRevocations.AllGenerations, CancellationToken.None);
        await a.AddAsync("second", now.AddHours(2), 3, CancellationToken.None);

        var read = await b.ReadAsync(now, CancellationToken.None);
        Assert.Equal(new[] { "first", "second" }, read!.Select(e => e.SessionId));
        Assert.Equal(3, read![1].Generation);
        Assert.Equal(now.AddHours(2).ToUnixTimeSeconds(), read[1].Until.ToUnixTimeSeconds());
        Assert.Empty((await b.ReadAsync(now, CancellationToken.None))!);

        await b.AddAsync("third", now.AddHours(3), 0, CancellationToken.None);
        Assert.Equal(new[] { "first", "second", "third" }, (await a.ReadAsync(now, CancellationToken.None))!.Select(e => e.SessionId));

        // An hour later "first" has expired: tidying rewrites the file without it, and every reader reads it again.
        var later = now.AddHours(1);
        await a.TidyAsync(later, liveEntries: 0, CancellationToken.None);
        Assert.Equal(new[] { "second", "third" }, (await b.ReadAsync(later, CancellationToken.None))!.Select(e => e.SessionId).Order());
        Assert.DoesNotContain("first", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task SharedFile_ATornLineOfAWriterThatDied_IsSkipped()
    {
        var path = Path.Combine(_directory.FullName, RevocationFile.FileName);
        var writer = new RevocationFile(path, max: 1000);
        var now = _clock.GetUtcNow();
        await writer.AddAsync("before", now.AddHours(1), 0, CancellationToken.None);
        await File.AppendAllTextAsync(path, "torn 17");

        await writer.AddAsync("after", now.AddHours(1), 0, CancellationToken.None);

        var reader = new RevocationFile(path, max: 1000);
        Assert.Equal(new[] { "before", "after" }, (await reader.ReadAsync(now, CancellationToken.None))!.Select(e => e.SessionId));
    }
}
