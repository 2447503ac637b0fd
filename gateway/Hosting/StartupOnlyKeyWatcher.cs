using Microsoft.Extensions.Primitives;

namespace Gateway.Hosting;

/// <summary>
/// Says when a reload (the <c>--config</c> file changed) touches a key that is read only at start-up: every key under
/// "Gateway" except the policies. Routes (ReverseProxy) and policies reload live and are not mentioned. Each key is
/// named once per change, never with its value (it may be a secret).
/// </summary>
internal sealed class StartupOnlyKeyWatcher(IConfiguration configuration, ILogger<StartupOnlyKeyWatcher> logger) : IHostedService, IDisposable
{
    /// <summary>Keys that take effect on reload, so changing them needs no restart.</summary>
    private static readonly string[] LiveSections = ["Gateway:Policies"];

    private readonly Lock _lock = new();
    private Dictionary<string, string?> _started = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, string?> _seen = new(StringComparer.OrdinalIgnoreCase);
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = Snapshot();
        _seen = _started;
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, OnReload);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void OnReload()
    {
        lock (_lock)
        {
            var now = Snapshot();
            foreach (var key in now.Keys.Union(_seen.Keys, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
            {
                if (string.Equals(Value(now, key), Value(_seen, key), StringComparison.Ordinal))
                {
                    continue;
                }

                if (string.Equals(Value(now, key), Value(_started, key), StringComparison.Ordinal))
                {
                    logger.StartupOnlyKeyRestored(key);
                }
                else
                {
                    logger.RestartNeeded(key);
                }
            }

            _seen = now;
        }
    }

    private static string? Value(Dictionary<string, string?> values, string key) => values.GetValueOrDefault(key);

    private Dictionary<string, string?> Snapshot() =>
        configuration.GetSection(Configuration.GatewayOptions.SectionName).AsEnumerable()
            .Where(kv => kv.Value is not null && !LiveSections.Any(live => kv.Key.Equals(live, StringComparison.OrdinalIgnoreCase) || kv.Key.StartsWith(live + ":", StringComparison.OrdinalIgnoreCase)))
            .GroupBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.OrdinalIgnoreCase);

    public void Dispose() => _subscription?.Dispose();
}
