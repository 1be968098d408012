namespace EsDr.Infra.Renderers.Database;

/// <summary>Which server the VM runs. Option names, GTID mode and replication SQL differ between them.</summary>
public enum MySqlFlavor
{
    /// <summary>MariaDB 10.11 or later (Debian 12's <c>mariadb-server</c>).</summary>
    MariaDb,

    /// <summary>MySQL 8.0.26 or later (the release that renamed master/slave options to source/replica).</summary>
    MySql,
}

/// <summary>The server's part in replication. Recovery flips it by re-running the stack.</summary>
public enum MySqlRole
{
    Primary,
    Replica,
}

/// <summary>PEM files on the database VM. The same CA verifies the peer when this server is the replica.</summary>
public sealed record MySqlTlsFiles(string CaPath, string CertificatePath, string KeyPath);

/// <summary>What one database server needs in its my.cnf.</summary>
/// <param name="ServerId">Unique among every server that replicates together; 0 is refused (a replica with id 0 never connects).</param>
/// <param name="BindAddress">
/// The private address (or a Pulumi reference to it). Required, with no default, so 3306 is never
/// opened on every interface by accident.
/// </param>
public sealed record MySqlServerSettings(MySqlRole Role, uint ServerId, string BindAddress, MySqlTlsFiles Tls)
{
    public MySqlFlavor Flavor { get; init; } = MySqlFlavor.MariaDb;
    public int Port { get; init; } = 3306;
    public string DataDir { get; init; } = "/var/lib/mysql";
    public string Socket { get; init; } = "/run/mysqld/mysqld.sock";
    public string PidFile { get; init; } = "/run/mysqld/mysqld.pid";

    /// <summary>
    /// Semi-synchronous replication: the primary's commit returns once the replica has the transaction
    /// in its relay log, or after <see cref="SemiSyncTimeoutMs"/> when it does not answer (the primary
    /// then carries on asynchronously until the replica catches up).
    /// </summary>
    public bool SemiSync { get; init; }

    /// <summary>Cross-region round trips are tens of milliseconds; the server default is 10 s.</summary>
    public int SemiSyncTimeoutMs { get; init; } = 10_000;

    /// <summary>Refuse any TCP client that does not speak TLS (the socket stays usable for local admin).</summary>
    public bool RequireSecureTransport { get; init; } = true;

    /// <summary>
    /// Binary logs kept this long, so a replica that was down for less catches up by GTID instead of
    /// being rebuilt from a dump.
    /// </summary>
    public int BinlogRetentionHours { get; init; } = 168;
}
