using System.Security.Cryptography;
using System.Text;

namespace Gateway.Demo.Emulator;

/// <summary>Looks users up by username or email and checks passwords.</summary>
internal sealed class UserDirectory(CognitoEmulatorOptions options)
{
    /// <summary>Finds a user by username or email (both case-insensitive, as in a pool with case-insensitive sign-in and an email alias).</summary>
    public EmulatorUser? FindBySignInName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        name = name.Trim();
        return FindByUsername(name)
            ?? options.Users.FirstOrDefault(u => !string.IsNullOrEmpty(u.Email) && string.Equals(u.Email, name, StringComparison.OrdinalIgnoreCase));
    }

    public EmulatorUser? FindByUsername(string? username) =>
        string.IsNullOrEmpty(username)
            ? null
            : options.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));

    /// <summary>Returns the enabled user whose credentials match, or null (unknown user, wrong password and disabled user look the same).</summary>
    public EmulatorUser? Authenticate(string? signInName, string? password)
    {
        var user = FindBySignInName(signInName);
        if (user is null || !user.Enabled || password is null || user.IdentityProvider is not null)
        {
            return null;
        }

        var expected = Encoding.UTF8.GetBytes(user.Password);
        var given = Encoding.UTF8.GetBytes(password);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? user : null;
    }

    /// <summary>The enabled users who sign in through <paramref name="provider"/>.</summary>
    public IReadOnlyList<EmulatorUser> UsersOf(EmulatorIdentityProvider provider) =>
        options.Users.Where(u => u.Enabled && string.Equals(u.IdentityProvider, provider.ProviderName, StringComparison.Ordinal)).ToList();

    /// <summary>The identity provider <c>identity_provider=NAME</c> names (exact match, as Cognito), or null.</summary>
    public EmulatorIdentityProvider? FindProvider(string? name) =>
        string.IsNullOrEmpty(name)
            ? null
            : options.IdentityProviders.FirstOrDefault(p => string.Equals(p.ProviderName, name, StringComparison.Ordinal));

    /// <summary>The identity provider whose identifiers contain <c>idp_identifier=ID</c> (case-insensitive), or null.</summary>
    public EmulatorIdentityProvider? FindProviderByIdentifier(string? identifier) =>
        string.IsNullOrEmpty(identifier)
            ? null
            : options.IdentityProviders.FirstOrDefault(p => p.IdpIdentifiers.Contains(identifier, StringComparer.OrdinalIgnoreCase));

    /// <summary>What the tokens say about <paramref name="user"/> (federated users with their upstream identity).</summary>
    public CognitoPrincipal PrincipalOf(EmulatorUser user)
    {
        var provider = FindProvider(user.IdentityProvider);
        var identity = provider is null
            ? null
            : new FederatedIdentity(provider.ProviderName, provider.ProviderType, user.ProviderUserId ?? "", provider.Issuer, LinkedAt);
        return new CognitoPrincipal(SubjectOf(user), user.Username, user.Email, user.EmailVerified ?? identity is null, user.Groups, identity)
        {
            CustomAttributes = TokenFactory.CustomAttributes(user).ToList(),
        };
    }

    // When the stand-in "first linked" every federated identity (dateCreated in the identities claim): fixed, so tokens are stable.
    private static readonly DateTimeOffset LinkedAt = new(2024, 1, 15, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The user's <c>sub</c>: a GUID derived from the pool id and the username, stable across restarts.</summary>
    public string SubjectOf(EmulatorUser user)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{options.UserPoolId}|{user.Username.ToLowerInvariant()}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x40); // version 4 layout, like Cognito's subs
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
