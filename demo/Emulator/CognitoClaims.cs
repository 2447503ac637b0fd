using System.Globalization;
using System.Text.Json;

namespace Gateway.Demo.Emulator;

/// <summary>
/// The upstream identity of a federated user (Google, a SAML or OIDC IdP behind the pool), as Cognito links it.
/// </summary>
/// <param name="ProviderName">The pool's name for the IdP, e.g. <c>Google</c>, <c>CorpSAML</c>.</param>
/// <param name="ProviderType"><c>Google</c>, <c>SAML</c>, <c>OIDC</c>, <c>Facebook</c>, <c>LoginWithAmazon</c> or <c>SignInWithApple</c>.</param>
/// <param name="UserId">The user's id at the IdP (Google's numeric sub, the SAML NameID).</param>
/// <param name="Issuer">The IdP's issuer/entity id; null for social providers, as Cognito writes it.</param>
/// <param name="DateCreated">When Cognito first linked the identity.</param>
public sealed record FederatedIdentity(string ProviderName, string ProviderType, string UserId, string? Issuer, DateTimeOffset DateCreated)
{
    /// <summary>Cognito's <c>cognito:username</c> for such a user: <c>{ProviderName}_{UserId}</c>.</summary>
    public string Username => $"{ProviderName}_{UserId}";
}

/// <summary>Who a token is about: the claims both stand-ins derive the ID and access token from.</summary>
/// <param name="Sub">The user's <c>sub</c> (a GUID).</param>
/// <param name="Username"><c>cognito:username</c> (<c>{ProviderName}_{id}</c> for a federated user).</param>
/// <param name="Email">The email attribute, if any.</param>
/// <param name="EmailVerified"><c>email_verified</c>; often false for federated users.</param>
/// <param name="Groups">The groups the user was put in (without the automatic provider group: that is added here).</param>
/// <param name="Identity">The upstream identity of a federated user; null for a user of the pool itself.</param>
public sealed record CognitoPrincipal(
    string Sub, string Username, string? Email, bool EmailVerified, IReadOnlyList<string> Groups, FederatedIdentity? Identity)
{
    /// <summary><c>custom:*</c> attributes, copied into the ID token.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CustomAttributes { get; init; } = [];
}

/// <summary>The grant-level facts of one token: issuer, pool, client, times and the refresh family id.</summary>
public sealed record CognitoTokenContext(
    string Issuer, string UserPoolId, string ClientId, DateTimeOffset Now, DateTimeOffset AuthTime, string OriginJti);

/// <summary>
/// The claim sets of Cognito's ID and access tokens, in one place for both stand-ins. Federated users get Cognito's
/// shapes: <c>identities</c> (a JSON array of <c>userId</c>, <c>providerName</c>, <c>providerType</c>, <c>issuer</c>,
/// <c>primary</c> "true", <c>dateCreated</c> in epoch milliseconds as a string), the automatic group
/// <c>{UserPoolId}_{ProviderName}</c> in <c>cognito:groups</c>. ID tokens carry <c>acr</c>/<c>amr</c>: the stand-ins
/// write <c>acr</c> <c>urn:cognito:loa:1</c> (one factor) and <c>amr</c> <c>["pwd"]</c> for a password sign-in or
/// <c>["federated"]</c> for a sign-in through an IdP (Cognito rolls these claims out gradually; its exact values for
/// federated sign-ins are not documented, so treat these as plausible placeholders).
/// </summary>
public static class CognitoClaims
{
    /// <summary>The acr value the stand-ins write (a single-factor sign-in).</summary>
    public const string SingleFactorAcr = "urn:cognito:loa:1";

    /// <summary>The user's groups as Cognito lists them: the assigned ones, then the automatic provider group.</summary>
    public static IReadOnlyList<string> Groups(CognitoPrincipal principal, string userPoolId)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var groups = principal.Groups.Where(g => !string.IsNullOrEmpty(g)).ToList();
        if (principal.Identity is { } identity)
        {
            var automatic = AutomaticGroup(userPoolId, identity.ProviderName);
            if (!groups.Contains(automatic, StringComparer.Ordinal))
            {
                groups.Add(automatic);
            }
        }

        return groups;
    }

    /// <summary>The group Cognito puts every user of a provider in: <c>{UserPoolId}_{ProviderName}</c>.</summary>
    public static string AutomaticGroup(string userPoolId, string providerName) => $"{userPoolId}_{providerName}";

    /// <summary>The <c>identities</c> claim value of a federated user (a JSON array with one primary identity).</summary>
    public static JsonElement Identities(FederatedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return JsonSerializer.SerializeToElement(new[]
        {
            new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["userId"] = identity.UserId,
                ["providerName"] = identity.ProviderName,
                ["providerType"] = identity.ProviderType,
                ["issuer"] = identity.Issuer,
                ["primary"] = "true",
                ["dateCreated"] = identity.DateCreated.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            },
        });
    }

    /// <summary>
    /// An ID token's claims (<c>aud</c> = client id, <c>token_use</c> id). <paramref name="nonce"/> only on the code grant;
    /// <paramref name="atHash"/> when the access token is known.
    /// </summary>
    public static Dictionary<string, object> IdToken(
        CognitoTokenContext context, CognitoPrincipal principal, TimeSpan lifetime, string? nonce, string? atHash)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(principal);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (atHash is not null)
        {
            claims["at_hash"] = atHash;
        }

        claims["sub"] = principal.Sub;
        var groups = Groups(principal, context.UserPoolId);
        if (groups.Count > 0)
        {
            claims["cognito:groups"] = groups.ToArray();
        }

        claims["email_verified"] = principal.EmailVerified;
        claims["iss"] = context.Issuer;
        claims["cognito:username"] = principal.Username;
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        claims["origin_jti"] = context.OriginJti;
        claims["aud"] = context.ClientId;
        if (principal.Identity is { } identity)
        {
            claims["identities"] = Identities(identity);
        }

        claims["event_id"] = Guid.NewGuid().ToString();
        claims["token_use"] = "id";
        claims["auth_time"] = context.AuthTime.ToUnixTimeSeconds();
        claims["acr"] = SingleFactorAcr;
        claims["amr"] = principal.Identity is null ? new[] { "pwd" } : new[] { "federated" };
        claims["exp"] = (context.Now + lifetime).ToUnixTimeSeconds();
        claims["iat"] = context.Now.ToUnixTimeSeconds();
        claims["jti"] = Guid.NewGuid().ToString();
        if (!string.IsNullOrEmpty(principal.Email))
        {
            claims["email"] = principal.Email;
        }

        foreach (var (name, value) in principal.CustomAttributes)
        {
            claims[name] = value;
        }

        return claims;
    }

    /// <summary>An access token's claims: no <c>aud</c> (<c>client_id</c> instead), <c>token_use</c> access, <c>scope</c>, <c>username</c>.</summary>
    public static Dictionary<string, object> AccessToken(CognitoTokenContext context, CognitoPrincipal principal, TimeSpan lifetime, string scope)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(principal);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = principal.Sub };
        var groups = Groups(principal, context.UserPoolId);
        if (groups.Count > 0)
        {
            claims["cognito:groups"] = groups.ToArray();
        }

        claims["iss"] = context.Issuer;
        claims["version"] = 2;
        claims["client_id"] = context.ClientId;
        claims["origin_jti"] = context.OriginJti;
        claims["event_id"] = Guid.NewGuid().ToString();
        claims["token_use"] = "access";
        claims["scope"] = scope;
        claims["auth_time"] = context.AuthTime.ToUnixTimeSeconds();
        claims["exp"] = (context.Now + lifetime).ToUnixTimeSeconds();
        claims["iat"] = context.Now.ToUnixTimeSeconds();
        claims["jti"] = Guid.NewGuid().ToString();
        claims["username"] = principal.Username;
        return claims;
    }
}
