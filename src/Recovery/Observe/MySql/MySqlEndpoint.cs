using System.Globalization;

namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// Where and as whom to reach one region's MySQL/MariaDB server over TCP. The password stays in memory: it goes to
/// the driver only, and <see cref="ToString"/> leaves it out.
/// </summary>
internal sealed class MySqlEndpoint(string region, string host, int port, string user, string password)
{
    public string Region { get; } = region;
    public string Host { get; } = host;
    public int Port { get; } = port;
    public string User { get; } = user;
    public string Password { get; } = password;

    /// <summary>
    /// PEM file of the CA the server's certificate must chain to (the stack's CA). Null: the system's trust store.
    /// TLS is required and its chain verified either way.
    /// </summary>
    public string? CaPath { get; init; }

    public override string ToString() => $"{User}@{Host}:{Port.ToString(CultureInfo.InvariantCulture)} ({Region})";
}
