using System.Text.Json;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Users who sign in to the fake pool through a federated provider, shaped as Cognito mints them: username
/// <c>{Provider}_{id}</c>, the automatic group <c>{UserPoolId}_{Provider}</c>, an <c>identities</c> claim and
/// <c>email_verified: false</c> (the attribute mapping rarely maps it).
/// </summary>
public static class FederatedUsers
{
    public const string GoogleUserId = "110169484474386276334";

    /// <summary>Cognito's automatic group for users of <paramref name="providerName"/> in the fake pool.</summary>
    public static string AutomaticGroup(string providerName) => FakeCognito.PoolId + "_" + providerName;

    public static TestUser Google { get; } = new(
        "7d2b4c1a-0000-4000-8000-00000000600e", "gina@gmail.example", "Google_" + GoogleUserId, ["staff", AutomaticGroup("Google")]);

    public static TestUser CorpSaml { get; } = new(
        "7d2b4c1a-0000-4000-8000-00000000c0a7", "jdoe@corp.example", "CorpSAML_jdoe", ["staff", AutomaticGroup("CorpSAML")]);

    /// <summary>The <c>identities</c> claim of a user with one linked identity, as Cognito writes it ("primary" is the string "true").</summary>
    public static object[] Identities(string providerName, string providerType, string userId) =>
    [
        new Dictionary<string, object?>
        {
            ["userId"] = userId,
            ["providerName"] = providerName,
            ["providerType"] = providerType,
            ["issuer"] = null,
            ["primary"] = "true",
            ["dateCreated"] = "1700000000000",
        },
    ];

    /// <summary>
    /// The fake pool signs in <paramref name="user"/> as a federated user of <paramref name="providerName"/>.
    /// <paramref name="identitiesAsString"/> sends the array as one JSON string instead of a JSON array;
    /// <paramref name="customize"/> may change any other claim of the ID token.
    /// </summary>
    public static void SignInFederated(
        this FakeCognito cognito, TestUser user, string providerName, string providerType = "SAML",
        bool identitiesAsString = false, Action<Dictionary<string, object?>>? customize = null)
    {
        cognito.User = user;
        cognito.CustomizeIdToken = (request, _) => AddFederatedClaims(request.Claims, user, providerName, providerType, identitiesAsString, customize);
    }

    /// <summary>Adds what Cognito adds for a federated user to ID-token claims.</summary>
    public static void AddFederatedClaims(
        Dictionary<string, object?> claims, TestUser user, string providerName, string providerType = "SAML",
        bool identitiesAsString = false, Action<Dictionary<string, object?>>? customize = null)
    {
        var identities = Identities(providerName, providerType, user.Username[(providerName.Length + 1)..]);
        claims["identities"] = identitiesAsString ? JsonSerializer.Serialize(identities) : identities;
        claims["email_verified"] = false;
        customize?.Invoke(claims);
    }
}
