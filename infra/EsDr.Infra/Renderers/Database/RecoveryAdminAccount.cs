
namespace EsDr.Infra.Renderers.Database;

/// <summary>
/// The account the recovery program uses to fence and promote: read and flip <c>read_only</c>, stop, reset and
/// start replication, read replication and binary-log state, and end client sessions. No data privileges. Over
/// TLS only, from any address: which hosts reach 3306 at all is the firewall's business, since the recovery
/// host's address is not known to the stack.
/// </summary>
public sealed record RecoveryAdminAccount(string Password)
{
    public const string DefaultUser = "esdr_admin";

    public MySqlFlavor Flavor { get; init; } = MySqlFlavor.MariaDb;
    public string User { get; init; } = DefaultUser;

    /// <summary>MariaDB 10.11 names its fine-grained privileges with spaces; MySQL 8 has dynamic privileges with underscores.</summary>
    public IReadOnlyList<string> Privileges => Flavor == MySqlFlavor.MariaDb
        ? ["READ_ONLY ADMIN", "REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN", "BINLOG ADMIN", "SLAVE MONITOR", "REPLICATION CLIENT", "CONNECTION ADMIN", "PROCESS", "RELOAD"]
        : ["SYSTEM_VARIABLES_ADMIN", "REPLICATION_SLAVE_ADMIN", "BINLOG_ADMIN", "REPLICATION CLIENT", "CONNECTION_ADMIN", "PROCESS", "RELOAD"];

    /// <summary>
    /// Creates (or resets) the account; like <see cref="ReplicationBootstrap.PrimarySql"/> not written to the binary
    /// log and idempotent, with every other privilege taken away on each run.
    /// </summary>
    public string Sql() => AccountSql.CreateOrReset(User, Password, "admin", Privileges).ToString();
}
