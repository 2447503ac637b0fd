using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests;

/// <summary>The assertion signing keys: rotation, and instances that share them through the keys directory or Redis.</summary>
public sealed class AssertionKeyTests : IClassFixture<RedisFixture>, IDisposable
{
    private const string Header = "X-Gateway-Assertion";
    private readonly RedisFixture _fx;
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("gateway-assertion-keys-");

    public AssertionKeyTests(RedisFixture fx)
    {
        _fx = fx;
        _fx.Cognito.Reset();
        _fx.Backend.Reset();
    }

    public void Dispose() => _keys.Delete(recursive: true);

    private static Dictionary<string, string?> Config(params (string Key, string? Value)[] extra)
    {
        var config = new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:bearer:ClusterId"] = "backend",
            ["ReverseProxy:Routes:bearer:Match:Path"] = "/bearer/{**rest}",
            ["ReverseProxy:Routes:bearer:Metadata:Gateway.Bearer"] = "true",
            ["Gateway:Assertion:Enabled"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }

        return config;
    }

    /// <summary>A bearer call through <paramref name="host"/>; the assertion the backend received.</summary>
    private async Task<string> AssertionViaAsync(GatewayHost host, string path, DateTimeOffset? now = null)
    {
        var request = _fx.Cognito.AccessTokenRequest(_fx.Cognito.User, now ?? DateTimeOffset.UtcNow, "openid");
        request.SigningKey = _fx.Cognito.PrimaryKey;
        using var client = new HttpClient();
        using var message = new HttpRequestMessage(HttpMethod.Get, host.Url + path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Mint(request));
        message.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(message);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}\n{host.Logs.Dump()}");
        return Assert.Single(BackendStub.HeaderValues(_fx.Backend.LastRequestTo(path), Header));
    }

    private static string KeyIdOf(string token) => JwksVerifier.Decode(token).Header.GetProperty("kid").GetString()!;

    private static JwksVerifier VerifierOf(GatewayHost jwksFrom, GatewayHost issuer) =>
        new(jwksFrom.Url + "/.well-known/gateway/jwks.json", issuer.Url, issuer.Url);

    [Fact]
    public async Task AssertionKeys_Rotation_SuccessorPublishedBeforeItSignsAndOldKeyKeptUntilItsAssertionsExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _fx.Cognito.AccessTokenLifetime = TimeSpan.FromDays(1);
        await using var host = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, Config(("Gateway:Assertion:KeyLifetime", "01:00:00")),
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var tokenTime = clock.GetUtcNow();
        var verifier = VerifierOf(host, host);

        var first = await AssertionViaAsync(host, "/bearer/1", tokenTime);
        var firstKey = KeyIdOf(first);
        Assert.Equal([firstKey], await verifier.KeyIdsAsync());

        // Ten minutes before the first key retires: the successor is published, the first key still signs.
        clock.Advance(TimeSpan.FromMinutes(50));
        var beforeRotation = await AssertionViaAsync(host, "/bearer/2", tokenTime);
        var beforeRotationValidAt = clock.GetUtcNow() + TimeSpan.FromSeconds(10);
        Assert.Equal(firstKey, KeyIdOf(beforeRotation));
        var published = await verifier.KeyIdsAsync();
        Assert.Equal(2, published.Count);
        var successor = Assert.Single(published, k => k != firstKey);

        // After the first key's lifetime: the successor signs, and a verifier that fetches the JWKS now accepts both.
        clock.Advance(TimeSpan.FromMinutes(11));
        var afterRotation = await AssertionViaAsync(host, "/bearer/3", tokenTime);
        Assert.Equal(successor, KeyIdOf(afterRotation));
        Assert.True((await verifier.VerifyAsync(afterRotation, at: clock.GetUtcNow())).IsValid);
        Assert.True((await verifier.VerifyAsync(beforeRotation, at: beforeRotationValidAt)).IsValid, "an assertion of the old key, still within its lifetime");
        Assert.Equal(published.Order(), (await verifier.KeyIdsAsync()).Order());

        // Once every assertion of the old key has expired (lifetime + clock skew), it is no longer published.
        clock.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal([successor], await verifier.KeyIdsAsync());
        Assert.False((await verifier.VerifyAsync(beforeRotation, at: beforeRotationValidAt)).IsValid);
    }

    [Fact]
    public async Task AssertionKeys_TwoInstancesSharingTheKeysDirectory_VerifyWithEachOthersJwks_PrivateKeyEncryptedAtRest()
    {
        var config = Config(("Gateway:DataProtection:KeysPath", _keys.FullName));
        await using var a = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);
        await using var b = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);

        await AssertSharedAsync(a, b);

        var file = Assert.Single(_keys.GetFiles("assertion-key-*.json"));
        using var stored = JsonDocument.Parse(await File.ReadAllTextAsync(file.FullName));
        var privateKey = Convert.FromBase64String(stored.RootElement.GetProperty("protectedPrivateKey").GetString()!);
        using var ecdsa = ECDsa.Create();
        Assert.ThrowsAny<CryptographicException>(() => ecdsa.ImportPkcs8PrivateKey(privateKey, out _));
    }

    [SkippableFact]
    public async Task AssertionKeys_TwoInstancesSharingRedis_VerifyWithEachOthersJwks()
    {
        RedisServer.SkipOrFailWhenMissing();
        var config = Config(
            ("Gateway:Session:Store", "Redis"),
            ("Gateway:Redis:Configuration", _fx.Redis!.Configuration),
            ("Gateway:Redis:KeyPrefix", "t" + Guid.NewGuid().ToString("N")[..8] + ":"));
        await using var a = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);
        await using var b = await GatewayHost.StartAsync(_fx.Cognito, _fx.Backend, config);

        await AssertSharedAsync(a, b);
    }

    [Fact]
    public void AssertionAndAlbOptions_BadValues_EachReportedInTheOneStartupMessage()
    {
        var config = StartupConfig.With(StartupConfig.Minimal(),
            ("Gateway:Assertion:HeaderName", "X Bad"),
            ("Gateway:Assertion:Lifetime", "00:00:01"),
            ("Gateway:Assertion:KeyLifetime", "00:10:00"),
            ("Gateway:Assertion:Lifetme", "00:01:00"),
            ("Gateway:Alb:PublicKeysPath", "alb-keys/"),
            ("Gateway:Alb:Signer", "my alb"),
            ("ReverseProxy:Routes:app:Metadata:Gateway.Assertion", "yes"),
            ("ReverseProxy:Routes:app:Metadata:Gateway.HeaderProfile", "Aws"));

        var message = StartupConfig.BuildFails(config).Message;

        Assert.Contains("Gateway:Assertion:HeaderName is not a valid HTTP header name", message);
        Assert.Contains("Gateway:Assertion:Lifetime must be between", message);
        Assert.Contains("Gateway:Assertion:KeyLifetime must be between", message);
        Assert.Contains("Gateway:Assertion:Lifetme", message);
        Assert.Contains("ReverseProxy:Routes:app:Metadata:Gateway.Assertion must be true or false", message);
        Assert.Contains("Gateway:Alb:PublicKeysPath must start with '/'", message);
        Assert.Contains("Gateway:Alb:Signer must be printable ASCII", message);
        Assert.Contains("ReverseProxy:Routes:app:Metadata:Gateway.HeaderProfile has an unknown value (got 'Aws')", message);
    }

    /// <summary>Each instance's assertion verifies with the other's JWKS, and both sign with the one shared key.</summary>
    private async Task AssertSharedAsync(GatewayHost a, GatewayHost b)
    {
        var fromA = await AssertionViaAsync(a, "/bearer/a");
        var fromB = await AssertionViaAsync(b, "/bearer/b");

        var aVerifiedByB = await VerifierOf(b, a).VerifyAsync(fromA);
        Assert.True(aVerifiedByB.IsValid, aVerifiedByB.Exception?.ToString());
        var bVerifiedByA = await VerifierOf(a, b).VerifyAsync(fromB);
        Assert.True(bVerifiedByA.IsValid, bVerifiedByA.Exception?.ToString());
        Assert.Equal(KeyIdOf(fromA), KeyIdOf(fromB));
        Assert.Equal(await VerifierOf(a, a).KeyIdsAsync(), await VerifierOf(b, b).KeyIdsAsync());
    }
}
