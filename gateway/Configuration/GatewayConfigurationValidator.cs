using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Gateway.Configuration;

/// <summary>
/// Checks the whole configuration at start-up and collects every problem (never stops at the first).
/// Each message is "key path: what is wrong; how to fix". Secret values are never echoed.
/// </summary>
internal static partial class GatewayConfigurationValidator
{
    private static readonly string[] ForbiddenIdentityHeaders =
    [
        "Host", "Cookie", "Authorization", "Content-Length", "Content-Type", "Connection", "Transfer-Encoding",
        "Upgrade", "Keep-Alive", "Te", "Trailer", "Proxy-Authorization", "X-Forwarded-For", "X-Forwarded-Proto",
        "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded",
    ];

    /// <summary>
    /// Request headers that Gateway:StripHeaders may not remove: the proxy needs them, YARP sets them itself, or .NET keeps
    /// them on the request content (removing those from the request headers would fail every matching request).
    /// </summary>
    private static readonly string[] ProtectedRequestHeaders =
    [
        "Host", "Cookie", "Authorization", "Connection", "Transfer-Encoding", "Upgrade", "Keep-Alive", "Te", "Trailer",
        "Expect", "Content-Length", "Content-Type", "Content-Encoding", "Content-Language", "Content-Location",
        "Content-MD5", "Content-Range", "Content-Disposition", "Allow", "Expires", "Last-Modified",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded",
    ];

    public static IReadOnlyList<string> Validate(GatewayOptions options, IConfiguration configuration)
    {
        var problems = new List<string>();
        var hasCognito = configuration.GetSection("Gateway:Cognito").Exists();
        var hasOidc = configuration.GetSection("Gateway:Oidc").Exists();

        if (hasCognito && hasOidc)
        {
            problems.Add("Gateway:Cognito and Gateway:Oidc are both set; configure exactly one identity provider (Gateway:Cognito for an Amazon Cognito user pool, Gateway:Oidc for any other OpenID Connect provider).");
        }
        else if (!hasCognito && !hasOidc)
        {
            problems.Add("Gateway:Cognito is missing; set Gateway:Cognito:UserPoolId and Gateway:Cognito:ClientId (or configure Gateway:Oidc for another OpenID Connect provider).");
        }
        else if (hasCognito)
        {
            ValidateCognito(options.Cognito ?? new CognitoOptions(), problems);
        }
        else
        {
            ValidateOidc(options.Oidc ?? new OidcOptions(), problems);
        }

        ValidateGateway(options, problems);
        ValidateBearer(options, hasCognito, problems);
        ValidateRoutes(options.Policies, options.BasePath, hasOidc && !hasCognito ? ProviderDialect.Oidc : ProviderDialect.Cognito, configuration, problems);
        return problems;
    }

    private static void ValidateCognito(CognitoOptions c, List<string> problems)
    {
        const string p = "Gateway:Cognito";
        if (string.IsNullOrWhiteSpace(c.ClientId))
        {
            problems.Add($"{p}:ClientId is missing; set it to the app client id (Cognito console → your user pool → App clients).");
        }

        var hasPool = !string.IsNullOrWhiteSpace(c.UserPoolId);
        var hasAuthority = !string.IsNullOrWhiteSpace(c.Authority);
        if (hasPool && !UserPoolIdPattern().IsMatch(c.UserPoolId!.Trim()))
        {
            problems.Add($"{p}:UserPoolId is not a Cognito user pool id (got '{c.UserPoolId}'); it looks like 'eu-west-1_AbC123xyz' (region, underscore, id).");
        }
        else if (!hasPool && !hasAuthority)
        {
            problems.Add($"{p}:UserPoolId is missing; set it to the user pool id (e.g. 'eu-west-1_AbC123xyz'), or set {p}:Authority to the issuer URL.");
        }

        if (!string.IsNullOrWhiteSpace(c.Region) && !RegionPattern().IsMatch(c.Region.Trim()))
        {
            problems.Add($"{p}:Region is not an AWS region (got '{c.Region}'); use a value such as 'eu-west-1', or remove it to derive the region from the user pool id.");
        }

        if (hasAuthority)
        {
            ValidateAuthority($"{p}:Authority", c.Authority!, problems);
        }

        if (!string.IsNullOrWhiteSpace(c.Domain))
        {
            var domain = c.Domain.Trim();
            if (Uri.TryCreate(domain, UriKind.Absolute, out var url))
            {
                if (!UriRules.IsSecureOrLoopback(url) || url.AbsolutePath != "/" || !string.IsNullOrEmpty(url.Query))
                {
                    problems.Add($"{p}:Domain must be a domain prefix or an https origin of the hosted UI (got '{c.Domain}'); use e.g. 'myapp' or 'https://auth.example.com' with no path.");
                }
            }
            else if (!DomainPrefixPattern().IsMatch(domain))
            {
                problems.Add($"{p}:Domain must be a domain prefix or an https origin of the hosted UI (got '{c.Domain}'); use e.g. 'myapp' (for https://myapp.auth.REGION.amazoncognito.com) or 'https://auth.example.com'.");
            }
            else if (string.IsNullOrWhiteSpace(c.Region) && IdentityProviderSettings.RegionFromPoolId(c.UserPoolId) is null)
            {
                problems.Add($"{p}:Domain is a prefix but no region is known; set {p}:UserPoolId or {p}:Region, or give the Domain as a full https URL.");
            }
        }

        ValidateScopes($"{p}:Scopes", c.Scopes, problems, cognito: true);
        ValidateSignOutUri($"{p}:SignOutUri", c.SignOutUri, problems);
        ValidateFederation(c, problems);
    }

    /// <summary>Federated users and sign-in hints: provider names and IdP identifiers as Cognito allows them.</summary>
    private static void ValidateFederation(CognitoOptions c, List<string> problems)
    {
        const string p = "Gateway:Cognito";
        const string nameRule = "a provider name as shown in the user pool (1-32 characters, no spaces), e.g. 'Google' or 'CorpSAML'";
        CheckProviderNames($"{p}:TrustedEmailProviders", c.TrustedEmailProviders, nameRule, problems);
        CheckProviderNames($"{p}:AllowedIdentityProviders", c.AllowedIdentityProviders, nameRule, problems);

        if (!string.IsNullOrWhiteSpace(c.IdentityProvider) && !SignInHintRules.IsProviderName(c.IdentityProvider.Trim()))
        {
            problems.Add($"{p}:IdentityProvider is not {nameRule} (got '{c.IdentityProvider}').");
        }

        if (!string.IsNullOrWhiteSpace(c.IdpIdentifier) && !SignInHintRules.IsIdpIdentifier(c.IdpIdentifier.Trim()))
        {
            problems.Add($"{p}:IdpIdentifier is not a Cognito IdP identifier (got '{c.IdpIdentifier}'); use one of the provider's identifiers, 1-40 letters, digits or '.', '_', '-', '@', '+', '=', e.g. 'example.com'.");
        }

        if (!string.IsNullOrWhiteSpace(c.IdentityProvider) && !string.IsNullOrWhiteSpace(c.IdpIdentifier))
        {
            problems.Add($"{p}:IdentityProvider and {p}:IdpIdentifier are both set; Cognito takes one sign-in hint, keep one of them.");
        }
    }

    private static void CheckProviderNames(string key, List<string> names, string rule, List<string> problems)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]) || !SignInHintRules.IsProviderName(names[i].Trim()))
            {
                problems.Add($"{key}:{i} is not {rule} (got '{names[i]}').");
            }
        }
    }

    private static void ValidateOidc(OidcOptions o, List<string> problems)
    {
        const string p = "Gateway:Oidc";
        if (string.IsNullOrWhiteSpace(o.Authority))
        {
            problems.Add($"{p}:Authority is missing; set it to the provider's issuer URL (where /.well-known/openid-configuration is served).");
        }
        else
        {
            ValidateAuthority($"{p}:Authority", o.Authority, problems);
        }

        if (string.IsNullOrWhiteSpace(o.ClientId))
        {
            problems.Add($"{p}:ClientId is missing; set it to the client id registered at the provider.");
        }

        ValidateScopes($"{p}:Scopes", o.Scopes, problems, cognito: false);
        ValidateSignOutUri($"{p}:SignOutUri", o.SignOutUri, problems);
    }

    private static void ValidateAuthority(string key, string value, List<string> problems)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"{key} is not an absolute URL (got '{value}'); use the issuer URL, e.g. 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz'.");
        }
        else if (!UriRules.IsSecureOrLoopback(uri))
        {
            problems.Add($"{key} must use https (got '{value}'); plain http is only allowed for loopback addresses (local emulators and tests).");
        }
        else if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            problems.Add($"{key} must not have a query or fragment (got '{value}'); use the bare issuer URL.");
        }
    }

    private static void ValidateScopes(string key, string? scopes, List<string> problems, bool cognito)
    {
        var list = IdentityProviderSettings.SplitScopes(scopes);
        if (!list.Contains("openid", StringComparer.Ordinal))
        {
            problems.Add($"{key} must include 'openid' (got '{scopes}'); the gateway needs an ID token, e.g. 'openid email profile'.");
        }

        if (cognito && list.Contains("groups", StringComparer.Ordinal))
        {
            problems.Add($"{key} must not include 'groups' (Cognito answers invalid_scope); groups come from the cognito:groups claim of the ID token without any scope.");
        }
    }

    private static void ValidateSignOutUri(string key, string? value, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || !UriRules.IsSecureOrLoopback(uri))
        {
            problems.Add($"{key} must be an absolute https URL registered as an allowed sign-out URL (got '{value}'); e.g. 'https://app.example.com/' (http only on loopback).");
        }
    }

    private static void ValidateGateway(GatewayOptions options, List<string> problems)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicOrigin))
        {
            if (!Uri.TryCreate(options.PublicOrigin.Trim(), UriKind.Absolute, out var origin) ||
                (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp) ||
                origin.AbsolutePath != "/" || !string.IsNullOrEmpty(origin.Query))
            {
                problems.Add($"Gateway:PublicOrigin must be an origin such as 'https://app.example.com' with no path (got '{options.PublicOrigin}').");
            }
            else if (!UriRules.IsSecureOrLoopback(origin))
            {
                problems.Add($"Gateway:PublicOrigin must use https (got '{options.PublicOrigin}'); Cognito only accepts http callback URLs for localhost.");
            }
        }

        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!UriRules.TryParseNetwork(options.TrustedProxies[i], out _))
            {
                problems.Add($"Gateway:TrustedProxies:{i} is not an IP address or CIDR range (got '{options.TrustedProxies[i]}'); use e.g. '10.0.0.0/8' or '192.168.1.10'.");
            }
        }

        if (options.BackchannelTimeout < TimeSpan.FromMilliseconds(100) || options.BackchannelTimeout > TimeSpan.FromMinutes(2))
        {
            problems.Add($"Gateway:BackchannelTimeout must be between 00:00:00.1 and 00:02:00 (got '{options.BackchannelTimeout}'); e.g. '00:00:10'.");
        }

        if (!BasePathPattern().IsMatch(options.BasePath ?? string.Empty))
        {
            problems.Add($"Gateway:BasePath must start with '/', have no trailing '/' and use only URL path characters (got '{options.BasePath}'); the default is '/oauth2'.");
        }

        if (!HeaderNamePattern().IsMatch(options.Session.CookieName ?? string.Empty))
        {
            problems.Add($"Gateway:Session:CookieName is not a valid cookie name (got '{options.Session.CookieName}'); use letters, digits, '_' or '-', e.g. '_gateway'.");
        }

        if (options.Session.Lifetime < TimeSpan.FromMinutes(1) || options.Session.Lifetime > TimeSpan.FromDays(3650))
        {
            problems.Add($"Gateway:Session:Lifetime must be between 00:01:00 and 3650.00:00:00 (got '{options.Session.Lifetime}'); e.g. '08:00:00' for a working day.");
        }

        ValidateSession(options, problems);
        ValidatePaths(options.Paths, problems);

        if (options.IdentityHeaders.TryGetValue(GatewayOptions.GroupsFormatKey, out var groupsFormat) &&
            !(Enum.TryParse<GroupsFormat>(groupsFormat?.Trim(), ignoreCase: true, out var format) && Enum.IsDefined(format) && !int.TryParse(groupsFormat, out _)))
        {
            problems.Add($"Gateway:IdentityHeaders:{GatewayOptions.GroupsFormatKey} has an unknown value (got '{groupsFormat}'); use 'Comma' (names joined with ',', a ',' or '%' inside a name percent-encoded) or 'Json' (a JSON array).");
        }

        foreach (var (name, claim) in options.IdentityHeaderMappings)
        {
            var key = $"Gateway:IdentityHeaders:{name}";
            if (!HeaderNamePattern().IsMatch(name))
            {
                problems.Add($"{key} is not a valid HTTP header name; use letters, digits and '-', e.g. 'X-Forwarded-Email'.");
            }
            else if (ForbiddenIdentityHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{key} names a header the gateway must not overwrite; choose another name, e.g. 'X-Forwarded-{name}'.");
            }

            if (claim is not null && claim.Any(char.IsControl))
            {
                problems.Add($"{key} has control characters in its claim name; use a claim type such as 'email' or 'custom:department'.");
            }
        }

        for (var i = 0; i < options.StripHeaders.Count; i++)
        {
            var key = $"Gateway:StripHeaders:{i}";
            var entry = options.StripHeaders[i];
            if (!ReservedHeaderNames.TryParse(entry, out _, out _))
            {
                problems.Add($"{key} is not a header name or a prefix ending in '*' (got '{entry}'); use e.g. 'X-Legacy-User' or 'X-Corp-*'.");
            }
            else if (ProtectedRequestHeaders.FirstOrDefault(h => ReservedHeaderNames.Matches(entry, h)) is { } needed)
            {
                problems.Add($"{key} would remove '{needed}', which the proxy needs or sets itself (got '{entry}'); list only headers that clients must not send to the backend, e.g. 'X-Legacy-User' or 'X-Corp-*'.");
            }
        }

        ValidatePolicies(options.Policies, problems);
    }

    /// <summary>Checks the named policies (also on configuration reload).</summary>
    public static void ValidatePolicies(IReadOnlyDictionary<string, PolicyOptions> policies, List<string> problems)
    {
        foreach (var (name, policy) in policies)
        {
            var key = $"Gateway:Policies:{name}";
            if (string.Equals(name, GatewayPolicies.Default, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(name, GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{key} uses a reserved name; 'default' and 'anonymous' are built in, pick another name.");
            }

            if (!policy.HasRequirements)
            {
                problems.Add($"{key} has no requirement; set at least one of Groups, AllGroups, Claims, EmailDomains, RequireVerifiedEmail or Scopes (e.g. {key}:Groups:0 = 'admins'), or use 'default' for any signed-in user.");
            }

            CheckList($"{key}:Groups", policy.Groups, "a group name, e.g. 'admins'", problems);
            CheckList($"{key}:AllGroups", policy.AllGroups, "a group name, e.g. 'admins'", problems);
            CheckList($"{key}:Scopes", policy.Scopes, "an OAuth scope, e.g. 'orders/read'", problems);
            for (var i = 0; i < policy.Scopes.Count; i++)
            {
                if (policy.Scopes[i].Any(c => c is ' ' or '"' or '\\' || char.IsControl(c)))
                {
                    problems.Add($"{key}:Scopes:{i} contains a space, quote or backslash (got '{policy.Scopes[i]}'); list each scope as its own entry, e.g. 'orders/read'.");
                }
            }

            for (var i = 0; i < policy.EmailDomains.Count; i++)
            {
                var domain = policy.EmailDomains[i];
                if (!EmailDomainPattern().IsMatch(domain.Trim()))
                {
                    problems.Add($"{key}:EmailDomains:{i} is not a domain name (got '{domain}'); use the part after '@', e.g. 'example.com' (exact match, no wildcards).");
                }
            }

            foreach (var (claimType, values) in policy.Claims)
            {
                if (string.IsNullOrWhiteSpace(claimType) || claimType.Any(char.IsControl))
                {
                    problems.Add($"{key}:Claims has an empty or invalid claim type; use a claim type such as 'custom:department'.");
                }

                if (values.Count == 0 || values.Any(string.IsNullOrWhiteSpace))
                {
                    problems.Add($"{key}:Claims:{claimType} must list at least one accepted value and no empty ones, e.g. {key}:Claims:{claimType}:0 = 'Engineering'.");
                }
            }
        }
    }

    private static void ValidateSession(GatewayOptions options, List<string> problems)
    {
        var session = options.Session;
        if (!Enum.IsDefined(session.Store))
        {
            problems.Add($"Gateway:Session:Store has an unknown value (got '{session.Store}'); use 'Cookie' or 'Redis'.");
        }

        if (session.IdleTimeout < TimeSpan.Zero || (session.IdleTimeout > TimeSpan.Zero && session.IdleTimeout < TimeSpan.FromMinutes(1)))
        {
            problems.Add($"Gateway:Session:IdleTimeout must be at least 00:01:00, or 00:00:00 to switch it off (got '{session.IdleTimeout}').");
        }

        if (session.RefreshMargin < TimeSpan.Zero || session.RefreshMargin > TimeSpan.FromMinutes(30))
        {
            problems.Add($"Gateway:Session:RefreshMargin must be between 00:00:00 and 00:30:00 (got '{session.RefreshMargin}'); Cognito access tokens can live as little as 5 minutes, e.g. '00:05:00'.");
        }

        if (session.CacheDuration < TimeSpan.Zero || session.CacheDuration > TimeSpan.FromMinutes(5))
        {
            problems.Add($"Gateway:Session:CacheDuration must be between 00:00:00 (no cache) and 00:05:00 (got '{session.CacheDuration}'); it bounds how long a sign-out elsewhere can go unnoticed, e.g. '00:00:05'.");
        }

        if (session.MaxCookieBytes < 4096 || session.MaxCookieBytes > 65536)
        {
            problems.Add($"Gateway:Session:MaxCookieBytes must be between 4096 and 65536 (got {session.MaxCookieBytes}); keep it under the header limits of every proxy in front (nginx: 8 KB per header line by default).");
        }

        var redis = options.Redis.Configuration;
        if (session.Store == SessionStoreKind.Redis && string.IsNullOrWhiteSpace(redis))
        {
            problems.Add("Gateway:Redis:Configuration is missing but Gateway:Session:Store is 'Redis'; set it to the Redis address, e.g. 'redis:6379' (add ',password=…' if needed).");
        }

        if (!string.IsNullOrWhiteSpace(redis))
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(redis);
            }
            catch (ArgumentException)
            {
                problems.Add("Gateway:Redis:Configuration is not a valid StackExchange.Redis configuration string; use e.g. 'redis:6379,password=…,ssl=true'.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.DataProtection.KeysPath) && !Path.IsPathFullyQualified(options.DataProtection.KeysPath))
        {
            problems.Add($"Gateway:DataProtection:KeysPath must be an absolute directory path shared by every instance (got '{options.DataProtection.KeysPath}').");
        }
    }

    private static void ValidatePaths(Paths.PathOptions paths, List<string> problems)
    {
        // The binder accepts any number for an enum; only the named values mean something.
        if (!Enum.IsDefined(paths.EncodedSlash))
        {
            problems.Add($"Gateway:Paths:EncodedSlash has an unknown value (got '{paths.EncodedSlash}'); use 'Reject' (400, the default) or 'Decode' (read %2F as '/').");
        }

        if (!Enum.IsDefined(paths.Backslash))
        {
            problems.Add($"Gateway:Paths:Backslash has an unknown value (got '{paths.Backslash}'); use 'Reject' (400, the default) or 'Slash' (read '\\' and %5C as '/').");
        }

        if (!Enum.IsDefined(paths.PathParameters))
        {
            problems.Add($"Gateway:Paths:PathParameters has an unknown value (got '{paths.PathParameters}'); use 'Reject' (400, the default), 'Strip' (remove ';...' from each segment, as Tomcat does) or 'Keep' (';' is data).");
        }

        if (!Enum.IsDefined(paths.TrailingDots))
        {
            problems.Add($"Gateway:Paths:TrailingDots has an unknown value (got '{paths.TrailingDots}'); use 'Reject' (400, the default) or 'Keep'.");
        }
    }

    private static void CheckList(string key, List<string> values, string example, List<string> problems)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(values[i]))
            {
                problems.Add($"{key}:{i} is empty; give {example} or remove the entry.");
            }
        }
    }

    private static void ValidateBearer(GatewayOptions options, bool hasCognito, List<string> problems)
    {
        var bearer = options.Bearer;
        if (!hasCognito && (bearer.AllowedClientIds.Count > 0 || bearer.ForwardAuth))
        {
            problems.Add("Gateway:Bearer is only supported with Gateway:Cognito (the access-token rules are Cognito's: token_use and client_id); remove the section.");
        }

        CheckList("Gateway:Bearer:AllowedClientIds", bearer.AllowedClientIds, "an app client id", problems);
    }

    /// <summary>Checks every route's policy name and Gateway.* metadata (also on configuration reload).</summary>
    public static void ValidateRoutes(
        IReadOnlyDictionary<string, PolicyOptions> policies,
        string? basePath,
        ProviderDialect dialect,
        IConfiguration configuration,
        List<string> problems)
    {
        basePath = string.IsNullOrEmpty(basePath) ? "/oauth2" : basePath;
        foreach (var route in configuration.GetSection("ReverseProxy:Routes").GetChildren())
        {
            var key = $"ReverseProxy:Routes:{route.Key}";
            var policy = route["AuthorizationPolicy"];
            if (!string.IsNullOrWhiteSpace(policy) &&
                !string.Equals(policy, GatewayPolicies.Default, StringComparison.OrdinalIgnoreCase) &&
                !string.Equals(policy, GatewayPolicies.Anonymous, StringComparison.OrdinalIgnoreCase) &&
                !policies.ContainsKey(policy))
            {
                var known = string.Join(", ", new[] { GatewayPolicies.Default, GatewayPolicies.Anonymous }.Concat(policies.Keys).Select(n => $"'{n}'"));
                problems.Add($"{key}:AuthorizationPolicy names an unknown policy (got '{policy}'); use one of {known}, or define it under Gateway:Policies:{policy}.");
            }

            var metadata = route.GetSection("Metadata").GetChildren().ToDictionary(c => c.Key, c => c.Value, StringComparer.OrdinalIgnoreCase);
            problems.AddRange(RouteSettings.Validate(route.Key, metadata, dialect, policy));

            var path = route["Match:Path"];
            if (path is not null && (path.Equals(basePath, StringComparison.OrdinalIgnoreCase) || path.StartsWith(basePath + "/", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{key}:Match:Path is under the gateway's own endpoints (got '{path}'); choose a path outside '{basePath}'.");
            }
        }
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex EmailDomainPattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+_[A-Za-z0-9]+$")]
    private static partial Regex UserPoolIdPattern();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DomainPrefixPattern();

    [GeneratedRegex(@"^(/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$")]
    private static partial Regex BasePathPattern();

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")]
    private static partial Regex HeaderNamePattern();
}
