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
}
