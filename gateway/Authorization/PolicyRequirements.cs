using System.Security.Claims;
using Gateway.Authentication;
using Gateway.IdentityProvider;
using Microsoft.AspNetCore.Authorization;

namespace Gateway.Authorization;

/// <summary>The user has at least one of <paramref name="values"/> in a claim of type <paramref name="claimType"/> (groups any-of, required claim values).</summary>
internal sealed class ClaimValueRequirement(string claimType, IReadOnlyList<string> values) : AuthorizationHandler<ClaimValueRequirement>, IAuthorizationRequirement
{
    public string ClaimType { get; } = claimType;

    public IReadOnlyList<string> Values { get; } = values;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ClaimValueRequirement requirement)
    {
        // A requirement that is its own handler is called once per policy for every requirement of its type:
        // always read the values from the requirement argument, never from this instance.
        foreach (var claim in context.User.FindAll(requirement.ClaimType))
        {
            foreach (var accepted in requirement.Values)
            {
                if (ClaimValues.Same(claim.Value, accepted))
                {
                    context.Succeed(requirement);
                    return Task.CompletedTask;
                }
            }
        }

        return Task.CompletedTask;
    }

    public override string ToString() => $"{ClaimType} in ({string.Join(", ", Values)})";
}

/// <summary>The user is in every one of the groups.</summary>
internal sealed class AllGroupsRequirement(string groupsClaim, IReadOnlyList<string> groups) : AuthorizationHandler<AllGroupsRequirement>, IAuthorizationRequirement
{
    public string GroupsClaim { get; } = groupsClaim;

    public IReadOnlyList<string> Groups { get; } = groups;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AllGroupsRequirement requirement)
    {
        var member = context.User.FindAll(requirement.GroupsClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        if (requirement.Groups.All(member.Contains))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The user's <c>email</c> is in one of the domains (exact, case-insensitive; subdomains are other domains).</summary>
internal sealed class EmailDomainRequirement(IReadOnlyList<string> domains) : AuthorizationHandler<EmailDomainRequirement>, IAuthorizationRequirement
{
    public IReadOnlyList<string> Domains { get; } = domains;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, EmailDomainRequirement requirement)
    {
        var email = context.User.FindFirst("email")?.Value;
        var at = email?.LastIndexOf('@') ?? -1;
        if (email is not null && at > 0 && at < email.Length - 1)
        {
            var domain = email[(at + 1)..];
            if (requirement.Domains.Any(d => string.Equals(d, domain, StringComparison.OrdinalIgnoreCase)))
            {
                context.Succeed(requirement);
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary><c>email_verified</c> is true: a JSON boolean or the string "true" (Cognito's userInfo sends a string).</summary>
internal sealed class VerifiedEmailRequirement : AuthorizationHandler<VerifiedEmailRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, VerifiedEmailRequirement requirement)
    {
        if (context.User.FindAll("email_verified").Any(c => ClaimValues.Same(c.Value, "true")))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// The user's <c>email</c> may be trusted: verified, or the user signed in through a provider listed in
/// <c>Gateway:Cognito:TrustedEmailProviders</c> (see <see cref="Configuration.IdentityProviderSettings.EmailTrusted"/>).
/// </summary>
internal sealed class TrustedEmailRequirement(Configuration.IdentityProviderSettings provider) : AuthorizationHandler<TrustedEmailRequirement>, IAuthorizationRequirement
{
    private readonly Configuration.IdentityProviderSettings _provider = provider;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, TrustedEmailRequirement requirement)
    {
        // Called once per requirement of this type: read the settings from the requirement argument.
        if (requirement._provider.EmailTrusted(context.User))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Bearer callers only: the access token's space-separated <c>scope</c> claim holds every listed scope. A browser
/// session was granted the gateway's own configured scopes, so this requirement does not apply to it.
/// </summary>
internal sealed class ScopeRequirement(IReadOnlyList<string> scopes) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    public IReadOnlyList<string> Scopes { get; } = scopes;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (!IsBearerCaller(context.User))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var granted = context.User.FindAll("scope")
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal);
        if (requirement.Scopes.All(granted.Contains))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    public static bool IsBearerCaller(ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == GatewaySchemes.Bearer);
}

internal static class ClaimValues
{
    /// <summary>Ordinal, except that boolean spellings compare as booleans ("True" from a JSON config file equals a token's "true").</summary>
    public static bool Same(string claimValue, string accepted)
    {
        if (string.Equals(claimValue, accepted, StringComparison.Ordinal))
        {
            return true;
        }

        return bool.TryParse(claimValue, out var a) && bool.TryParse(accepted, out var b) && a == b;
    }
}

/// <summary>How a failed requirement is named in the audit trail: the configured rule, never the user's values.</summary>
internal static class PolicyRequirementText
{
    public static string Describe(IAuthorizationRequirement requirement) => requirement switch
    {
        ClaimValueRequirement claim => $"claim {claim.ClaimType} in ({string.Join(", ", claim.Values)})",
        AllGroupsRequirement all => $"all of the groups ({string.Join(", ", all.Groups)})",
        EmailDomainRequirement domains => $"email domain in ({string.Join(", ", domains.Domains)})",
        VerifiedEmailRequirement => "verified email",
        TrustedEmailRequirement => "trusted email (verified, or from a trusted provider)",
        ScopeRequirement scopes => $"scopes ({string.Join(" ", scopes.Scopes)})",
        Microsoft.AspNetCore.Authorization.Infrastructure.DenyAnonymousAuthorizationRequirement => "signed in",
        _ => requirement.GetType().Name,
    };
}
