using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Demo.Emulator;

/// <summary>What a test can see of a refresh token the emulator issued.</summary>
/// <param name="Token">The opaque refresh token.</param>
/// <param name="ClientId">The app client it was issued to.</param>
/// <param name="Username">The user it belongs to.</param>
/// <param name="IssuedAt">When it was issued.</param>
/// <param name="ExpiresAt">When it expires.</param>
/// <param name="RevokedAt">When <c>/oauth2/revoke</c> revoked it (directly or through its family); null if not revoked.</param>
/// <param name="RotatedAt">When a rotation replaced it; null if not rotated.</param>
public sealed record EmulatorRefreshTokenInfo(
    string Token, string ClientId, string Username, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? RotatedAt)
{
    /// <summary>True once revoked.</summary>
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>
/// The emulator's in-memory state (codes, refresh tokens, hosted-UI sessions) and counters. Resolve it from the
/// emulator's <c>app.Services</c> in tests to inspect revocations, disable users or count token requests.
/// </summary>
public sealed class EmulatorState
{
    private readonly ConcurrentDictionary<string, AuthorizationCodeEntry> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RefreshTokenEntry> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HostedUiSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revokedFamilies = new(StringComparer.Ordinal);
    private readonly CognitoEmulatorOptions _options;
    private readonly TimeProvider _time;
    private int _authorizeRequests;
    private int _successfulLogins;
    private int _failedLogins;
    private int _authorizationCodeGrants;
    private int _refreshTokenGrants;
    private int _failedTokenRequests;
    private int _revocations;
    private int _logouts;
    private int _userInfoRequests;

    internal EmulatorState(CognitoEmulatorOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Number of <c>GET /oauth2/authorize</c> requests.</summary>
    public int AuthorizeRequests => Volatile.Read(ref _authorizeRequests);

    /// <summary>Number of successful hosted-UI sign-ins (form posts, not silent session re-use).</summary>
    public int SuccessfulLogins => Volatile.Read(ref _successfulLogins);

    /// <summary>Number of rejected hosted-UI sign-ins.</summary>
    public int FailedLogins => Volatile.Read(ref _failedLogins);

    /// <summary>Number of successful <c>authorization_code</c> grants.</summary>
    public int AuthorizationCodeGrants => Volatile.Read(ref _authorizationCodeGrants);

    /// <summary>Number of successful <c>refresh_token</c> grants.</summary>
    public int RefreshTokenGrants => Volatile.Read(ref _refreshTokenGrants);

    /// <summary>Number of token-endpoint requests answered with an error.</summary>
    public int FailedTokenRequests => Volatile.Read(ref _failedTokenRequests);

    /// <summary>Number of accepted <c>POST /oauth2/revoke</c> requests.</summary>
    public int Revocations => Volatile.Read(ref _revocations);

    /// <summary>Number of accepted <c>GET /logout</c> requests (the ones that redirected).</summary>
    public int Logouts => Volatile.Read(ref _logouts);

    /// <summary>Number of <c>/oauth2/userInfo</c> requests.</summary>
    public int UserInfoRequests => Volatile.Read(ref _userInfoRequests);

    /// <summary>Hosted-UI sessions (the <c>cognito</c> cookie) that are still valid.</summary>
    public int ActiveHostedUiSessions
    {
        get
        {
            var now = _time.GetUtcNow();
            return _sessions.Values.Count(s => s.ExpiresAt > now);
        }
    }

    /// <summary>Every refresh token issued so far, oldest first.</summary>
    public IReadOnlyList<EmulatorRefreshTokenInfo> RefreshTokens =>
        _refreshTokens.Select(p => ToInfo(p.Key, p.Value)).OrderBy(i => i.IssuedAt).ToArray();

    /// <summary>True if <paramref name="refreshToken"/> was issued and has been revoked.</summary>
    public bool IsRefreshTokenRevoked(string refreshToken) =>
        _refreshTokens.TryGetValue(refreshToken, out var entry) && RevokedAt(entry) is not null;

    /// <summary>Enables or disables a user (a disabled user cannot sign in and cannot refresh). Returns false for an unknown user.</summary>
    public bool SetUserEnabled(string username, bool enabled)
    {
        var user = _options.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.OrdinalIgnoreCase));
        if (user is null)
        {
            return false;
        }

        user.Enabled = enabled;
        return true;
    }

    /// <summary>Ends every hosted-UI session, as if every browser's <c>cognito</c> cookie had expired.</summary>
    public void EndAllHostedUiSessions() => _sessions.Clear();

    internal void CountAuthorize() => Interlocked.Increment(ref _authorizeRequests);

    internal void CountLogin(bool success)
    {
        if (success)
        {
            Interlocked.Increment(ref _successfulLogins);
        }
        else
        {
            Interlocked.Increment(ref _failedLogins);
        }
    }

    internal void CountFailedTokenRequest() => Interlocked.Increment(ref _failedTokenRequests);

    internal void CountLogout() => Interlocked.Increment(ref _logouts);

    internal void CountUserInfo() => Interlocked.Increment(ref _userInfoRequests);

    // ---- hosted-UI sessions ----

    internal string CreateSession(string username, DateTimeOffset authTime)
    {
        var id = NewOpaque(32);
        _sessions[id] = new HostedUiSession(username, authTime, authTime + _options.HostedUiSessionLifetime);
        PurgeExpired();
        return id;
    }

    internal HostedUiSession? FindSession(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        if (session.ExpiresAt <= _time.GetUtcNow())
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        return session;
    }

    internal void EndSession(string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            _sessions.TryRemove(id, out _);
        }
    }

    // ---- authorization codes ----

    internal string CreateCode(AuthorizationCodeEntry entry)
    {
        var code = Guid.NewGuid().ToString();
        _codes[code] = entry;
        return code;
    }

    /// <summary>Removes the code (single use, even when the redemption then fails) and returns it if it was unexpired.</summary>
    internal AuthorizationCodeEntry? RedeemCode(string code)
    {
        if (!_codes.TryRemove(code, out var entry))
        {
            return null;
        }

        return entry.ExpiresAt > _time.GetUtcNow() ? entry : null;
    }

    // ---- refresh tokens ----

    internal string CreateRefreshToken(string clientId, string username, string scope, DateTimeOffset authTime, string originJti)
    {
        var token = CognitoRefreshTokens.Create();
        var now = _time.GetUtcNow();
        _refreshTokens[token] = new RefreshTokenEntry(clientId, username, scope, authTime, originJti, now, now + _options.RefreshTokenLifetime);
        return token;
    }

    internal RefreshTokenEntry? FindUsableRefreshToken(string token)
    {
        if (!_refreshTokens.TryGetValue(token, out var entry))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (entry.ExpiresAt <= now || RevokedAt(entry) is not null)
        {
            return null;
        }

        if (entry.RotatedAt is { } rotatedAt && rotatedAt + _options.RefreshTokenRotationGracePeriod <= now)
        {
            return null;
        }

        return entry;
    }

    internal void MarkRotated(RefreshTokenEntry entry)
    {
        lock (entry)
        {
            entry.RotatedAt ??= _time.GetUtcNow();
        }
    }

    /// <summary>Revokes the token's family (the token, its rotations, and the access tokens issued from them). Returns the token's entry if known.</summary>
    internal RefreshTokenEntry? Revoke(string token, string clientId)
    {
        Interlocked.Increment(ref _revocations);
        if (!_refreshTokens.TryGetValue(token, out var entry))
        {
            return null;
        }

        if (string.Equals(entry.ClientId, clientId, StringComparison.Ordinal))
        {
            _revokedFamilies.TryAdd(entry.OriginJti, _time.GetUtcNow());
        }

        return entry;
    }

    internal bool IsFamilyRevoked(string? originJti) => originJti is not null && _revokedFamilies.ContainsKey(originJti);

    internal void CountGrant(bool refresh)
    {
        if (refresh)
        {
            Interlocked.Increment(ref _refreshTokenGrants);
        }
        else
        {
            Interlocked.Increment(ref _authorizationCodeGrants);
        }
    }

    internal static string NewOpaque(int bytes) => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(bytes));

    private DateTimeOffset? RevokedAt(RefreshTokenEntry entry) =>
        _revokedFamilies.TryGetValue(entry.OriginJti, out var at) ? at : null;

    private EmulatorRefreshTokenInfo ToInfo(string token, RefreshTokenEntry entry) =>
        new(token, entry.ClientId, entry.Username, entry.IssuedAt, entry.ExpiresAt, RevokedAt(entry), entry.RotatedAt);

    private void PurgeExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.ExpiresAt <= now)
            {
                _sessions.TryRemove(id, out _);
            }
        }

        foreach (var (code, entry) in _codes)
        {
            if (entry.ExpiresAt <= now)
            {
                _codes.TryRemove(code, out _);
            }
        }
    }
}

internal sealed record HostedUiSession(string Username, DateTimeOffset AuthTime, DateTimeOffset ExpiresAt);

internal sealed record AuthorizationCodeEntry(
    string ClientId, string RedirectUri, string Scope, string? Nonce, string? CodeChallenge,
    string Username, DateTimeOffset AuthTime, DateTimeOffset ExpiresAt);

internal sealed class RefreshTokenEntry(
    string clientId, string username, string scope, DateTimeOffset authTime, string originJti, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
{
    public string ClientId { get; } = clientId;
    public string Username { get; } = username;
    public string Scope { get; } = scope;
    public DateTimeOffset AuthTime { get; } = authTime;
    public string OriginJti { get; } = originJti;
    public DateTimeOffset IssuedAt { get; } = issuedAt;
    public DateTimeOffset ExpiresAt { get; } = expiresAt;
    public DateTimeOffset? RotatedAt { get; set; }
}
