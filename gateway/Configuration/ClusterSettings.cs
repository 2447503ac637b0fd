namespace Gateway.Configuration;

/// <summary>Keys the gateway reads from a YARP cluster's Metadata (same <c>Gateway.</c> prefix and rules as route metadata).</summary>
public static class ClusterMetadataKeys
{
    /// <summary>
    /// true: requests to this cluster's backends carry the Host the client asked for; false: the destination's own host
    /// (YARP's default). Overrides <c>Gateway:KeepOriginalHost</c> for the cluster.
    /// </summary>
    public const string KeepOriginalHost = "Gateway.KeepOriginalHost";

    public static readonly IReadOnlyList<string> All = [KeepOriginalHost];
}

/// <summary>A cluster's <c>Gateway.*</c> metadata, checked at start-up and on each reload.</summary>
internal static class ClusterSettings
{
    public static IEnumerable<string> Validate(string clusterId, IEnumerable<KeyValuePair<string, string?>>? metadata)
    {
        foreach (var (key, value) in metadata ?? [])
        {
            var path = $"ReverseProxy:Clusters:{clusterId}:Metadata:{key}";
            if (string.Equals(key, ClusterMetadataKeys.KeepOriginalHost, StringComparison.OrdinalIgnoreCase))
            {
                if (!bool.TryParse(value?.Trim(), out _))
                {
                    yield return $"{path} must be 'true' (send the Host the client asked for) or 'false' (the destination's host) (got '{value}').";
                }
            }
            else if (key.StartsWith(RouteMetadataKeys.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                var suggestion = ConfigurationKeyCheck.Suggest(key, ClusterMetadataKeys.All);
                yield return $"{path} is not a gateway cluster setting; " +
                             (suggestion is not null ? $"did you mean '{suggestion}'?" : $"the known one is '{ClusterMetadataKeys.KeepOriginalHost}'.");
            }
        }
    }

    /// <summary>The cluster's choice, or null when it has none (then <c>Gateway:KeepOriginalHost</c> decides).</summary>
    public static bool? KeepOriginalHost(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return null;
        }

        foreach (var (key, value) in metadata)
        {
            if (string.Equals(key, ClusterMetadataKeys.KeepOriginalHost, StringComparison.OrdinalIgnoreCase) && bool.TryParse(value?.Trim(), out var keep))
            {
                return keep;
            }
        }

        return null;
    }
}
