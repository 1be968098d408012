using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EsDr.Recovery;

/// <summary>
/// <c>--listen address:port</c> of <c>watch</c> and <c>serve</c>: parsed, and checked by binding it once before the
/// stack is loaded, so that an address this host does not have (exit 2) or a port it cannot take (exit 69) is said in
/// one line at once. The same words describe a failure of the real bind (a race, or what the check could not see).
/// </summary>
internal sealed record ListenAddress(string Text, string Url, IPEndPoint Endpoint, bool IsLocalhost)
{
    /// <summary><c>ip:port</c>, <c>[ipv6]:port</c> or <c>localhost:port</c>; null when it is none of them.</summary>
    public static ListenAddress? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            return null;
        var host = text[..colon];
        var isLocalhost = host == "localhost";
        if (!isLocalhost && !IPAddress.TryParse(host.Trim('[', ']'), out _))
            return null;
        var address = isLocalhost ? IPAddress.Loopback : IPAddress.Parse(host.Trim('[', ']'));
        return new ListenAddress(text, $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}", new IPEndPoint(address, port), isLocalhost);
    }

    /// <summary>Why the listener could not be bound here, with the exit code; null when a bind works now.</summary>
    public (string Message, int ExitCode)? Problem()
    {
        // Kestrel picks one free port for one address, and localhost is two (127.0.0.1 and ::1).
        if (IsLocalhost && Endpoint.Port == 0)
            return ($"--listen {Text}: a free port (0) needs an address, e.g. 127.0.0.1:0", ExitCodes.Usage);
        try
        {
            using var socket = new Socket(Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true); // as Kestrel binds
            socket.Bind(Endpoint);
            return null;
        }
        catch (SocketException e)
        {
            return Describe(e);
        }
    }

    /// <summary>The failure of the real bind in the same words; null when it is not a bind failure.</summary>
    public (string Message, int ExitCode)? Describe(Exception failure) => failure switch
    {
        SocketException s => Describe(s),
        // Kestrel's AddressInUseException is an IOException carrying a SocketException.
        IOException { InnerException: SocketException s } => Describe(s),
        IOException io => ($"cannot listen on {Text}: {io.Message}", ExitCodes.Unavailable),
        _ => null,
    };

    private (string Message, int ExitCode) Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable => ($"--listen {Text}: {Endpoint.Address} is not an address of this host", ExitCodes.Usage),
        SocketError.AddressAlreadyInUse => ($"cannot listen on {Text}: the port is in use by another process", ExitCodes.Unavailable),
        SocketError.AccessDenied => ($"cannot listen on {Text}: not allowed (ports below 1024 need privileges)", ExitCodes.Unavailable),
        _ => ($"cannot listen on {Text}: {e.Message}", ExitCodes.Unavailable),
    };
}
