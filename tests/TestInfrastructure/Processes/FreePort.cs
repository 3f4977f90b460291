using System.Net;
using System.Net.Sockets;

namespace LayerLens.TestInfrastructure.Processes;

/// <summary>Loopback ports for the servers fixtures start.</summary>
public static class FreePort
{
    /// <summary>A port the kernel just handed out on 127.0.0.1; servers retry when another process wins the race.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
