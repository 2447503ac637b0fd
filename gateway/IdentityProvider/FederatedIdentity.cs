using System.Security.Claims;
using System.Text.Json;
using Gateway.Configuration;

namespace Gateway.IdentityProvider;

/// <summary>
/// Cognito users who signed in through a federated provider (Google, a SAML or OIDC IdP): their ID token carries an
/// <c>identities</c> claim (a JSON array of <c>{providerName, providerType, userId, primary, …}</c>) and Cognito puts them
/// in an automatic group <c>{UserPoolId}_{ProviderName}</c>. The session keeps the primary identity's provider name as
/// the one small claim <see cref="ProviderClaim"/> (headers, forward-auth and userinfo read it), drops the bulky
/// <c>identities</c> claim, and leaves the automatic groups out unless <c>Gateway:Cognito:KeepProviderGroups</c>.
/// </summary>
internal static class FederatedIdentity
{
    /// <summary>The derived claim: the <c>providerName</c> of the primary identity. Absent for users of the pool itself.</summary>
    public const string ProviderClaim = IdentityProviderSettings.ProviderClaim;

    public const string IdentitiesClaim = "identities";

    /// <summary>
    /// The claims of an ID-token principal as the session keeps them (Cognito dialect only; other providers' claims pass
    /// unchanged). <c>identities</c> may arrive as one claim per array element (a JSON object each, as the JWT handler
    /// splits arrays) or as one claim holding the whole array as a JSON string; both are read.
    /// </summary>
    public static IEnumerable<Claim> ShapeIdTokenClaims(IEnumerable<Claim> claims, IdentityProviderSettings provider)
    {
        if (provider.Dialect != ProviderDialect.Cognito)
        {
            return claims;
        }

        var all = claims as IReadOnlyCollection<Claim> ?? claims.ToList();
        var identities = ReadIdentities(all.Where(c => c.Type == IdentitiesClaim).Select(c => c.Value));
        var primary = identities.FirstOrDefault(i => i.Primary) ?? identities.FirstOrDefault();
        var providerGroups = ProviderGroups(provider, identities.Select(i => i.ProviderName));

        var shaped = new List<Claim>(all.Count + 1);
        foreach (var claim in all)
        {
            // A claim of that name in the token itself (a pre-token-generation Lambda) must not pose as the derived one.
            if (claim.Type is IdentitiesClaim or ProviderClaim ||
                (claim.Type == provider.GroupsClaim && providerGroups.Contains(claim.Value)))
            {
                continue;
            }

            shaped.Add(claim);
        }

        if (primary is not null)
        {
            shaped.Add(new Claim(ProviderClaim, primary.ProviderName));
        }

        return shaped;
    }

    /// <summary>
    /// The same shape for a Cognito access token, which has no <c>identities</c> claim: a federated user is recognised by
    /// an automatic group <c>{UserPoolId}_{P}</c> together with a username <c>{P}_…</c> (Cognito names federated users so).
    /// </summary>
    public static void ShapeAccessTokenIdentity(ClaimsIdentity identity, IdentityProviderSettings provider)
    {
        foreach (var forged in identity.FindAll(ProviderClaim).ToList())
        {
            identity.RemoveClaim(forged);
        }

        var username = identity.FindFirst(provider.UsernameClaim)?.Value;
        var prefix = provider.UserPoolId + "_";
        if (provider.UserPoolId is null || string.IsNullOrEmpty(username))
        {
            return;
        }

        string? providerName = null;
        foreach (var group in identity.FindAll(provider.GroupsClaim).ToList())
        {
            if (group.Value.Length > prefix.Length && group.Value.StartsWith(prefix, StringComparison.Ordinal))
            {
                var name = group.Value[prefix.Length..];
                if (username.StartsWith(name + "_", StringComparison.Ordinal))
                {
                    providerName ??= name;
                    if (!provider.KeepProviderGroups)
                    {
                        identity.RemoveClaim(group);
                    }
                }
            }
        }

        if (providerName is not null)
        {
            identity.AddClaim(new Claim(ProviderClaim, providerName));
        }
    }

    /// <summary>The automatic group names to leave out: exactly <c>{UserPoolId}_{ProviderName}</c> for the user's own providers.</summary>
    private static HashSet<string> ProviderGroups(IdentityProviderSettings provider, IEnumerable<string> providerNames) =>
        provider.KeepProviderGroups || provider.UserPoolId is null
            ? []
            : providerNames.Select(name => provider.UserPoolId + "_" + name).ToHashSet(StringComparer.Ordinal);

    private static List<LinkedIdentity> ReadIdentities(IEnumerable<string> values)
    {
        var identities = new List<LinkedIdentity>();
        foreach (var value in values)
        {
            try
            {
                using var document = JsonDocument.Parse(value);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Array)
                {
                    foreach (var element in root.EnumerateArray())
                    {
                        Add(element, identities);
                    }
                }
                else
                {
                    Add(root, identities);
                }
            }
            catch (JsonException)
            {
                // Not JSON: not an identities entry Cognito wrote; ignore it rather than fail the sign-in.
            }
        }

        return identities;
    }

    private static void Add(JsonElement element, List<LinkedIdentity> identities)
    {
        if (element.ValueKind != JsonValueKind.Object ||
            !element.TryGetProperty("providerName", out var name) || name.ValueKind != JsonValueKind.String ||
            string.IsNullOrWhiteSpace(name.GetString()))
        {
            return;
        }

        // Cognito writes "primary": "true" (a string); accept a JSON boolean too.
        var primary = element.TryGetProperty("primary", out var p) &&
                      (p.ValueKind == JsonValueKind.True || (p.ValueKind == JsonValueKind.String && string.Equals(p.GetString(), "true", StringComparison.OrdinalIgnoreCase)));
        identities.Add(new LinkedIdentity(name.GetString()!, primary));
    }

    private sealed record LinkedIdentity(string ProviderName, bool Primary);
}
