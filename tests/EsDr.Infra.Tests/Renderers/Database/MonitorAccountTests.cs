using EsDr.Infra.Renderers.Database;

namespace EsDr.Infra.Tests.Renderers.Database;

/// <summary>The monitoring account's SQL for both flavours (the real-MariaDB test runs the MariaDB one).</summary>
public class MonitorAccountTests
{
    [Fact]
    public void Sql_MariaDb_GrantsWhatTheExporterReadsAndSelectOnPerformanceSchemaOnly()
    {
        var sql = new MonitorAccount("${db-monitor-password.result}").Sql();

        Assert.Equal(
            """
            SET SESSION sql_log_bin = 0;
            CREATE USER IF NOT EXISTS 'esdr_monitor'@'%' IDENTIFIED BY '${db-monitor-password.result}' REQUIRE SSL WITH MAX_USER_CONNECTIONS 3;
            ALTER USER 'esdr_monitor'@'%' IDENTIFIED BY '${db-monitor-password.result}' REQUIRE SSL WITH MAX_USER_CONNECTIONS 3;
            REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'esdr_monitor'@'%';
            GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'esdr_monitor'@'%';
            GRANT SELECT ON performance_schema.* TO 'esdr_monitor'@'%';

            """, sql);
    }

    /// <summary>MySQL has no SLAVE MONITOR; REPLICATION CLIENT covers SHOW REPLICA STATUS there.</summary>
    [Fact]
    public void Sql_MySql_HasNoMariaDbOnlyPrivilege()
    {
        var sql = new MonitorAccount("pw") { Flavor = MySqlFlavor.MySql }.Sql();

        Assert.Contains("GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'esdr_monitor'@'%';\n", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("SLAVE MONITOR", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Sql_QuoteInPassword_IsEscaped_AndALineBreakIsRefused()
    {
        Assert.Contains("IDENTIFIED BY 'a''b\\\\c'", new MonitorAccount("a'b\\c").Sql(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new MonitorAccount("a\nb").Sql());
    }
}
