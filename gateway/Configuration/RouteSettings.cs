using Yarp.ReverseProxy.Configuration;

namespace Gateway.Configuration;

/// <summary>A route's parsed <c>Gateway.*</c> metadata. Parsed once per route endpoint (YARP rebuilds endpoints on reload). A value that does not parse (impossible after validation) falls back to the closed choice.</summary>
internal sealed record RouteSettings(
    UnauthenticatedBehavior Unauthenticated,
    bool AllowCorsPreflight,
    bool Bearer,
    ForwardTokenMode ForwardToken,
    string? IdentityProvider = null,
    string? IdpIdentifier = null,
    bool PreservePost = true,
    bool? Assertion = null,
    string? AssertionAudience = null,
    HeaderProfile HeaderProfile = HeaderProfile.Default,
    bool AccessLog = true,
    string? App = null)
{
    /// <summary>The route sends the caller's access token to the backend (<c>ForwardToken: Access</c> or the ALB profile), so sessions must keep it.</summary>
    public bool NeedsAccessToken => ForwardToken == ForwardTokenMode.Access || HeaderProfile == HeaderProfile.Alb;

    /// <summary>The route sends the session's ID token (<c>ForwardToken: Id</c>), so sessions must keep it.</summary>
    public bool NeedsIdToken => ForwardToken == ForwardTokenMode.Id;

    /// <summary>What a route that says nothing gets: automatic 401/redirect, no preflight bypass, no bearer, no token forwarding.</summary>
    public static RouteSettings Default { get; } = new(UnauthenticatedBehavior.Auto, false, false, ForwardTokenMode.None);

    /// <summary>
    /// The settings of the request's proxy route, attached to its endpoint once when YARP builds it (see
    /// <c>MapGatewayProxy</c>); <see cref="Default"/> for the gateway's own endpoints and unmatched requests.
    /// </summary>
    public static RouteSettings Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<RouteSettings>() ?? Default;

    public static RouteSettings Parse(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return Default;
        }

        return new RouteSettings(
            TryParseEnum<UnauthenticatedBehavior>(Get(metadata, RouteMetadataKeys.Unauthenticated), out var behavior) ? behavior : UnauthenticatedBehavior.Deny,
            TryParseBool(Get(metadata, RouteMetadataKeys.AllowCorsPreflight), out var preflight) && preflight,
            TryParseBool(Get(metadata, RouteMetadataKeys.Bearer), out var bearer) && bearer,
            TryParseEnum<ForwardTokenMode>(Get(metadata, RouteMetadataKeys.ForwardToken), out var forward) ? forward : ForwardTokenMode.None,
            NullIfBlank(Get(metadata, RouteMetadataKeys.IdentityProvider)),
            NullIfBlank(Get(metadata, RouteMetadataKeys.IdpIdentifier)),
            DefaultTrue(Get(metadata, RouteMetadataKeys.PreservePost)),
            Get(metadata, RouteMetadataKeys.Assertion) is { } assertionValue && bool.TryParse(assertionValue.Trim(), out var assertion) ? assertion : null,
            NullIfBlank(Get(metadata, RouteMetadataKeys.AssertionAudience)),
            TryParseEnum<HeaderProfile>(Get(metadata, RouteMetadataKeys.HeaderProfile), out var profile) ? profile : HeaderProfile.Default,
            DefaultTrue(Get(metadata, RouteMetadataKeys.AccessLog)),
            NullIfBlank(Get(metadata, RouteMetadataKeys.App))?.Trim());
    }

    /// <summary>Every problem with a route's <c>Gateway.*</c> metadata, as "key path: what is wrong; how to fix" messages.</summary>
    public static IEnumerable<string> Validate(string routeId, IReadOnlyDictionary<string, string?>? metadata, ProviderDialect dialect, string? authorizationPolicy = null)
    {
        if (metadata is null)
        {
            yield break;
        }

        var key = $"ReverseProxy:Routes:{routeId}:Metadata";
        foreach (var (name, value) in metadata)
        {
            if (!name.StartsWith(RouteMetadataKeys.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var known = RouteMetadataKeys.All.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                yield return $"{key}:{name} is not a key the gateway knows; use one of {string.Join(", ", RouteMetadataKeys.All.Select(k => $"'{k}'"))} (a misspelt key would silently change a route's protection).";
                continue;
            }

            switch (known)
            {
                case RouteMetadataKeys.Unauthenticated when value is not null && !TryParseEnum<UnauthenticatedBehavior>(value, out _):
                    yield return $"{key}:{name} has an unknown value (got '{value}'); use 'Redirect', 'Deny' or 'Allow', or remove it for the automatic choice.";
                    break;
                case RouteMetadataKeys.Unauthenticated when TryParseEnum<UnauthenticatedBehavior>(value, out var allow) && allow == UnauthenticatedBehavior.Allow &&
                                                             IsNamedPolicy(authorizationPolicy):
                    yield return $"{key}:{name} is 'Allow' but the route requires the policy '{authorizationPolicy}': anonymous callers would pass where signed-in users outside the policy get 403. Use 'Deny' or 'Redirect', or drop the policy.";
                    break;
                case RouteMetadataKeys.AllowCorsPreflight when !TryParseBool(value, out _):
                    yield return $"{key}:{name} must be true or false (got '{value}'); true lets CORS preflight OPTIONS requests through without a session.";
                    break;
                case RouteMetadataKeys.Bearer when !TryParseBool(value, out _):
                    yield return $"{key}:{name} must be true or false (got '{value}'); true accepts 'Authorization: Bearer' with a Cognito access token on this route.";
                    break;
                case RouteMetadataKeys.Bearer when dialect != ProviderDialect.Cognito && TryParseBool(value, out var on) && on:
                    yield return $"{key}:{name} is only supported with Gateway:Cognito (the access-token rules are Cognito's: token_use and client_id); remove it or set it to false.";
                    break;
                case RouteMetadataKeys.PreservePost when !TryParseBool(value, out _):
                    yield return $"{key}:{name} must be true or false (got '{value}'); false turns off keeping a browser's form post through the sign-in it triggers.";
                    break;
                case RouteMetadataKeys.Assertion when !TryParseBool(value, out _):
                    yield return $"{key}:{name} must be true or false (got '{value}'); true sends the signed identity assertion (Gateway:Assertion:HeaderName) to this route's backend.";
                    break;
                case RouteMetadataKeys.AssertionAudience when value is not null && (value.Trim().Length == 0 || value.Trim().Length > 200 || value.Any(char.IsControl)):
                    yield return $"{key}:{name} must be a non-empty audience of at most 200 characters without control characters (got '{value}'), e.g. 'https://orders.internal' or 'orders'.";
                    break;
                case RouteMetadataKeys.HeaderProfile when !TryParseEnum<HeaderProfile>(value, out _):
                    yield return $"{key}:{name} has an unknown value (got '{value}'); use 'Default' (X-Forwarded-* identity headers) or 'Alb' (the x-amzn-oidc-* headers of an AWS ALB).";
                    break;
                case RouteMetadataKeys.AccessLog when !TryParseBool(value, out _):
                    yield return $"{key}:{name} must be true or false (got '{value}'); false stops this route's requests from writing access-log lines.";
                    break;
                case RouteMetadataKeys.ForwardToken when !TryParseEnum<ForwardTokenMode>(value, out _):
                    yield return $"{key}:{name} has an unknown value (got '{value}'); use 'None' (default), 'Access' to forward the caller's access token or 'Id' to forward the session's ID token.";
                    break;
                case RouteMetadataKeys.IdentityProvider or RouteMetadataKeys.IdpIdentifier when dialect != ProviderDialect.Cognito && !string.IsNullOrWhiteSpace(value):
                    yield return $"{key}:{name} is only supported with Gateway:Cognito (identity_provider and idp_identifier are Cognito's sign-in hints); remove it.";
                    break;
                case RouteMetadataKeys.IdentityProvider when !string.IsNullOrWhiteSpace(value) && !SignInHintRules.IsProviderName(value.Trim()):
                    yield return $"{key}:{name} is not a Cognito identity provider name (got '{value}'); use the provider's name as shown in the user pool, 1-32 characters without spaces, e.g. 'Google' or 'CorpSAML'.";
                    break;
                case RouteMetadataKeys.IdpIdentifier when !string.IsNullOrWhiteSpace(value) && !SignInHintRules.IsIdpIdentifier(value.Trim()):
                    yield return $"{key}:{name} is not a Cognito IdP identifier (got '{value}'); use one of the provider's identifiers, 1-40 letters, digits or '.', '_', '-', '@', '+', '=', e.g. 'example.com'.";
                    break;
            }
        }

        if (!string.IsNullOrWhiteSpace(Find(metadata, RouteMetadataKeys.IdentityProvider)) && !string.IsNullOrWhiteSpace(Find(metadata, RouteMetadataKeys.IdpIdentifier)))
        {
            yield return $"{key} sets both {RouteMetadataKeys.IdentityProvider} and {RouteMetadataKeys.IdpIdentifier}; Cognito takes one sign-in hint, keep one of them.";
        }
    }

    private static bool DefaultTrue(string? value) => value is null || !bool.TryParse(value.Trim(), out var on) || on;

    private static string? Find(IReadOnlyDictionary<string, string?> metadata, string key) =>
        metadata.FirstOrDefault(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsNamedPolicy(string? policy) =>
        !string.IsNullOrWhiteSpace(policy) &&
        !string.Equals(policy, GatewayPolicies.Default, StringComparison.OrdinalIgnoreCase) &&
        !string.Equals(policy, GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase);

    /// <summary>Case-insensitive lookup, whatever comparer the dictionary was built with.</summary>
    private static string? Get(IReadOnlyDictionary<string, string> metadata, string key)
    {
        if (metadata.TryGetValue(key, out var value))
        {
            return value;
        }

        foreach (var (name, v) in metadata)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }

    private static bool TryParseBool(string? value, out bool result)
    {
        result = false;
        return string.IsNullOrWhiteSpace(value) || bool.TryParse(value.Trim(), out result);
    }

    private static bool TryParseEnum<T>(string? value, out T result)
        where T : struct, Enum
    {
        result = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        return !int.TryParse(value, out _) && Enum.TryParse(value.Trim(), ignoreCase: true, out result) && Enum.IsDefined(result);
    }
}
