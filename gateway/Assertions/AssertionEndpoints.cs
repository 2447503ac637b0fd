using System.Text.Json;
using Gateway.Configuration;
using Gateway.Paths;

namespace Gateway.Assertions;

/// <summary>
/// The public keys of the assertion signing keys, anonymous and cacheable: a JWKS at
/// <c>/.well-known/gateway/jwks.json</c> and <c>{BasePath}/jwks.json</c>, and one PEM per key for the ALB profile.
/// </summary>
internal static class AssertionEndpoints
{
    public static IEndpointRouteBuilder MapGatewayAssertionKeys(this IEndpointRouteBuilder endpoints, GatewayPaths paths, GatewayOptions options)
    {
        endpoints.MapGet(GatewayPaths.WellKnownJwks, WriteJwksAsync).AllowAnonymous();
        endpoints.MapGet(paths.Jwks, WriteJwksAsync).AllowAnonymous();
        var albKeys = string.IsNullOrWhiteSpace(options.Alb.PublicKeysPath) ? paths.AlbKeys : options.Alb.PublicKeysPath.Trim();
        endpoints.MapGet(albKeys + "/{kid}", WritePemAsync).AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// The ALB profile's key endpoint: the PEM (SubjectPublicKeyInfo) of a published key, as AWS's
    /// <c>https://public-keys.auth.elb.REGION.amazonaws.com/{kid}</c> answers; 404 for any other kid.
    /// </summary>
    private static async Task WritePemAsync(HttpContext context, string kid, AssertionKeyRing keys)
    {
        if (kid.Length > 100 || await keys.FindPublishedAsync(kid) is not { } key)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("No such key.", context.RequestAborted);
            return;
        }

        context.Response.Headers.CacheControl = $"public, max-age={(int)AssertionKeyRing.JwksMaxAge.TotalSeconds}";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(key.PublicKeyPem, context.RequestAborted);
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
