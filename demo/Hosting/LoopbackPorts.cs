using System.Net;
using System.Net.Sockets;

namespace Gateway.Demo.Hosting;

/// <summary>Ports for servers whose URL must be known before they start (a callback URL registered with the stand-in).</summary>
public static class LoopbackPorts
{
    /// <summary>A free port on 127.0.0.1, released at once.</summary>
    public static int Reserve()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// False when something already listens on the loopback address and port of <paramref name="url"/> (<c>localhost</c>
    /// checked as 127.0.0.1): asked before starting, so a busy port is one line rather than the host's failure and stack trace.
    /// </summary>
    public static bool IsFree(string url)
    {
        var uri = new Uri(url);
        var address = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : IPAddress.Loopback;
        try
        {
            var listener = new TcpListener(address, uri.Port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return false;
        }
    }
}
