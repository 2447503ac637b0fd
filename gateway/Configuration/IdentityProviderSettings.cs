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
    public const string DefaultScopes = "openid email profile";

    /// <summary>See <see cref="GatewayOptions.AllowUnverifiedEmail"/>.</summary>
    public bool AllowUnverifiedEmail { get; init; }

    /// <summary>True when the user's email is marked verified (a JSON boolean, or Cognito userInfo's string "true").</summary>
    public static bool EmailVerified(System.Security.Claims.ClaimsPrincipal user) =>
        user.FindAll("email_verified").Any(c => string.Equals(c.Value, "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Builds the settings from already validated options.</summary>
    public static IdentityProviderSettings From(GatewayOptions options) =>
        FromProviderSection(options) with { AllowUnverifiedEmail = options.AllowUnverifiedEmail };

    public Uri MetadataAddress => new(Authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");

    public bool AuthorityIsLoopbackHttp => Authority.Scheme == Uri.UriSchemeHttp && UriRules.IsLoopbackHost(Authority.Host);

    private static IdentityProviderSettings FromProviderSection(GatewayOptions options)
    {
        if (options.Cognito is { } c)
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

        var o = options.Oidc!;
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
