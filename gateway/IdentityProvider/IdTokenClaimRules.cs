using System.Globalization;
using System.Security.Claims;

namespace Gateway.IdentityProvider;

/// <summary>
/// The claims OpenID Connect Core (§2) requires in every ID token that the token handler does not check itself:
/// exactly one non-blank <c>sub</c> (the user's identity in every header and log line) and a numeric <c>iat</c> that is
/// not further ahead of our clock than <see cref="MaxIssuedAtAhead"/>. Applied at the callback and to refreshed ID tokens.
/// </summary>
internal static class IdTokenClaimRules
{
    /// <summary>How far a provider's clock may run ahead of ours. Generous (exp/nbf allow one minute) because a slightly fast
    /// provider clock is common and harmless; an ID token "issued" further in the future was minted wrongly or kept for replay.</summary>
    public static readonly TimeSpan MaxIssuedAtAhead = TimeSpan.FromMinutes(5);

    /// <summary>Why the identity breaks the rules, or null when it follows them.</summary>
    public static string? Problem(ClaimsIdentity? identity, DateTimeOffset now)
    {
        if (identity is null)
        {
            return "The ID token carries no claims.";
        }

        Claim? sub = null;
        Claim? iat = null;
        foreach (var claim in identity.Claims)
        {
            switch (claim.Type)
            {
                case "sub":
                    if (sub is not null)
                    {
                        return "The ID token has more than one sub claim.";
                    }

                    sub = claim;
                    break;
                case "iat":
                    if (iat is not null)
                    {
                        return "The ID token has more than one iat claim.";
                    }

                    iat = claim;
                    break;
            }
        }

        if (sub is null || string.IsNullOrWhiteSpace(sub.Value))
        {
            return "The ID token has no sub (subject) claim.";
        }

        if (iat is null)
        {
            return "The ID token has no iat (issued at) claim.";
        }

        // NumericDate: seconds since the epoch, fractions allowed (RFC 7519 §2).
        if (!double.TryParse(iat.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds))
        {
            return "The ID token's iat claim is not a number of seconds.";
        }

        if (seconds > (now + MaxIssuedAtAhead).ToUnixTimeSeconds())
        {
            return $"The ID token's iat lies more than {MaxIssuedAtAhead.TotalMinutes:0} minutes in the future.";
        }

        return null;
    }
}
