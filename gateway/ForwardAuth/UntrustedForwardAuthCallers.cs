using System.Collections.Concurrent;
using System.Net;

namespace Gateway.ForwardAuth;

/// <summary>
/// Remembers which addresses have already been told (in the log) that they are not in <c>Gateway:TrustedProxies</c>:
/// one configuration error per address instead of one per request, with a bounded set so that a flood of
/// addresses cannot grow memory (beyond the bound, new addresses are no longer logged).
/// </summary>
internal sealed class UntrustedForwardAuthCallers
{
    public const int MaxAddresses = 1024;

    private readonly ConcurrentDictionary<IPAddress, byte> _reported = new();

    /// <summary>True the first time an address is seen (while fewer than <see cref="MaxAddresses"/> are remembered).</summary>
    public bool FirstTime(IPAddress address) => _reported.Count < MaxAddresses && _reported.TryAdd(address, 0);
}
