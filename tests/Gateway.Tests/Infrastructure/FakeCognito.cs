using System.Collections.Concurrent;
using System.Text;
using System.Net;
using System.Text.Json;
using Gateway.Demo.Emulator;
using Microsoft.AspNetCore.WebUtilities;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Gateway.Tests.Infrastructure;

/// <summary>The user the fake pool signs in (claims of the minted ID token).</summary>
public sealed record TestUser(string Sub, string Email, string Username, IReadOnlyList<string> Groups)
{
    public static TestUser Default { get; } = new(
        "5f1c2d3e-0000-4000-8000-00000000a11c", "alice@example.com", "alice", ["admins", "staff"]);

    public static TestUser NoGroups { get; } = new(
        "5f1c2d3e-0000-4000-8000-000000000b0b", "bob@example.com", "bob", ["staff"]);

    /// <summary>
    /// A user who signed in with Google through the pool: <c>cognito:username</c> <c>Google_{id}</c>, an <c>identities</c>
    /// claim, the automatic group <c>{PoolId}_Google</c> (added to <see cref="Groups"/> when tokens are minted) and
    /// <c>email_verified</c> false.
    /// </summary>
    public static TestUser Google { get; } = Federated(
        "5f1c2d3e-0000-4000-8000-00000000c0c0", "carol@gmail.example", ["staff"],
        new FederatedIdentity("Google", "Google", "104892735619238476512", null, new DateTimeOffset(2024, 1, 15, 9, 30, 0, TimeSpan.Zero)));

    /// <summary>A user of the company's SAML IdP <c>CorpSAML</c> (<c>CorpSAML_jdoe</c>, group <c>{PoolId}_CorpSAML</c>, email not verified).</summary>
    public static TestUser CorpSaml { get; } = Federated(
        "5f1c2d3e-0000-4000-8000-00000000d0d0", "jdoe@corp.example", ["admins"],
        new FederatedIdentity("CorpSAML", "SAML", "jdoe", "https://idp.corp.example/saml/metadata", new DateTimeOffset(2024, 1, 15, 9, 30, 0, TimeSpan.Zero)));

    /// <summary><c>email_verified</c> in the ID token (default true; false for <see cref="Google"/> and <see cref="CorpSaml"/>).</summary>
    public bool EmailVerified { get; init; } = true;

    /// <summary>The upstream identity of a federated user; null for a user of the pool itself.</summary>
    public FederatedIdentity? Identity { get; init; }

    /// <summary>A federated user: username <c>{ProviderName}_{UserId}</c>, email not verified.</summary>
    public static TestUser Federated(string sub, string email, IReadOnlyList<string> groups, FederatedIdentity identity) =>
        new(sub, email, identity.Username, groups) { EmailVerified = false, Identity = identity };

    /// <summary>This user as the shared Cognito claim rules see them.</summary>
    public CognitoPrincipal ToPrincipal() => new(Sub, Username, Email, EmailVerified, Groups, Identity);
}

/// <summary>What the authorize endpoint saw for one issued code.</summary>
public sealed record AuthorizeRecord(
    string Code, string? Nonce, string? State, string? RedirectUri, string? CodeChallenge, string? CodeChallengeMethod,
    string? ClientId, string? Scope)
{
    public bool Redeemed { get; set; }
}

/// <summary>
/// WireMock.Net standing in for a Cognito user pool: discovery, JWKS, hosted-UI /oauth2/authorize (302 straight back),
/// /oauth2/token (mints an ID token for the nonce captured at authorize), /oauth2/revoke, /logout, /oauth2/userInfo.
/// Its default answers follow the same Cognito rules as the demo's emulator (Gateway.Demo.Emulator: client
/// authentication, revocation, /logout, callback URLs, token lifetimes and claim shapes, refresh-token format and
/// rotation grace), so a gateway test passes only against behaviour the real service has. WireMock stays for what it is
/// good at: <see cref="TokenResponder"/>, <see cref="CustomizeIdToken"/> and <see cref="Server"/> mappings inject faults
/// and exact answers in front of the rules.
/// The app client registration (<see cref="ClientSecret"/>, <see cref="CallbackUrls"/>, <see cref="SignOutUrls"/>)
/// survives <see cref="Reset"/>, as the console settings of a real pool would; <see cref="GatewayHost"/> registers each
/// gateway it starts.
/// </summary>
public sealed class FakeCognito : IDisposable
{
    public const string PoolId = "us-east-1_TestPool1";
    public const string ClientId = "3n4b5urk1ft4fl3mg5e62d9ado";

    /// <summary>This pool's app client id (<see cref="ClientId"/> unless set, e.g. two pools whose apps must differ).</summary>
    public string AppClientId { get; init; } = ClientId;

    private static readonly Guid JwksMappingGuid = Guid.Parse("6a4b8d3e-1f2a-4c5b-9d7e-0a1b2c3d4e5f");
    private readonly ConcurrentDictionary<string, AuthorizeRecord> _codes = new();
    private readonly ConcurrentQueue<string> _refreshTokens = new();
    private readonly ConcurrentDictionary<string, RefreshTokenRecord> _refreshRecords = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _revokedFamilies = new(StringComparer.Ordinal);
    private TimeSpan _idTokenLifetime;
    private TimeSpan _accessTokenLifetime;
    private TimeSpan _gracePeriod;
    private readonly ConcurrentQueue<string> _idTokens = new();
    private readonly Lazy<TestSigningKey> _otherKey = new(() => TestSigningKey.Create("other-key"));

    public FakeCognito()
    {
        Server = WireMockServer.Start();
        Url = $"http://127.0.0.1:{Server.Port}";
        PrimaryKey = TestSigningKey.Create("primary-" + Guid.NewGuid().ToString("N")[..8]);
        Reset();
    }

    public WireMockServer Server { get; }

    /// <summary>Base URL, always 127.0.0.1.</summary>
    public string Url { get; }

    public string Authority => $"{Url}/{PoolId}";

    public string AuthorizationEndpoint => $"{Url}/oauth2/authorize";

    public string TokenEndpointUrl => TokenEndpointOverride ?? $"{Url}/oauth2/token";

    public string LogoutEndpoint => $"{Url}/logout";

    /// <summary>Published in discovery instead of the real token endpoint (e.g. a closed port); apply with <see cref="Reset"/>.</summary>
    public string? TokenEndpointOverride { get; set; }

    public TestSigningKey PrimaryKey { get; }

    /// <summary>A key that is never published: tokens signed with it must fail signature validation.</summary>
    public TestSigningKey OtherKey => _otherKey.Value;

    /// <summary>The key the token endpoint signs with (default <see cref="PrimaryKey"/>).</summary>
    public TestSigningKey SigningKey { get; set; } = null!;

    /// <summary>
    /// The user every sign-in signs in as, whatever <c>identity_provider</c>/<c>idp_identifier</c> the authorize request
    /// named (a known name is required, an unknown one is a 400): set <see cref="TestUser.Google"/> or
    /// <see cref="TestUser.CorpSaml"/> to model a federated sign-in.
    /// </summary>
    public TestUser User { get; set; } = TestUser.Default;

    /// <summary>Per-test hook: change the ID token before it is signed.</summary>
    public Action<TokenMintRequest, AuthorizeRecord>? CustomizeIdToken { get; set; }

    /// <summary>Per-test hook: change the ID token a refresh_token grant returns before it is signed.</summary>
    public Action<TokenMintRequest>? CustomizeRefreshedIdToken { get; set; }

    /// <summary>Per-test hook: answer the token request instead of the default minting (return null to fall through).</summary>
    public Func<IRequestMessage, IResponseMessage?>? TokenResponder { get; set; }

    /// <summary>
    /// Fault injection: the <c>expires_in</c> the token endpoint announces instead of <see cref="AccessTokenLifetime"/>,
    /// for values no real pool sends (e.g. 2 seconds). Null (default) announces the real lifetime.
    /// </summary>
    public TimeSpan? AnnouncedExpiresIn { get; set; }

    /// <summary>
    /// The app client's secret; null (default) for a client without one. When set, token and revoke calls must carry it
    /// (client_secret_basic or client_secret_post), else 400/401 invalid_client. Survives <see cref="Reset"/>.
    /// </summary>
    public string? ClientSecret { get; set; }

    /// <summary>Allowed callback URLs of the app client (exact match on authorize; https, or http only for localhost). Survives <see cref="Reset"/>.</summary>
    public IReadOnlyCollection<string> CallbackUrls => _callbackUrls.Keys.ToArray();

    /// <summary>Allowed sign-out URLs of the app client (exact match of logout_uri on /logout). Survives <see cref="Reset"/>.</summary>
    public IReadOnlyCollection<string> SignOutUrls => _signOutUrls.Keys.ToArray();

    /// <summary>Identity providers federated into the pool (default: Google, and CorpSAML with idp_identifier corp.example).</summary>
    public List<EmulatorIdentityProvider> IdentityProviders { get; } = [];

    /// <summary>Whether /oauth2/revoke works for the app client (default true); false answers 400 invalid_request.</summary>
    public bool RevocationEnabled { get; set; }

    /// <summary>ID token lifetime, 5 minutes to 1 day (default 60 minutes); other values throw.</summary>
    public TimeSpan IdTokenLifetime
    {
        get => _idTokenLifetime;
        set => _idTokenLifetime = CognitoLimits.Require(value, CognitoLimits.CheckTokenLifetime(nameof(IdTokenLifetime), value), nameof(value));
    }

    /// <summary>Access token lifetime, 5 minutes to 1 day (default 60 minutes; also the token response's expires_in); other values throw.</summary>
    public TimeSpan AccessTokenLifetime
    {
        get => _accessTokenLifetime;
        set => _accessTokenLifetime = CognitoLimits.Require(value, CognitoLimits.CheckTokenLifetime(nameof(AccessTokenLifetime), value), nameof(value));
    }

    /// <summary>
    /// With <see cref="RotateRefreshTokens"/>: how long a rotated-out refresh token stays usable, 0 to 60 seconds
    /// (default 60 s), measured on <see cref="Time"/>; afterwards it gets invalid_grant. Other values throw.
    /// </summary>
    public TimeSpan RefreshTokenRotationGracePeriod
    {
        get => _gracePeriod;
        set => _gracePeriod = CognitoLimits.Require(value, CognitoLimits.CheckRotationGracePeriod(nameof(RefreshTokenRotationGracePeriod), value), nameof(value));
    }

    /// <summary>The pool's clock: token iat/exp/auth_time and the rotation grace (default the system clock; share a FakeTimeProvider with the gateway).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Registers a gateway's app-client URLs: <c>{origin}/oauth2/callback</c> and the default sign-out URL <c>{origin}/</c>.</summary>
    /// <exception cref="ArgumentException">Cognito would refuse the URLs (plain http for a host other than localhost).</exception>
    public void RegisterApp(string origin)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        AllowCallbackUrl(origin.TrimEnd('/') + "/oauth2/callback");
        AllowSignOutUrl(origin.TrimEnd('/') + "/");
    }

    /// <summary>Adds an allowed callback URL, as in the Cognito console.</summary>
    /// <exception cref="ArgumentException">Cognito would refuse the URL.</exception>
    public void AllowCallbackUrl(string url) => _callbackUrls[Checked(url)] = true;

    /// <summary>Adds an allowed sign-out URL, as in the Cognito console.</summary>
    /// <exception cref="ArgumentException">Cognito would refuse the URL.</exception>
    public void AllowSignOutUrl(string url) => _signOutUrls[Checked(url)] = true;

    /// <summary>The app client as the shared rules see it.</summary>
    public EmulatorClient AppClient => new()
    {
        ClientId = AppClientId,
        ClientSecret = ClientSecret,
        CallbackUrls = [.. _callbackUrls.Keys],
        SignOutUrls = [.. _signOutUrls.Keys],
        RefreshTokenRotation = RotateRefreshTokens,
        EnableTokenRevocation = RevocationEnabled,
    };

    private readonly ConcurrentDictionary<string, bool> _callbackUrls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _signOutUrls = new(StringComparer.Ordinal);

    /// <summary>
    /// Test-only relaxation of Cognito's rule: plain http callback/sign-out URLs also for names under <c>.localhost</c>
    /// (several hosts under one cookie domain without TLS). Off by default; survives <see cref="Reset"/>.
    /// </summary>
    public bool AllowHttpLocalhostSubdomains { get; set; }

    private string Checked(string url) =>
        CognitoLimits.CheckRedirectUrl(url, AllowHttpLocalhostSubdomains) is { } problem ? throw new ArgumentException(problem, nameof(url)) : url;

    public IReadOnlyCollection<string> IssuedRefreshTokens => _refreshTokens.ToArray();

    public IReadOnlyCollection<string> IssuedIdTokens => _idTokens.ToArray();

    public IReadOnlyDictionary<string, AuthorizeRecord> Codes => _codes;

    /// <summary>Restores default behaviour, mappings and an empty request log. Call from each test's constructor.</summary>
    public void Reset()
    {
        Server.Reset();
        _codes.Clear();
        _refreshTokens.Clear();
        _refreshRecords.Clear();
        _revokedFamilies.Clear();
        _idTokens.Clear();
        SigningKey = PrimaryKey;
        User = TestUser.Default;
        CustomizeIdToken = null;
        CustomizeRefreshedIdToken = null;
        TokenResponder = null;
        AnnouncedExpiresIn = null;
        RotateRefreshTokens = false;
        RejectedRefreshTokens.Clear();
        RevocationEnabled = true;
        IdTokenLifetime = TimeSpan.FromMinutes(60);
        AccessTokenLifetime = TimeSpan.FromMinutes(60);
        RefreshTokenRotationGracePeriod = TimeSpan.FromSeconds(60);
        Time = TimeProvider.System;
        IdentityProviders.Clear();
        IdentityProviders.Add(new EmulatorIdentityProvider { ProviderName = "Google", ProviderType = "Google" });
        IdentityProviders.Add(new EmulatorIdentityProvider
        {
            ProviderName = "CorpSAML", ProviderType = "SAML", Issuer = "https://idp.corp.example/saml/metadata", IdpIdentifiers = ["corp.example"],
        });
        ConfigureMappings();
        PublishKeys(PrimaryKey);
    }

    /// <summary>Replaces the JWKS document (key rotation).</summary>
    public void PublishKeys(params TestSigningKey[] keys)
    {
        var jwks = JsonSerializer.Serialize(new { keys = keys.Select(k => k.ToJwk()).ToArray() });
        Server.Given(Request.Create().WithPath($"/{PoolId}/.well-known/jwks.json").UsingGet())
            .WithGuid(JwksMappingGuid)
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "application/json").WithBody(jwks));
    }

    /// <summary>Marks a code as already redeemed, so the next exchange gets invalid_grant (a replayed code).</summary>
    public void MarkRedeemed(string code)
    {
        if (_codes.TryGetValue(code, out var record))
        {
            record.Redeemed = true;
        }
    }

    public IReadOnlyList<IRequestMessage> RequestsTo(string path) =>
        Server.LogEntries.Select(e => e.RequestMessage).OfType<IRequestMessage>()
            .Where(r => string.Equals(r.Path, path, StringComparison.Ordinal))
            .ToList();

    public static Dictionary<string, string> ParseForm(IRequestMessage request) =>
        QueryHelpers.ParseQuery(request.Body ?? string.Empty).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    public static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private void ConfigureMappings()
    {
        var discovery = new Dictionary<string, object>
        {
            ["issuer"] = Authority,
            ["authorization_endpoint"] = AuthorizationEndpoint,
            ["token_endpoint"] = TokenEndpointUrl,
            ["userinfo_endpoint"] = $"{Url}/oauth2/userInfo",
            ["revocation_endpoint"] = $"{Url}/oauth2/revoke",
            ["end_session_endpoint"] = LogoutEndpoint,
            ["jwks_uri"] = $"{Authority}/.well-known/jwks.json",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["scopes_supported"] = new[] { "openid", "email", "phone", "profile" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post" },
        };
        Server.Given(Request.Create().WithPath($"/{PoolId}/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "application/json").WithBody(JsonSerializer.Serialize(discovery)));

        Server.Given(Request.Create().WithPath("/oauth2/authorize").UsingGet())
            .RespondWith(Response.Create().WithCallback(Authorize));

        Server.Given(Request.Create().WithPath("/oauth2/token").UsingPost())
            .RespondWith(Response.Create().WithCallback(Token));

        Server.Given(Request.Create().WithPath("/oauth2/revoke").UsingPost())
            .RespondWith(Response.Create().WithCallback(Revoke));

        Server.Given(Request.Create().WithPath("/logout").UsingGet())
            .RespondWith(Response.Create().WithCallback(Logout));

        // As Cognito: email_verified is a STRING, and there are no groups.
        Server.Given(Request.Create().WithPath("/oauth2/userInfo").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new Dictionary<string, object>
            {
                ["sub"] = User.Sub,
                ["email"] = User.Email,
                ["email_verified"] = User.EmailVerified ? "true" : "false",
                ["username"] = User.Username,
            })));
    }

    private IResponseMessage Revoke(IRequestMessage request)
    {
        var form = ParseForm(request);
        var client = Authenticate(request, form);
        var token = form.GetValueOrDefault("token");
        if (CognitoRevocation.Check(client, token) is { } error)
        {
            return Json(error.Status, error.Body);
        }

        // Revokes the token's family: it and every refresh token rotated from it. Unknown or already revoked: 200 too.
        if (_refreshRecords.TryGetValue(token!, out var record))
        {
            _revokedFamilies[record.Family] = true;
            foreach (var (issued, other) in _refreshRecords)
            {
                if (other.Family == record.Family)
                {
                    RejectedRefreshTokens.Add(issued);
                }
            }
        }

        return new ResponseMessage { StatusCode = 200 };
    }

    private IResponseMessage Logout(IRequestMessage request)
    {
        var query = QueryHelpers.ParseQuery(request.RawQuery ?? string.Empty);
        var decision = CognitoLogout.Evaluate(
            key => query.TryGetValue(key, out var v) ? v.ToString() : null,
            string.IsNullOrEmpty(request.RawQuery) ? "" : "?" + request.RawQuery.TrimStart('?'),
            AuthorizationEndpoint, [AppClient]);
        return decision.Error is { } error
            ? Html(error.Status, $"<html><body><h1>An error was encountered with the requested page.</h1><p id=\"errorCode\">{WebUtility.HtmlEncode(error.Error)}</p></body></html>")
            : Redirect(decision.RedirectTo!);
    }

    private ClientAuthenticationResult Authenticate(IRequestMessage request, Dictionary<string, string> form) =>
        CognitoClientAuthentication.Authenticate(Header(request, "Authorization"), form.GetValueOrDefault, [AppClient]);

    private IResponseMessage Authorize(IRequestMessage request)
    {
        var query = QueryHelpers.ParseQuery(request.RawQuery ?? string.Empty);
        string? Q(string key) => query.TryGetValue(key, out var v) ? v.ToString() : null;

        // The same checks as Cognito (and the emulator): problems with the client or redirect URI get an error page.
        if (Q("client_id") != AppClientId)
        {
            return Text(400, "invalid_request: unknown client_id");
        }

        var redirectUri = Q("redirect_uri");
        if (string.IsNullOrEmpty(redirectUri) || !_callbackUrls.ContainsKey(redirectUri) || CognitoLimits.CheckRedirectUrl(redirectUri, AllowHttpLocalhostSubdomains) is not null)
        {
            return Text(400, "redirect_mismatch");
        }

        if (Q("response_type") != "code")
        {
            return Text(400, "unsupported_response_type");
        }

        if ((Q("code_challenge") is not null || Q("code_challenge_method") is not null) &&
            !(Q("code_challenge") is { Length: > 0 } && Q("code_challenge_method") == "S256"))
        {
            return Text(400, "invalid_request: code_challenge_method must be S256");
        }

        var provider = Q("identity_provider");
        if (!string.IsNullOrEmpty(provider) && provider != "COGNITO" && !IdentityProviders.Any(p => p.ProviderName == provider))
        {
            return Text(400, "invalid_request: identity_provider is not configured for this user pool");
        }

        var idpIdentifier = Q("idp_identifier");
        if (string.IsNullOrEmpty(provider) && !string.IsNullOrEmpty(idpIdentifier) &&
            !IdentityProviders.Any(p => p.IdpIdentifiers.Contains(idpIdentifier, StringComparer.OrdinalIgnoreCase)))
        {
            return Text(400, "invalid_request: no identity provider has that idp_identifier");
        }

        var code = Guid.NewGuid().ToString("N");
        _codes[code] = new AuthorizeRecord(code, Q("nonce"), Q("state"), redirectUri, Q("code_challenge"),
            Q("code_challenge_method"), Q("client_id"), Q("scope"));

        var location = QueryHelpers.AddQueryString(redirectUri, "code", code);
        if (Q("state") is { } state)
        {
            location = QueryHelpers.AddQueryString(location, "state", state);
        }

        return Redirect(location);
    }

    private IResponseMessage Token(IRequestMessage request)
    {
        if (TokenResponder?.Invoke(request) is { } custom)
        {
            return custom;
        }

        var form = ParseForm(request);
        var client = Authenticate(request, form);
        if (!client.Succeeded)
        {
            var error = CognitoClientAuthentication.Error(client, revoke: false);
            return Json(error.Status, error.Body);
        }

        if (form.TryGetValue("grant_type", out var refreshGrant) && refreshGrant == "refresh_token")
        {
            return Refresh(form);
        }

        if (!form.TryGetValue("grant_type", out var grant) || grant != "authorization_code")
        {
            return Json(400, new { error = "unsupported_grant_type" });
        }

        if (!form.TryGetValue("code", out var code) || !_codes.TryGetValue(code, out var record) || record.Redeemed)
        {
            return Json(400, new { error = "invalid_grant" });
        }

        // PKCE: a real pool checks the verifier against the challenge sent to /oauth2/authorize.
        if (record.CodeChallenge is not null &&
            (!form.TryGetValue("code_verifier", out var verifier) || TestTokens.S256(verifier) != record.CodeChallenge))
        {
            return Json(400, new { error = "invalid_grant", error_description = "code_verifier mismatch" });
        }

        if (!form.TryGetValue("redirect_uri", out var redirectUri) || redirectUri != record.RedirectUri)
        {
            return Json(400, new { error = "invalid_grant", error_description = "redirect_uri mismatch" });
        }

        if (record.ClientId is not null && record.ClientId != AppClientId)
        {
            return Json(400, new { error = "invalid_grant", error_description = "code issued to another client" });
        }

        record.Redeemed = true;
        var now = Time.GetUtcNow();
        var user = User;
        var idToken = IdTokenRequest(user, now, record.Nonce);
        CustomizeIdToken?.Invoke(idToken, record);
        var accessToken = AccessTokenRequest(user, now, record.Scope ?? "openid");

        var idJwt = TestTokens.Mint(idToken);
        var refreshToken = IssueRefreshToken(family: refreshFamily(idToken));
        _idTokens.Enqueue(idJwt);
        return Json(200, new Dictionary<string, object>
        {
            ["id_token"] = idJwt,
            ["access_token"] = TestTokens.Mint(accessToken),
            ["refresh_token"] = refreshToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)(AnnouncedExpiresIn ?? AccessTokenLifetime).TotalSeconds,
        });

        static string refreshFamily(TokenMintRequest id) =>
            id.Claims.GetValueOrDefault("origin_jti") as string ?? Guid.NewGuid().ToString();
    }

    /// <summary>When true, a refresh returns a new refresh token (Cognito's refresh-token rotation).</summary>
    public bool RotateRefreshTokens { get; set; }

    /// <summary>Refresh tokens the fake no longer accepts (revoked, user disabled).</summary>
    public ConcurrentBag<string> RejectedRefreshTokens { get; } = new();

    /// <summary>
    /// The refresh_token grant requests received since the last <see cref="Reset"/> that present a refresh token
    /// issued since then (a slow response of an earlier test may still be logged after the reset).
    /// </summary>
    public IReadOnlyList<IRequestMessage> RefreshRequests =>
        RequestsTo("/oauth2/token")
            .Select(r => (Request: r, Form: ParseForm(r)))
            .Where(x => x.Form.GetValueOrDefault("grant_type") == "refresh_token" && _refreshTokens.Contains(x.Form.GetValueOrDefault("refresh_token") ?? string.Empty))
            .Select(x => x.Request)
            .ToList();

    private IResponseMessage Refresh(Dictionary<string, string> form)
    {
        var now = Time.GetUtcNow();
        if (!form.TryGetValue("refresh_token", out var presented) || !_refreshRecords.TryGetValue(presented, out var record)
            || RejectedRefreshTokens.Contains(presented) || _revokedFamilies.ContainsKey(record.Family))
        {
            return Json(400, new { error = "invalid_grant", error_description = "Refresh Token has been revoked" });
        }

        // Rotation: the replaced token stays usable only within the grace period after its first rotation.
        if (record.RotatedAt is { } rotatedAt && now >= rotatedAt + RefreshTokenRotationGracePeriod)
        {
            return Json(400, new { error = "invalid_grant", error_description = "Invalid Refresh Token" });
        }

        var user = User;
        var idToken = IdTokenRequest(user, now, nonce: null);
        CustomizeRefreshedIdToken?.Invoke(idToken);
        var idJwt = TestTokens.Mint(idToken);
        var accessJwt = TestTokens.Mint(AccessTokenRequest(user, now, "openid email profile"));
        _idTokens.Enqueue(idJwt);
        var body = new Dictionary<string, object>
        {
            ["id_token"] = idJwt,
            ["access_token"] = accessJwt,
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)(AnnouncedExpiresIn ?? AccessTokenLifetime).TotalSeconds,
        };
        if (RotateRefreshTokens)
        {
            lock (record)
            {
                record.RotatedAt ??= now;
            }

            body["refresh_token"] = IssueRefreshToken(record.Family);
        }

        return Json(200, body);
    }

    private string IssueRefreshToken(string family)
    {
        var token = CognitoRefreshTokens.Create();
        _refreshRecords[token] = new RefreshTokenRecord(family);
        _refreshTokens.Enqueue(token);
        return token;
    }

    private sealed class RefreshTokenRecord(string family)
    {
        public string Family { get; } = family;

        public DateTimeOffset? RotatedAt { get; set; }
    }

    /// <summary>The claims of a Cognito ID token for <paramref name="user"/>, signed by <see cref="SigningKey"/> (shapes from the shared Cognito rules).</summary>
    public TokenMintRequest IdTokenRequest(TestUser user, DateTimeOffset now, string? nonce) => new()
    {
        SigningKey = SigningKey,
        Claims = Nullable(CognitoClaims.IdToken(Context(now), user.ToPrincipal(), IdTokenLifetime, nonce, atHash: null)),
    };

    /// <summary>The claims of a Cognito access token (no aud) for <paramref name="user"/>, signed by <see cref="SigningKey"/>.</summary>
    public TokenMintRequest AccessTokenRequest(TestUser user, DateTimeOffset now, string scope) => new()
    {
        SigningKey = SigningKey,
        Claims = Nullable(CognitoClaims.AccessToken(Context(now), user.ToPrincipal(), AccessTokenLifetime, scope)),
    };

    private CognitoTokenContext Context(DateTimeOffset now) => new(Authority, PoolId, AppClientId, now, now, Guid.NewGuid().ToString());

    private static Dictionary<string, object?> Nullable(Dictionary<string, object> claims) =>
        claims.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);

    private static IResponseMessage Redirect(string location)
    {
        var response = new ResponseMessage { StatusCode = 302, Headers = new Dictionary<string, WireMockList<string>>() };
        response.AddHeader("Location", location);
        return response;
    }

    private static IResponseMessage Html(int status, string body) => new ResponseMessage
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("text/html; charset=utf-8") },
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    public static IResponseMessage Json(int status, object body) => new ResponseMessage
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData
        {
            BodyAsString = JsonSerializer.Serialize(body),
            DetectedBodyType = BodyType.String,
            Encoding = Encoding.UTF8,
        },
    };

    public static IResponseMessage Text(int status, string body) => new ResponseMessage
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("text/plain") },
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        PrimaryKey.Dispose();
        if (_otherKey.IsValueCreated)
        {
            _otherKey.Value.Dispose();
        }
    }
}
