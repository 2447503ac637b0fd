using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
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
/// </summary>
public sealed class FakeCognito : IDisposable
{
    public const string PoolId = "us-east-1_TestPool1";
    public const string ClientId = "3n4b5urk1ft4fl3mg5e62d9ado";

    private static readonly Guid JwksMappingGuid = Guid.Parse("6a4b8d3e-1f2a-4c5b-9d7e-0a1b2c3d4e5f");
    private readonly ConcurrentDictionary<string, AuthorizeRecord> _codes = new();
    private readonly ConcurrentQueue<string> _refreshTokens = new();
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

    public TestUser User { get; set; } = TestUser.Default;

    /// <summary>Per-test hook: change the ID token before it is signed.</summary>
    public Action<TokenMintRequest, AuthorizeRecord>? CustomizeIdToken { get; set; }

    /// <summary>Per-test hook: change the ID token a refresh_token grant returns before it is signed.</summary>
    public Action<TokenMintRequest>? CustomizeRefreshedIdToken { get; set; }

    /// <summary>Per-test hook: answer the token request instead of the default minting (return null to fall through).</summary>
    public Func<IRequestMessage, IResponseMessage?>? TokenResponder { get; set; }

    public IReadOnlyCollection<string> IssuedRefreshTokens => _refreshTokens.ToArray();

    public IReadOnlyCollection<string> IssuedIdTokens => _idTokens.ToArray();

    public IReadOnlyDictionary<string, AuthorizeRecord> Codes => _codes;

    /// <summary>Restores default behaviour, mappings and an empty request log. Call from each test's constructor.</summary>
    public void Reset()
    {
        Server.Reset();
        _codes.Clear();
        _refreshTokens.Clear();
        _idTokens.Clear();
        SigningKey = PrimaryKey;
        User = TestUser.Default;
        CustomizeIdToken = null;
        CustomizeRefreshedIdToken = null;
        TokenResponder = null;
        RotateRefreshTokens = false;
        RejectedRefreshTokens.Clear();
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
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(string.Empty));

        Server.Given(Request.Create().WithPath("/logout").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Content-Type", "text/html").WithBody("<html><body>Signed out of the hosted UI</body></html>"));

        Server.Given(Request.Create().WithPath("/oauth2/userInfo").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new Dictionary<string, object>
            {
                ["sub"] = User.Sub,
                ["email"] = User.Email,
                ["email_verified"] = "true",
                ["username"] = User.Username,
            })));
    }

    private IResponseMessage Authorize(IRequestMessage request)
    {
        var query = QueryHelpers.ParseQuery(request.RawQuery ?? string.Empty);
        string? Q(string key) => query.TryGetValue(key, out var v) ? v.ToString() : null;

        var redirectUri = Q("redirect_uri");
        if (string.IsNullOrEmpty(redirectUri))
        {
            return Text(400, "redirect_mismatch");
        }

        var code = Guid.NewGuid().ToString("N");
        _codes[code] = new AuthorizeRecord(code, Q("nonce"), Q("state"), redirectUri, Q("code_challenge"),
            Q("code_challenge_method"), Q("client_id"), Q("scope"));

        var location = QueryHelpers.AddQueryString(redirectUri, "code", code);
        if (Q("state") is { } state)
        {
            location = QueryHelpers.AddQueryString(location, "state", state);
        }

        var response = new ResponseMessage { StatusCode = 302, Headers = new Dictionary<string, WireMockList<string>>() };
        response.AddHeader("Location", location);
        return response;
    }

    private IResponseMessage Token(IRequestMessage request)
    {
        if (TokenResponder?.Invoke(request) is { } custom)
        {
            return custom;
        }

        var form = ParseForm(request);
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

        if (form.TryGetValue("redirect_uri", out var redirectUri) && redirectUri != record.RedirectUri)
        {
            return Json(400, new { error = "invalid_grant", error_description = "redirect_uri mismatch" });
        }

        record.Redeemed = true;
        var now = DateTimeOffset.UtcNow;
        var user = User;
        var idToken = IdTokenRequest(user, now, record.Nonce);
        CustomizeIdToken?.Invoke(idToken, record);
        var accessToken = AccessTokenRequest(user, now, record.Scope ?? "openid");

        var idJwt = TestTokens.Mint(idToken);
        var refreshToken = "rt-" + Guid.NewGuid().ToString("N");
        _idTokens.Enqueue(idJwt);
        _refreshTokens.Enqueue(refreshToken);
        return Json(200, new Dictionary<string, object>
        {
            ["id_token"] = idJwt,
            ["access_token"] = TestTokens.Mint(accessToken),
            ["refresh_token"] = refreshToken,
            ["token_type"] = "Bearer",
            ["expires_in"] = 3600,
        });
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
        if (!form.TryGetValue("refresh_token", out var presented) || !_refreshTokens.Contains(presented) || RejectedRefreshTokens.Contains(presented))
        {
            return Json(400, new { error = "invalid_grant", error_description = "Refresh Token has been revoked" });
        }

        var now = DateTimeOffset.UtcNow;
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
            ["expires_in"] = 3600,
        };
        if (RotateRefreshTokens)
        {
            var rotated = "rt-" + Guid.NewGuid().ToString("N");
            _refreshTokens.Enqueue(rotated);
            body["refresh_token"] = rotated;
        }

        return Json(200, body);
    }

    /// <summary>The claims of a Cognito ID token for <paramref name="user"/>, signed by <see cref="SigningKey"/>.</summary>
    public TokenMintRequest IdTokenRequest(TestUser user, DateTimeOffset now, string? nonce)
    {
        var claims = new Dictionary<string, object?>
        {
            ["sub"] = user.Sub,
            ["aud"] = ClientId,
            ["iss"] = Authority,
            ["token_use"] = "id",
            ["email"] = user.Email,
            ["email_verified"] = true,
            ["cognito:username"] = user.Username,
            ["cognito:groups"] = user.Groups.ToArray(),
            ["auth_time"] = TestTokens.UnixTime(now),
            ["iat"] = TestTokens.UnixTime(now),
            ["exp"] = TestTokens.UnixTime(now.AddHours(1)),
            ["jti"] = Guid.NewGuid().ToString(),
            ["origin_jti"] = Guid.NewGuid().ToString(),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        return new TokenMintRequest { SigningKey = SigningKey, Claims = claims };
    }

    /// <summary>The claims of a Cognito access token (no aud) for <paramref name="user"/>, signed by <see cref="SigningKey"/>.</summary>
    public TokenMintRequest AccessTokenRequest(TestUser user, DateTimeOffset now, string scope) => new()
    {
        SigningKey = SigningKey,
        Claims = new Dictionary<string, object?>
        {
            ["sub"] = user.Sub,
            ["iss"] = Authority,
            ["client_id"] = ClientId,
            ["token_use"] = "access",
            ["scope"] = scope,
            ["username"] = user.Username,
            ["cognito:groups"] = user.Groups.ToArray(),
            ["auth_time"] = TestTokens.UnixTime(now),
            ["iat"] = TestTokens.UnixTime(now),
            ["exp"] = TestTokens.UnixTime(now.AddHours(1)),
            ["jti"] = Guid.NewGuid().ToString(),
        },
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
