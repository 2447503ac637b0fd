using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Demo.SampleApp;

/// <summary>
/// What a backend that does not trust the network does with the gateway's <c>X-Gateway-Assertion</c>: verifies it with a
/// stock JWT library (Microsoft.IdentityModel) against the gateway's JWKS URL, and nothing else of the gateway. The key
/// set is fetched once and again when a token names a key it does not hold (after a key rotation), at most every 10 s.
/// </summary>
public sealed class AssertionCheck(string gatewayOrigin)
{
    public const string Header = "X-Gateway-Assertion";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly string _jwksUrl = gatewayOrigin.TrimEnd('/') + "/.well-known/gateway/jwks.json";
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private JsonWebKeySet? _keys;
    private DateTimeOffset _fetchedAt;

    /// <summary>One line of HTML for the page: verified (with algorithm and kid), absent, or why it failed.</summary>
    public async Task<string> DescribeAsync(HttpRequest request)
    {
        var token = request.Headers[Header].ToString();
        if (token.Length == 0)
        {
            return "<p id=\"assertion\">No signed assertion received (X-Gateway-Assertion).</p>";
        }

        var result = await VerifyAsync(token);
        if (!result.IsValid)
        {
            return $"<p id=\"assertion\">assertion NOT verified: {WebUtility.HtmlEncode(result.Exception?.GetType().Name ?? "invalid")}</p>";
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        return $"<p id=\"assertion\">assertion verified ({WebUtility.HtmlEncode(jwt.Alg)}, kid {WebUtility.HtmlEncode(jwt.Kid)}): " +
               $"sub <code>{WebUtility.HtmlEncode(jwt.Subject)}</code>, expires {jwt.ValidTo:HH:mm:ss} UTC</p>";
    }

    public async Task<TokenValidationResult> VerifyAsync(string token)
    {
        var kid = _handler.CanReadToken(token) ? _handler.ReadJsonWebToken(token).Kid : null;
        var keys = await KeysAsync(kid);
        return await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidIssuer = gatewayOrigin.TrimEnd('/'),
            ValidAudience = gatewayOrigin.TrimEnd('/'),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
        });
    }

    private async Task<JsonWebKeySet> KeysAsync(string? kid)
    {
        await _gate.WaitAsync();
        try
        {
            var known = _keys is not null && (kid is null || _keys.Keys.Any(k => k.Kid == kid));
            var stale = DateTimeOffset.UtcNow - _fetchedAt > (known ? TimeSpan.FromMinutes(5) : TimeSpan.FromSeconds(10));
            if (_keys is null || stale)
            {
                try
                {
                    _keys = new JsonWebKeySet(await Http.GetStringAsync(_jwksUrl));
                    _fetchedAt = DateTimeOffset.UtcNow;
                }
                catch (HttpRequestException) when (_keys is not null)
                {
                    // Keep the keys already held.
                }
            }

            return _keys!;
        }
        finally
        {
            _gate.Release();
        }
    }
}
