namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Base of a test class that shares one started gateway (<typeparamref name="TFixture"/>): each test starts with fresh
/// fake-Cognito and backend stubs and gets its own browser (empty cookie jar) on first use of <see cref="Browser"/>.
/// </summary>
public abstract class GatewayTest<TFixture> : IClassFixture<TFixture>, IDisposable
    where TFixture : GatewayFixture
{
    private TestBrowser? _browser;

    protected GatewayTest(TFixture fixture)
    {
        Fx = fixture;
        fixture.ResetStubs();
    }

    /// <summary>The class's fake Cognito, backend and gateway.</summary>
    protected TFixture Fx { get; }

    /// <summary>This test's browser against <see cref="GatewayFixture.Gateway"/>.</summary>
    protected TestBrowser Browser => _browser ??= Fx.NewBrowser();

    public void Dispose()
    {
        _browser?.Dispose();
        GC.SuppressFinalize(this);
    }
}
