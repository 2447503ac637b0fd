namespace Gateway.Configuration;

/// <summary>Which protocol dialect the identity provider speaks. Decided by the configured section, never guessed.</summary>
public enum ProviderDialect
{
    /// <summary>Amazon Cognito user pool: /logout with client_id + logout_uri, cognito:* claims.</summary>
    Cognito,

    /// <summary>Any standard OpenID Connect provider: RP-initiated logout via end_session_endpoint.</summary>
    Oidc,
}

/// <summary>The identity provider settings resolved from "Gateway:Cognito" or "Gateway:Oidc" (derived values filled in).</summary>
internal sealed record IdentityProviderSettings(
    ProviderDialect Dialect,
    Uri Authority,
    string ClientId,
    string? ClientSecret,
    IReadOnlyList<string> Scopes,
    Uri? HostedUiOrigin,
    string? SignOutUri,
    string GroupsClaim,
    string UsernameClaim)
{
    /// <summary>The claim naming the federated provider a user signed in through (see <c>FederatedIdentity</c>).</summary>
    public const string ProviderClaim = "identity_provider";

    public const string DefaultScopes = "openid email profile";

    /// <summary>See <see cref="GatewayOptions.AllowUnverifiedEmail"/>.</summary>
    public bool AllowUnverifiedEmail { get; init; }

    /// <summary>
    /// Cognito: the user pool id, from <c>UserPoolId</c> or else the last path segment of <c>Authority</c> when it looks like
    /// one (<c>…/eu-west-1_AbC123xyz</c>); names the automatic <c>{UserPoolId}_{ProviderName}</c> groups. Null when unknown.
    /// </summary>
    public string? UserPoolId { get; init; }

    /// <summary>See <see cref="CognitoOptions.KeepProviderGroups"/>.</summary>
    public bool KeepProviderGroups { get; init; }

    /// <summary>See <see cref="CognitoOptions.TrustedEmailProviders"/> (names compared exactly).</summary>
    public IReadOnlySet<string> TrustedEmailProviders { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>True when the user's email is marked verified (a JSON boolean, or Cognito userInfo's string "true").</summary>
    public static bool EmailVerified(System.Security.Claims.ClaimsPrincipal user) =>
        user.FindAll("email_verified").Any(c => string.Equals(c.Value, "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// True when the user's <c>email</c> may be forwarded and matched by <c>EmailDomains</c> policies: it is verified, or
    /// unverified addresses are allowed, or the user signed in through a provider listed in TrustedEmailProviders.
    /// </summary>
    public bool EmailTrusted(System.Security.Claims.ClaimsPrincipal user) =>
        AllowUnverifiedEmail || EmailVerified(user) ||
        (TrustedEmailProviders.Count > 0 && user.FindFirst(ProviderClaim)?.Value is { } name && TrustedEmailProviders.Contains(name));

    /// <summary>
    /// Builds the settings from already validated options: the top-level provider section, or without one (only
    /// <c>Gateway:Apps</c> configured) the first app's by name (see <c>GatewayApps.Primary</c>).
    /// </summary>
    public static IdentityProviderSettings From(GatewayOptions options)
    {
        if (options.Cognito is null && options.Oidc is null && options.Apps.Count > 0)
        {
            return ForApp(options, options.Apps.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase).First().Value);
        }

        return From(options, options.Cognito, options.Oidc);
    }

    /// <summary>The settings of one <c>Gateway:Apps</c> entry: its provider section, its SignOutUri when it has one.</summary>
    public static IdentityProviderSettings ForApp(GatewayOptions options, AppOptions app)
    {
        var settings = From(options, app.Cognito, app.Oidc);
        return string.IsNullOrWhiteSpace(app.SignOutUri) ? settings : settings with { SignOutUri = app.SignOutUri.Trim() };
    }

    private static IdentityProviderSettings From(GatewayOptions options, CognitoOptions? cognito, OidcOptions? oidc)
    {
        var settings = FromProviderSection(cognito, oidc) with { AllowUnverifiedEmail = options.AllowUnverifiedEmail };
        if (cognito is not { } c)
        {
            return settings;
        }

        return settings with
        {
            UserPoolId = string.IsNullOrWhiteSpace(c.UserPoolId) ? PoolIdFromAuthority(settings.Authority) : c.UserPoolId.Trim(),
            KeepProviderGroups = c.KeepProviderGroups,
            TrustedEmailProviders = c.TrustedEmailProviders.Select(n => n.Trim()).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123" → "eu-west-1_AbC123"; null when the path does not end in a pool id.</summary>
    public static string? PoolIdFromAuthority(Uri authority)
    {
        var last = authority.AbsolutePath.TrimEnd('/').Split('/')[^1];
        return System.Text.RegularExpressions.Regex.IsMatch(last, @"^[a-z]{2}(-[a-z]+)+-\d+_[A-Za-z0-9]+\z") ? last : null;
    }

    public Uri MetadataAddress => new(Authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");

    public bool AuthorityIsLoopbackHttp => Authority.Scheme == Uri.UriSchemeHttp && UriRules.IsLoopbackHost(Authority.Host);

    private static IdentityProviderSettings FromProviderSection(CognitoOptions? cognito, OidcOptions? oidc)
    {
        if (cognito is { } c)
        {
            var region = string.IsNullOrWhiteSpace(c.Region) ? RegionFromPoolId(c.UserPoolId) : c.Region.Trim();
            var authority = string.IsNullOrWhiteSpace(c.Authority)
                ? new Uri($"https://cognito-idp.{region}.amazonaws.com/{c.UserPoolId!.Trim()}")
                : new Uri(c.Authority.Trim());
            return new IdentityProviderSettings(
                ProviderDialect.Cognito,
                authority,
                c.ClientId!.Trim(),
                string.IsNullOrEmpty(c.ClientSecret) ? null : c.ClientSecret,
                SplitScopes(c.Scopes),
                HostedUiOriginFromDomain(c.Domain, region),
                string.IsNullOrWhiteSpace(c.SignOutUri) ? null : c.SignOutUri.Trim(),
                GroupsClaim: "cognito:groups",
                UsernameClaim: "cognito:username");
        }

        var o = oidc!;
        return new IdentityProviderSettings(
            ProviderDialect.Oidc,
            new Uri(o.Authority!.Trim()),
            o.ClientId!.Trim(),
            string.IsNullOrEmpty(o.ClientSecret) ? null : o.ClientSecret,
            SplitScopes(o.Scopes),
            HostedUiOrigin: null,
            string.IsNullOrWhiteSpace(o.SignOutUri) ? null : o.SignOutUri.Trim(),
            GroupsClaim: string.IsNullOrWhiteSpace(o.GroupsClaim) ? "groups" : o.GroupsClaim.Trim(),
            UsernameClaim: "preferred_username");
    }

    public static IReadOnlyList<string> SplitScopes(string? scopes) =>
        (string.IsNullOrWhiteSpace(scopes) ? DefaultScopes : scopes)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    /// <summary>"eu-west-1_AbC123" → "eu-west-1"; null when the id has no region prefix.</summary>
    public static string? RegionFromPoolId(string? userPoolId)
    {
        if (string.IsNullOrWhiteSpace(userPoolId))
        {
            return null;
        }

        var underscore = userPoolId.IndexOf('_', StringComparison.Ordinal);
        return underscore > 0 ? userPoolId[..underscore].Trim() : null;
    }

    /// <summary>A domain prefix becomes https://PREFIX.auth.REGION.amazoncognito.com; a full URL keeps its origin.</summary>
    public static Uri? HostedUiOriginFromDomain(string? domain, string? region)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return null;
        }

        domain = domain.Trim();
        if (Uri.TryCreate(domain, UriKind.Absolute, out var url))
        {
            return new Uri(url.GetLeftPart(UriPartial.Authority));
        }

        return region is null ? null : new Uri($"https://{domain}.auth.{region}.amazoncognito.com");
    }
}
