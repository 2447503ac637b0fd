using Gateway.Configuration;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.IdentityProvider;

/// <summary>
/// The identity provider's discovery document and signing keys, fetched from
/// <c>{Authority}/.well-known/openid-configuration</c> and its <c>jwks_uri</c>, cached, and
/// refetched when a token names a key id we do not know (keys rotate). For Cognito, a configured
/// <c>Domain</c> overrides the hosted-UI endpoints. A failing provider never throws a cached copy away.
/// </summary>
internal sealed class ProviderMetadata : IConfigurationManager<OpenIdConnectConfiguration>
{
    public const string HttpClientName = "Gateway.IdentityProvider";

    private static readonly TimeSpan RefreshAfter = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetryFailedRefreshAfter = TimeSpan.FromSeconds(30);

    /// <summary>At most this many JWKS refetches for unknown key ids per minute, so forged key ids cannot hammer the provider.</summary>
    private const int UnknownKeyRefetchesPerMinute = 6;

    private readonly IdentityProviderSettings _settings;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderMetadata> _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Queue<DateTimeOffset> _unknownKeyRefetches = new();
    private readonly Queue<DateTimeOffset> _untrustedUnknownKeyRefetches = new();
    private volatile Snapshot? _current;
    private volatile bool _refreshRequested;

    public ProviderMetadata(IdentityProviderSettings settings, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<ProviderMetadata> logger)
    {
        _settings = settings;
        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var snapshot = _current;
        if (snapshot is not null && !_refreshRequested && _time.GetUtcNow() < snapshot.RefreshAt)
        {
            return snapshot.Configuration;
        }

        await _lock.WaitAsync(cancel);
        try
        {
            snapshot = _current;
            if (snapshot is not null && !_refreshRequested && _time.GetUtcNow() < snapshot.RefreshAt)
            {
                return snapshot.Configuration;
            }

            _refreshRequested = false;
            try
            {
                var fresh = await LoadAsync(cancel);
                _current = fresh;
                _logger.DiscoveryLoaded(_settings.MetadataAddress, fresh.Configuration.SigningKeys.Count);
                return fresh.Configuration;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IdentityProviderUnavailableException && !cancel.IsCancellationRequested)
            {
                if (snapshot is not null)
                {
                    _logger.DiscoveryFailed(_settings.MetadataAddress, Observability.FailureCause.Describe(ex), "keeping the cached copy");
                    _current = snapshot with { RefreshAt = _time.GetUtcNow() + RetryFailedRefreshAfter };
                    return snapshot.Configuration;
                }

                _logger.DiscoveryFailed(_settings.MetadataAddress, Observability.FailureCause.Describe(ex), "sign-in is unavailable until it answers");
                throw ex as IdentityProviderUnavailableException
                      ?? new IdentityProviderUnavailableException("The identity provider's discovery document could not be loaded.", ex);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public void RequestRefresh() => _refreshRequested = true;

    /// <summary>The signing keys known now for a key id (all keys when the token names none).</summary>
    public IEnumerable<SecurityKey> SigningKeysFor(string? keyId)
    {
        var keys = _current?.Configuration.SigningKeys;
        if (keys is null)
        {
            return [];
        }

        return string.IsNullOrEmpty(keyId) ? keys : keys.Where(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal)).ToArray();
    }

    /// <summary>Makes sure a key id is known, refetching the JWKS (rate-limited) when it is not. Returns whether it is known.</summary>
    /// <param name="untrustedCaller">
    /// True for tokens sent by any client (bearer): they get their own budget, so forged key ids cannot use up the
    /// refetches that sign-in callbacks need after a real key rotation.
    /// </param>
    public async Task<bool> EnsureSigningKeyAsync(string? keyId, CancellationToken cancel, bool untrustedCaller = false)
    {
        var configuration = await GetConfigurationAsync(cancel);
        if (string.IsNullOrEmpty(keyId) || HasKey(configuration, keyId))
        {
            return true;
        }

        await _lock.WaitAsync(cancel);
        try
        {
            var snapshot = _current!;
            if (HasKey(snapshot.Configuration, keyId))
            {
                return true;
            }

            var now = _time.GetUtcNow();
            var budget = untrustedCaller ? _untrustedUnknownKeyRefetches : _unknownKeyRefetches;
            while (budget.Count > 0 && now - budget.Peek() > TimeSpan.FromMinutes(1))
            {
                budget.Dequeue();
            }

            if (budget.Count >= UnknownKeyRefetchesPerMinute)
            {
                return false;
            }

            budget.Enqueue(now);
            try
            {
                var jwks = await GetStringAsync(snapshot.Configuration.JwksUri, cancel);
                var updated = Build(snapshot.DiscoveryJson, jwks);
                _current = snapshot with { Configuration = updated };
                var found = HasKey(updated, keyId);
                _logger.SigningKeysRefreshed(Observability.LogValue.Sanitize(keyId, 100), updated.SigningKeys.Count, found);
                return found;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IdentityProviderUnavailableException or ArgumentException && !cancel.IsCancellationRequested)
            {
                _logger.SigningKeysRefreshFailed(Observability.LogValue.Sanitize(keyId, 100), Observability.FailureCause.Describe(ex));
                return false;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private static bool HasKey(OpenIdConnectConfiguration configuration, string keyId) =>
        configuration.SigningKeys.Any(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal));

    private async Task<Snapshot> LoadAsync(CancellationToken cancel)
    {
        var discovery = await GetStringAsync(_settings.MetadataAddress.AbsoluteUri, cancel);
        OpenIdConnectConfiguration parsed;
        try
        {
            parsed = new OpenIdConnectConfiguration(discovery);
        }
        catch (ArgumentException ex)
        {
            throw new IdentityProviderUnavailableException("The discovery document is not valid JSON.", ex);
        }

        if (string.IsNullOrEmpty(parsed.Issuer) || string.IsNullOrEmpty(parsed.JwksUri) ||
            (string.IsNullOrEmpty(parsed.AuthorizationEndpoint) && _settings.HostedUiOrigin is null))
        {
            throw new IdentityProviderUnavailableException("The discovery document lacks issuer, jwks_uri or authorization_endpoint.");
        }

        var jwks = await GetStringAsync(parsed.JwksUri, cancel);
        var now = _time.GetUtcNow();
        return new Snapshot(discovery, Build(discovery, jwks), now, now + RefreshAfter);
    }

    private OpenIdConnectConfiguration Build(string discoveryJson, string jwksJson)
    {
        var configuration = new OpenIdConnectConfiguration(discoveryJson);
        JsonWebKeySet keySet;
        try
        {
            keySet = new JsonWebKeySet(jwksJson);
        }
        catch (ArgumentException ex)
        {
            throw new IdentityProviderUnavailableException("The JWKS document is not valid JSON.", ex);
        }

        configuration.JsonWebKeySet = keySet;
        foreach (var key in keySet.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        if (_settings.HostedUiOrigin is { } origin)
        {
            // Cognito's hosted-UI endpoints live on the configured domain (prefix or custom domain).
            var o = origin.GetLeftPart(UriPartial.Authority);
            configuration.AuthorizationEndpoint = o + "/oauth2/authorize";
            configuration.TokenEndpoint = o + "/oauth2/token";
            configuration.UserInfoEndpoint = o + "/oauth2/userInfo";
            configuration.RevocationEndpoint = o + "/oauth2/revoke";
            configuration.EndSessionEndpoint = o + "/logout";
        }

        return configuration;
    }

    private async Task<string> GetStringAsync(string url, CancellationToken cancel)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !UriRules.IsSecureOrLoopback(uri))
        {
            throw new IdentityProviderUnavailableException($"The identity provider published an insecure or invalid URL ({url}); https is required except on loopback.");
        }

        var client = _httpClientFactory.CreateClient(HttpClientName);
        using var response = await client.GetAsync(uri, cancel);
        if (!response.IsSuccessStatusCode)
        {
            throw new IdentityProviderUnavailableException($"GET {uri.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.StatusCode}.");
        }

        return await response.Content.ReadAsStringAsync(cancel);
    }

    /// <summary>The revocation endpoint, if the provider publishes one.</summary>
    public static string? RevocationEndpoint(OpenIdConnectConfiguration configuration) =>
        string.IsNullOrEmpty(configuration.RevocationEndpoint) ? null : configuration.RevocationEndpoint;

    private sealed record Snapshot(string DiscoveryJson, OpenIdConnectConfiguration Configuration, DateTimeOffset FetchedAt, DateTimeOffset RefreshAt);
}
