using Gateway.Observability;

namespace Gateway.IdentityProvider;

internal static partial class IdentityProviderLog
{
    [LoggerMessage(LogEventIds.DiscoveryLoaded, LogLevel.Information, "Loaded identity provider metadata from {MetadataAddress} ({KeyCount} signing keys).")]
    public static partial void DiscoveryLoaded(this ILogger logger, Uri metadataAddress, int keyCount);

    [LoggerMessage(LogEventIds.DiscoveryFailed, LogLevel.Error, "Could not load identity provider metadata from {MetadataAddress} ({Cause}); {Fallback}.")]
    public static partial void DiscoveryFailed(this ILogger logger, Uri metadataAddress, string cause, string fallback);

    [LoggerMessage(LogEventIds.SigningKeysRefreshed, LogLevel.Information, "Signing key '{KeyId}' was unknown; refreshed the JWKS ({KeyCount} keys, key found: {Found}).")]
    public static partial void SigningKeysRefreshed(this ILogger logger, string keyId, int keyCount, bool found);

    [LoggerMessage(LogEventIds.SigningKeysRefreshFailed, LogLevel.Warning, "Signing key '{KeyId}' was unknown and the JWKS could not be refreshed ({Cause}).")]
    public static partial void SigningKeysRefreshFailed(this ILogger logger, string keyId, string cause);

    [LoggerMessage(LogEventIds.TokenEndpointFailed, LogLevel.Error, "The {Endpoint} endpoint failed: {Detail}")]
    public static partial void TokenEndpointFailed(this ILogger logger, string endpoint, string detail);
}
