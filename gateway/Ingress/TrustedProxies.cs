using System.Net;
using Gateway.Configuration;

namespace Gateway.Ingress;

/// <summary>
/// "Gateway:TrustedProxies" as networks, checked against the transport peer of a request (the address that actually
/// connected), not the client address the forwarded-headers middleware may have put in its place.
/// </summary>
internal sealed class TrustedProxies
{
    private readonly System.Net.IPNetwork[] _networks;

    public TrustedProxies(GatewayOptions options)
    {
        _networks = options.TrustedProxies
            .Select(entry => UriRules.TryParseNetwork(entry, out var network) ? network : (System.Net.IPNetwork?)null)
            .OfType<System.Net.IPNetwork>()
            .ToArray();
    }

    public bool IsTrusted(HttpContext context)
    {
        var peer = PeerOf(context);
        return peer is not null && _networks.Length > 0 && _networks.Any(n => n.Contains(peer));
    }

    /// <summary>The address that actually connected (IPv4-mapped addresses as IPv4).</summary>
    public static IPAddress? PeerOf(HttpContext context)
    {
        var peer = context.Features.Get<TransportPeerFeature>()?.Address ?? context.Connection.RemoteIpAddress;
        return peer is { IsIPv4MappedToIPv6: true } ? peer.MapToIPv4() : peer;
    }

    /// <summary>Records the transport peer before <c>UseForwardedHeaders</c> replaces <c>RemoteIpAddress</c> with the client's.</summary>
    public static Task RecordPeerAsync(HttpContext context, RequestDelegate next)
    {
        context.Features.Set(new TransportPeerFeature(context.Connection.RemoteIpAddress));
        return next(context);
    }
}

internal sealed record TransportPeerFeature(IPAddress? Address);
