using System.Net;
using System.Net.Sockets;

namespace Berth.Testing;

/// <summary>Loopback ports for tests: picked by the kernel, never fixed numbers that another run may hold.</summary>
public static class FreePort
{
    /// <summary>A port that was free on 127.0.0.1 a moment ago (closed again, so nothing answers on it).</summary>
    public static int Loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
