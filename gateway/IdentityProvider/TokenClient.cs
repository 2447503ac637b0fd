using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Configuration;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Gateway.IdentityProvider;

/// <summary>
/// Calls the provider's token and revocation endpoints with the app client's credentials:
/// <c>client_secret_basic</c> when a secret is configured (Cognito requires it on every call then),
/// otherwise a public client with <c>client_id</c> in the body.
/// </summary>
internal sealed class TokenClient(
    IdentityProviderSettings settings,
    ProviderMetadata metadata,
    IHttpClientFactory httpClientFactory,
    ILogger<TokenClient> logger)
{
    public async Task<OpenIdConnectMessage> RedeemCodeAsync(string code, string redirectUri, string? codeVerifier, CancellationToken cancel)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
        };
        if (!string.IsNullOrEmpty(codeVerifier))
        {
            form["code_verifier"] = codeVerifier;
        }

        var configuration = await metadata.GetConfigurationAsync(cancel);
        return await PostTokenRequestAsync(configuration.TokenEndpoint, form, cancel);
    }

    public async Task<OpenIdConnectMessage> RefreshAsync(string refreshToken, CancellationToken cancel)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        };
        var configuration = await metadata.GetConfigurationAsync(cancel);
        return await PostTokenRequestAsync(configuration.TokenEndpoint, form, cancel);
    }

    /// <summary>Revokes a refresh token (and, at Cognito, the tokens issued from it). Returns false when the provider has no revocation endpoint.</summary>
    public async Task<bool> RevokeAsync(string refreshToken, CancellationToken cancel)
    {
        var configuration = await metadata.GetConfigurationAsync(cancel);
        var endpoint = ProviderMetadata.RevocationEndpoint(configuration);
        if (string.IsNullOrEmpty(endpoint))
        {
            return false;
        }

        var form = new Dictionary<string, string> { ["token"] = refreshToken, ["token_type_hint"] = "refresh_token" };
        using var response = await SendAsync(endpoint, form, "revocation", cancel);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancel);
            throw new TokenRequestRejectedException(error, (int)response.StatusCode);
        }

        return true;
    }

    private async Task<OpenIdConnectMessage> PostTokenRequestAsync(string endpoint, Dictionary<string, string> form, CancellationToken cancel)
    {
        using var response = await SendAsync(endpoint, form, "token", cancel);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorAsync(response, cancel);
            logger.TokenEndpointFailed("token", $"HTTP {(int)response.StatusCode} {error}");
            throw new TokenRequestRejectedException(error, (int)response.StatusCode);
        }

        var body = await response.Content.ReadAsStringAsync(cancel);
        try
        {
            return new OpenIdConnectMessage(body);
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException)
        {
            throw new IdentityProviderUnavailableException("The token endpoint answered with something that is not JSON.", ex);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string endpoint, Dictionary<string, string> form, string name, CancellationToken cancel)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || !UriRules.IsSecureOrLoopback(uri))
        {
            throw new IdentityProviderUnavailableException($"The {name} endpoint is missing or not https.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        if (settings.ClientSecret is { } secret)
        {
            // RFC 6749 §2.3.1: form-encode id and secret, then Base64 "id:secret".
            var credentials = Uri.EscapeDataString(settings.ClientId) + ":" + Uri.EscapeDataString(secret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form["client_id"] = settings.ClientId;
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        HttpResponseMessage response;
        try
        {
            response = await httpClientFactory.CreateClient(ProviderMetadata.HttpClientName).SendAsync(request, cancel);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            logger.TokenEndpointFailed(name, Observability.FailureCause.Describe(ex));
            throw new IdentityProviderUnavailableException($"The {name} endpoint could not be reached.", ex);
        }

        if ((int)response.StatusCode >= 500)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            logger.TokenEndpointFailed(name, $"HTTP {status}");
            throw new IdentityProviderUnavailableException($"The {name} endpoint answered HTTP {status}.");
        }

        return response;
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancel);
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object &&
                json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                // Only the OAuth error code: error_description may carry user data.
                var code = error.GetString() ?? "unknown_error";
                return code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && code.Length <= 64 ? code : "unknown_error";
            }
        }
        catch (JsonException)
        {
        }

        return "unknown_error";
    }
}
