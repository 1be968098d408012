using System.Text.RegularExpressions;
using EsDr.Infra.Config;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Tests.Sql;

public sealed partial class SqlDialectTests
{
    /// <summary>What MySQL 8.4 removed or never had: the master/slave statements and columns, MariaDB's GTID variables.</summary>
    [GeneratedRegex("slave|master|gtid_current_pos|gtid_slave_pos", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex NotMySql84();

    [Fact]
    public void MySql84_speaks_only_replica_and_source_and_gtid_executed()
    {
        var mysql = SqlDialect.MySql84;

        Assert.All(mysql.Statements.Concat(mysql.Columns).Append(mysql.CaughtUpRule), text => Assert.DoesNotMatch(NotMySql84(), text));
        Assert.Equal(
        [
            "SET GLOBAL super_read_only = ON",
            "SELECT @@global.super_read_only",
            "SET GLOBAL read_only = OFF",
            "SELECT @@global.read_only",
            "SHOW REPLICA STATUS",
            "STOP REPLICA",
            "RESET REPLICA ALL",
            "SELECT @@global.gtid_executed",
            "SELECT @@global.read_only AS read_only, @@global.gtid_executed AS gtid_executed",
            "SELECT WAIT_FOR_EXECUTED_GTID_SET('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5', 1)",
        ], mysql.Statements);
        Assert.Equal(["Replica_IO_Running", "Replica_SQL_Running", "Seconds_Behind_Source", "gtid_executed"], mysql.Columns);
    }

    [Fact]
    public void MariaDb_keeps_the_statements_its_real_servers_are_tested_with()
    {
        Assert.Equal(
        [
            "SET GLOBAL read_only = ON",
            "SELECT @@global.read_only",
            "SET GLOBAL read_only = OFF",
            "SELECT @@global.read_only",
            "SHOW SLAVE STATUS",
            "STOP SLAVE",
            "RESET SLAVE ALL",
            "SELECT @@global.gtid_current_pos",
            "SELECT @@global.read_only AS read_only, @@global.gtid_current_pos AS gtid_current_pos, @@global.gtid_slave_pos AS gtid_slave_pos",
            "SELECT MASTER_GTID_WAIT('0-1-42', 1)",
        ], SqlDialect.MariaDb.Statements);
        Assert.Equal(["Slave_IO_Running", "Slave_SQL_Running", "Seconds_Behind_Master", "gtid_current_pos", "gtid_slave_pos"], SqlDialect.MariaDb.Columns);
    }

    [Theory]
    [InlineData("""{"engine":"mysql"}""", "mysql")]
    [InlineData("""{"engine":"mariadb"}""", "mariadb")]
    [InlineData("{}", "mariadb")]
    [InlineData(null, "mariadb")]
    public void The_stack_configs_engine_chooses_the_dialect(string? database, string dialect)
    {
        var config = new Dictionary<string, string>
        {
            ["es-dr:namePrefix"] = "shop",
            ["es-dr:activeRegion"] = "fra",
            ["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial"}""",
            ["es-dr:ssh"] = """{"publicKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"],"allowedCidrs":["203.0.113.0/24"]}""",
            ["es-dr:regions"] = $$"""
                [{"name":"fra","cloud":"linode","location":"eu-central","state":"active","network":{"cidr":"10.10.0.0/24"},
                  "elasticsearch":{"nodes":3,"size":"g6-standard-4","volumeGb":50}{{(database is null ? "" : ""","database":{"size":"g6-standard-2"}""")}}}]
                """,
        };
        if (database is not null) config["es-dr:database"] = database;

        Assert.Equal(dialect, SqlDialect.For(StackConfigParser.Parse("es-dr", "prod", config)).Name);
    }

    [Theory]
    [InlineData("STOP SLAVE;", nameof(PromotionStep.StopReplication))]
    [InlineData("stop  replica", nameof(PromotionStep.StopReplication))]
    [InlineData("RESET SLAVE ALL", nameof(PromotionStep.ForgetPrimary))]
    [InlineData("RESET REPLICA ALL;", nameof(PromotionStep.ForgetPrimary))]
    [InlineData("SET GLOBAL read_only = ON;", nameof(PromotionStep.Fence))]
    [InlineData("SET GLOBAL read_only=1", nameof(PromotionStep.Fence))]
    [InlineData("SET GLOBAL super_read_only = ON;", nameof(PromotionStep.Fence))]
    [InlineData("SET GLOBAL read_only = OFF;", nameof(PromotionStep.MakeWritable))]
    [InlineData("set global read_only = 0", nameof(PromotionStep.MakeWritable))]
    public void A_promotion_step_is_recognised_in_either_dialects_spelling(string sql, string step) =>
        Assert.Equal(Enum.Parse<PromotionStep>(step), SqlDialect.Recognise(sql));

    [Theory]
    [InlineData("RESET REPLICA")]
    [InlineData("SET GLOBAL super_read_only = OFF")]
    [InlineData("CHANGE REPLICATION SOURCE TO SOURCE_HOST = '10.0.0.1'")]
    public void Any_other_statement_is_no_promotion_step(string sql) => Assert.Null(SqlDialect.Recognise(sql));

    [Fact]
    public void A_MySQL_wait_puts_only_the_reparsed_set_into_its_literal()
    {
        var wait = SqlDialect.MySql84.WaitForPosition("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-3:4-5,\n4a5b6c7d-0000-11e1-9e33-c80aa9429562:Batch_1:7", TimeSpan.FromSeconds(1.2));

        Assert.Equal("SELECT WAIT_FOR_EXECUTED_GTID_SET('3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,4a5b6c7d-0000-11e1-9e33-c80aa9429562:batch_1:7', 2)", wait);
        Assert.Throws<ArgumentException>(() => SqlDialect.MySql84.WaitForPosition("3e11fa47-71ca-11e1-9e33-c80aa9429562:1', 0) OR ('1", TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => SqlDialect.MariaDb.WaitForPosition("0-1-2') OR ('1", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_MySQL_replica_has_caught_up_when_its_set_contains_the_primarys()
    {
        const string primary = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-57";
        var mysql = SqlDialect.MySql84;

        Assert.True(mysql.HasApplied("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-57,\n4a5b6c7d-0000-11e1-9e33-c80aa9429562:1-3", primary));
        Assert.False(mysql.HasApplied("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-56", primary));
        Assert.False(mysql.HasApplied(null, primary));
        Assert.True(mysql.HasApplied(null, null));
        Assert.False(mysql.HasApplied("not a set", primary));
    }

    [Fact]
    public void A_MariaDB_replica_has_caught_up_at_the_primarys_position()
    {
        Assert.True(SqlDialect.MariaDb.HasApplied("0-1-20", "0-1-20"));
        Assert.False(SqlDialect.MariaDb.HasApplied("0-1-19", "0-1-20"));
        Assert.False(SqlDialect.MariaDb.HasApplied(null, null));
    }

    [Fact]
    public void A_stored_dialect_name_reads_back_as_its_dialect()
    {
        Assert.Same(SqlDialect.MySql84, SqlDialect.Named("mysql"));
        Assert.Same(SqlDialect.MariaDb, SqlDialect.Named("mariadb"));
        Assert.Throws<FormatException>(() => SqlDialect.Named("postgres"));
    }
}
