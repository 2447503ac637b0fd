namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Class fixture: one fake Cognito, one backend and one started gateway shared by the tests of a class
/// (xUnit runs a class's tests one at a time, so per-test <see cref="ResetStubs"/> is safe).
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public FakeCognito Cognito { get; private set; } = null!;

    public BackendStub Backend { get; private set; } = null!;

    public GatewayHost Gateway { get; private set; } = null!;

    /// <summary>Extra configuration for this fixture's gateway (null value removes a default key).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Cognito = new FakeCognito();
        ConfigureCognito(Cognito);
        Backend = BackendStub.Start();
        Gateway = await GatewayHost.StartAsync(Cognito, Backend, Overrides);
    }

    /// <summary>App-client settings of the fake pool that must match this fixture's gateway (e.g. the client secret).</summary>
    protected virtual void ConfigureCognito(FakeCognito cognito)
    {
    }

    /// <summary>Fresh WireMock mappings, logs and default user; call from each test class constructor.</summary>
    public void ResetStubs()
    {
        Cognito.Reset();
        Backend.Reset();
    }

    public TestBrowser NewBrowser() => new(Gateway);

    public async Task DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        Backend?.Dispose();
        Cognito?.Dispose();
    }
}

/// <summary>A gateway whose app client has a secret (client_secret_basic on token and revoke calls).</summary>
public sealed class ConfidentialClientGatewayFixture : GatewayFixture
{
    /// <summary>Contains characters that must be form-urlencoded inside the Basic credentials.</summary>
    public const string ClientSecret = "s3cr3t+value/with=chars";

    protected override IReadOnlyDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Gateway:Cognito:ClientSecret"] = ClientSecret,
    };

    protected override void ConfigureCognito(FakeCognito cognito) => cognito.ClientSecret = ClientSecret;
}
