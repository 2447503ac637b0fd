using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Hosting;

/// <summary>
/// The <c>--config</c> file, watched for changes. Unlike the stock JSON provider, a reload that cannot be parsed
/// (an editor writing the file in place, a typo) keeps the previous settings instead of dropping them all — which
/// would otherwise remove every route until the next good save — and reports why through <see cref="ReloadFailed"/>.
/// The first load still fails loudly.
/// </summary>
internal sealed class ReloadSafeJsonConfigurationSource : JsonConfigurationSource
{
    /// <summary>Called with a short reason when a reload is ignored (set once the app can log).</summary>
    public Action<string>? ReloadFailed { get; set; }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new Provider(this);
    }

    private sealed class Provider(ReloadSafeJsonConfigurationSource source) : JsonConfigurationProvider(source)
    {
        private bool _loaded;

        public override void Load(Stream stream)
        {
            try
            {
                base.Load(stream);
                _loaded = true;
            }
            catch (Exception ex) when (_loaded && ex is FormatException or System.Text.Json.JsonException or InvalidDataException)
            {
                // Data still holds the last good settings; consumers see no change.
                source.ReloadFailed?.Invoke(JsonErrorText.Describe(ex));
            }
        }
    }
}
