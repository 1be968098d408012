using System.Net;
using System.Net.Sockets;

namespace EsDr.TestSupport;

/// <summary>Ports and HTTP listeners on 127.0.0.1 for the real servers and stand-ins tests start.</summary>
public static class Loopback
{
    /// <summary>A TCP port free on 127.0.0.1 right now (the kernel picks it; another process may take it later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A started <see cref="HttpListener"/> on a free port and its base address. HttpListener cannot bind port 0,
    /// so a free port is picked first; it is retried a few times because another process may take it meanwhile.
    /// </summary>
    public static (HttpListener Listener, Uri BaseAddress) StartHttpListener()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, new Uri($"http://127.0.0.1:{port}/"));
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }
}
