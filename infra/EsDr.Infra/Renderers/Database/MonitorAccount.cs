using System.Globalization;

namespace EsDr.Infra.Renderers.Database;

/// <summary>
/// The account the monitoring host's mysqld_exporter logs in with: what its default collectors read (global
/// status and variables, InnoDB metrics, replication status) and nothing more. mysqld_exporter's own
/// instructions grant SELECT on *.*; here SELECT is limited to performance_schema, so the account can see
/// that replication runs but never an application row. Over TLS only, at most three connections.
/// </summary>
public sealed record MonitorAccount(string Password)
{
    public const string DefaultUser = "esdr_monitor";

    public MySqlFlavor Flavor { get; init; } = MySqlFlavor.MariaDb;
    public string User { get; init; } = DefaultUser;

    /// <summary>Global privileges. MariaDB 10.5+ needs SLAVE MONITOR for SHOW SLAVE STATUS (REPLICATION CLIENT no longer covers it).</summary>
    public IReadOnlyList<string> Privileges => Flavor == MySqlFlavor.MariaDb
        ? ["PROCESS", "REPLICATION CLIENT", "SLAVE MONITOR"]
        : ["PROCESS", "REPLICATION CLIENT"];

    /// <summary>Creates (or resets) the account; like <see cref="RecoveryAdminAccount.Sql"/> not binary-logged, idempotent, other privileges taken away on each run.</summary>
    public string Sql() =>
        AccountSql.CreateOrReset(User, Password, "monitor", Privileges, "WITH MAX_USER_CONNECTIONS 3")
            .Append(CultureInfo.InvariantCulture, $"GRANT SELECT ON performance_schema.* TO {AccountSql.Who(User, "monitor")};\n")
            .ToString();
}
