using System.Security.Claims;
using Gateway.Authorization;
using Gateway.Configuration;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests;

/// <summary>Policy combinations as a table: the policy as configuration keys, the user's claims, the expected decision.</summary>
public sealed class PolicyTests
{
    private const string Bearer = "#bearer";
    private const string Anonymous = "#anonymous";

    private static readonly IdentityProviderSettings Cognito = new(
        ProviderDialect.Cognito, new Uri("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz"), "client", null,
        ["openid"], null, null, GroupsClaim: "cognito:groups", UsernameClaim: "cognito:username");

    public static TheoryData<string, string[], string[], bool> Cases => new()
    {
        // Groups: any-of.
        { "groups any-of, one matches", ["Groups:0=admins", "Groups:1=ops"], ["cognito:groups=ops"], true },
        { "groups any-of, none matches", ["Groups:0=admins", "Groups:1=ops"], ["cognito:groups=staff"], false },
        { "groups any-of, no groups claim", ["Groups:0=admins"], ["sub=u1"], false },
        { "groups are case-sensitive", ["Groups:0=admins"], ["cognito:groups=Admins"], false },
        { "groups as comma-separated string", ["Groups=admins, ops"], ["cognito:groups=ops"], true },

        // AllGroups: all-of.
        { "all groups, all present", ["AllGroups:0=admins", "AllGroups:1=staff"], ["cognito:groups=admins", "cognito:groups=staff", "cognito:groups=x"], true },
        { "all groups, one missing", ["AllGroups:0=admins", "AllGroups:1=staff"], ["cognito:groups=admins"], false },
        { "any-of and all-of both hold", ["Groups:0=ops", "Groups:1=admins", "AllGroups:0=staff"], ["cognito:groups=admins", "cognito:groups=staff"], true },
        { "all-of holds, any-of does not", ["Groups:0=ops", "AllGroups:0=staff"], ["cognito:groups=staff"], false },

        // Required claim values, custom:* included.
        { "custom claim value accepted", ["Claims:custom:department:0=Engineering"], ["custom:department=Engineering"], true },
        { "custom claim value not accepted", ["Claims:custom:department:0=Engineering"], ["custom:department=Sales"], false },
        { "custom claim missing", ["Claims:custom:department:0=Engineering"], ["sub=u1"], false },
        { "claim with several accepted values", ["Claims:custom:tier:0=gold", "Claims:custom:tier:1=silver"], ["custom:tier=silver"], true },
        { "claim given as a single string", ["Claims:custom:tier=gold"], ["custom:tier=gold"], true },
        { "two claim types, both hold", ["Claims:custom:tier:0=gold", "Claims:custom:region:0=eu"], ["custom:tier=gold", "custom:region=eu"], true },
        { "two claim types, one fails", ["Claims:custom:tier:0=gold", "Claims:custom:region:0=eu"], ["custom:tier=gold", "custom:region=us"], false },
        { "boolean claim from a JSON config 'True'", ["Claims:custom:beta:0=True"], ["custom:beta=true"], true },

        // Email domains.
        { "email domain matches", ["EmailDomains:0=example.com"], ["email=alice@example.com", "email_verified=true"], true },
        { "email domain matches, email not verified", ["EmailDomains:0=example.com"], ["email=alice@example.com", "email_verified=false"], false },
        { "email domain matches, no email_verified claim", ["EmailDomains:0=example.com"], ["email=alice@example.com"], false },
        { "email domain differs in case", ["EmailDomains:0=example.com"], ["email=alice@EXAMPLE.COM", "email_verified=true"], true },
        { "email subdomain is another domain", ["EmailDomains:0=example.com"], ["email=alice@mail.example.com"], false },
        { "email look-alike domain", ["EmailDomains:0=example.com"], ["email=alice@evil-example.com"], false },
        { "email with two @ uses the last", ["EmailDomains:0=example.com"], ["email=alice@example.com@evil.test"], false },
        { "email domain, one of several", ["EmailDomains:0=example.com", "EmailDomains:1=example.org"], ["email=bob@example.org", "email_verified=true"], true },
        { "email domain, no email", ["EmailDomains:0=example.com"], ["sub=u1"], false },

        // Verified email: JSON true (→ "true") and Cognito userInfo's string "true".
        { "verified email true", ["RequireVerifiedEmail=true"], ["email_verified=true"], true },
        { "verified email string True", ["RequireVerifiedEmail=true"], ["email_verified=True"], true },
        { "verified email false", ["RequireVerifiedEmail=true"], ["email_verified=false"], false },
        { "verified email missing", ["RequireVerifiedEmail=true"], ["email=alice@example.com"], false },
        { "verified email not required", ["RequireVerifiedEmail=false", "Groups:0=staff"], ["cognito:groups=staff", "email_verified=false"], true },

        // Scopes: bearer callers only.
        { "scope present for bearer", ["Scopes:0=orders/read"], [Bearer, "scope=openid orders/read"], true },
        { "scope missing for bearer", ["Scopes:0=orders/read"], [Bearer, "scope=openid profile"], false },
        { "two scopes, one missing", ["Scopes:0=orders/read", "Scopes:1=orders/write"], [Bearer, "scope=orders/read"], false },
        { "scope is a whole word", ["Scopes:0=orders/read"], [Bearer, "scope=orders/readonly"], false },
        { "scopes do not apply to sessions", ["Scopes:0=orders/read"], ["sub=u1"], true },
        { "scope ok, group missing for bearer", ["Scopes:0=orders/read", "Groups:0=admins"], [Bearer, "scope=orders/read", "cognito:groups=staff"], false },

        // Everything together.
        {
            "groups, claim, domain, verified all hold",
            ["Groups:0=staff", "Claims:custom:department:0=Engineering", "EmailDomains:0=example.com", "RequireVerifiedEmail=true"],
            ["cognito:groups=staff", "custom:department=Engineering", "email=a@example.com", "email_verified=true"], true
        },
        {
            "groups, claim, domain hold; not verified",
            ["Groups:0=staff", "Claims:custom:department:0=Engineering", "EmailDomains:0=example.com", "RequireVerifiedEmail=true"],
            ["cognito:groups=staff", "custom:department=Engineering", "email=a@example.com", "email_verified=false"], false
        },
        { "not signed in", ["Groups:0=admins"], [Anonymous, "cognito:groups=admins"], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Policy_Combination_DecidesAsInTable(string description, string[] policyKeys, string[] userClaims, bool allowed)
    {
        var policy = ReadPolicy(policyKeys);
        var problems = new List<string>();
        GatewayPolicyOptionsValidator.ValidatePolicies(new Dictionary<string, PolicyOptions> { ["p"] = policy }, problems);
        Assert.True(problems.Count == 0, $"{description}: the policy itself is invalid: {string.Join("; ", problems)}");

        using var services = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();
        var authorization = services.GetRequiredService<IAuthorizationService>();

        var result = await authorization.AuthorizeAsync(User(userClaims), GatewayPolicyStore.BuildPolicy(policy, Cognito));

        Assert.True(allowed == result.Succeeded, $"{description}: expected {(allowed ? "allowed" : "denied")}");
    }

    public static TheoryData<string, string[], string> InvalidPolicies => new()
    {
        { "no requirement", ["RequireVerifiedEmail=false"], "has no requirement" },
        { "empty group", ["Groups:0= "], "Groups:0 is empty" },
        { "email domain with @", ["EmailDomains:0=@example.com"], "EmailDomains:0 is not a domain name" },
        { "email domain wildcard", ["EmailDomains:0=*.example.com"], "EmailDomains:0 is not a domain name" },
        { "scope with a space", ["Scopes:0=a b"], "Scopes:0 contains a space" },
        { "claim without values", ["Claims:custom:tier:0="], "Claims:custom:tier must list at least one accepted value" },
    };

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void PolicyValidation_InvalidPolicy_NamesKeyPath(string description, string[] policyKeys, string expected)
    {
        var problems = new List<string>();
        var policy = ReadPolicy(policyKeys, problems);

        GatewayPolicyOptionsValidator.ValidatePolicies(new Dictionary<string, PolicyOptions> { ["p"] = policy }, problems);

        Assert.True(problems.Any(p => p.Contains("Gateway:Policies:p", StringComparison.Ordinal) && p.Contains(expected, StringComparison.Ordinal)),
            $"{description}: expected a problem containing '{expected}', got: {string.Join(" | ", problems)}");
    }

    [Fact]
    public void PolicyConfiguration_RequireVerifiedEmailNotABoolean_IsAProblem()
    {
        var problems = new List<string>();

        ReadPolicy(["RequireVerifiedEmail=yes"], problems);

        Assert.Contains(problems, p => p.Contains("Gateway:Policies:p:RequireVerifiedEmail", StringComparison.Ordinal));
    }

    private static PolicyOptions ReadPolicy(string[] keys, List<string>? problems = null)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(k => k.Split('=', 2)).Select(kv => new KeyValuePair<string, string?>("Gateway:Policies:p:" + kv[0], kv[1])))
            .Build();
        return PolicyConfiguration.Read(config.GetSection("Gateway:Policies"), problems ?? [])["p"];
    }

    private static ClaimsPrincipal User(string[] claims)
    {
        var authenticationType = claims.Contains(Anonymous) ? null : claims.Contains(Bearer) ? GatewaySchemes.Bearer : "session";
        var identity = new ClaimsIdentity(
            claims.Where(c => !c.StartsWith('#')).Select(c => c.Split('=', 2)).Select(kv => new Claim(kv[0], kv[1])),
            authenticationType);
        return new ClaimsPrincipal(identity);
    }
}
