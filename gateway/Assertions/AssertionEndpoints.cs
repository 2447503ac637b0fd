using System.Text.Json;
using Gateway.Paths;

namespace Gateway.Assertions;

/// <summary>
/// The public keys of the assertion signing keys, anonymous and cacheable: a JWKS at
/// <c>/.well-known/gateway/jwks.json</c> and <c>{BasePath}/jwks.json</c>.
/// </summary>
internal static class AssertionEndpoints
{
    public static IEndpointRouteBuilder MapGatewayAssertionKeys(this IEndpointRouteBuilder endpoints, GatewayPaths paths)
    {
        endpoints.MapGet(GatewayPaths.WellKnownJwks, WriteJwksAsync).AllowAnonymous();
        endpoints.MapGet(paths.Jwks, WriteJwksAsync).AllowAnonymous();
        return endpoints;
    }

    private static async Task WriteJwksAsync(HttpContext context, AssertionKeyRing keys)
    {
        var published = await keys.PublishedKeysAsync();
        context.Response.Headers.CacheControl = $"public, max-age={(int)AssertionKeyRing.JwksMaxAge.TotalSeconds}";
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteStartArray("keys");
        foreach (var key in published)
        {
            json.WriteStartObject();
            json.WriteString("kty", "EC");
            json.WriteString("crv", "P-256");
            json.WriteString("x", key.X);
            json.WriteString("y", key.Y);
            json.WriteString("kid", key.KeyId);
            json.WriteString("use", "sig");
            json.WriteString("alg", "ES256");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
