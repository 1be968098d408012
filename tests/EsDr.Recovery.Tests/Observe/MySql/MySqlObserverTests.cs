using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Tests.Observe.MySql;

public sealed class MySqlObserverTests
{
    /// <summary>
    /// Stand-in for a MySQL 8.4 replica (none can be installed here): one <c>SHOW REPLICA STATUS</c> row as the
    /// client hands it over (every value as text, SQL NULL as null), every column
    /// named as MySQL 8.4 documents it: https://dev.mysql.com/doc/refman/8.4/en/show-replica-status.html, and past
    /// the part of the example quoted there, the 5.7 columns with Slave→Replica and Master→Source (WL#14171 FR1,
    /// https://dev.mysql.com/worklog/task/?id=14171). The values are made up.
    /// </summary>
    private static readonly (string Column, string? Value)[] MySql84ReplicaStatus =
    [
        ("Replica_IO_State", "Waiting for source to send event"), ("Source_Host", "203.0.113.10"), ("Source_User", "repl"),
        ("Source_Port", "3306"), ("Connect_Retry", "10"), ("Source_Log_File", "binlog.000007"), ("Read_Source_Log_Pos", "927"),
        ("Relay_Log_File", "relay.000002"), ("Relay_Log_Pos", "1145"), ("Relay_Source_Log_File", "binlog.000007"),
        ("Replica_IO_Running", "Yes"), ("Replica_SQL_Running", "No"), ("Replicate_Do_DB", ""), ("Replicate_Ignore_DB", ""),
        ("Replicate_Do_Table", ""), ("Replicate_Ignore_Table", ""), ("Replicate_Wild_Do_Table", ""), ("Replicate_Wild_Ignore_Table", ""),
        ("Last_Errno", "1062"), ("Last_Error", "Duplicate entry '7' for key 'items.PRIMARY'"), ("Skip_Counter", "0"),
        ("Exec_Source_Log_Pos", "927"), ("Relay_Log_Space", "1858"), ("Until_Condition", "None"), ("Until_Log_File", ""),
        ("Until_Log_Pos", "0"), ("Source_SSL_Allowed", "Yes"), ("Source_SSL_CA_File", "/etc/mysql/tls/ca.pem"), ("Source_SSL_CA_Path", ""),
        ("Source_SSL_Cert", ""), ("Source_SSL_Cipher", ""), ("Source_SSL_Key", ""), ("Seconds_Behind_Source", "42"),
        ("Source_SSL_Verify_Server_Cert", "No"), ("Last_IO_Errno", "0"), ("Last_IO_Error", ""), ("Last_SQL_Errno", "1062"),
        ("Last_SQL_Error", "Duplicate entry '7' for key 'items.PRIMARY'"), ("Replicate_Ignore_Server_Ids", ""), ("Source_Server_Id", "1"),
        ("Source_UUID", "3e11fa47-71ca-11e1-9e33-c80aa9429562"), ("Source_Info_File", "mysql.slave_master_info"), ("SQL_Delay", "0"),
        ("SQL_Remaining_Delay", null), ("Replica_SQL_Running_State", ""), ("Source_Retry_Count", "10"), ("Source_Bind", ""),
        ("Last_IO_Error_Timestamp", ""), ("Last_SQL_Error_Timestamp", "260101 10:00:00"), ("Source_SSL_Crl", ""), ("Source_SSL_Crlpath", ""),
        ("Retrieved_Gtid_Set", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-60"),
        ("Executed_Gtid_Set", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-57,\n4a5b6c7d-0000-11e1-9e33-c80aa9429562:1-3"),
        ("Auto_Position", "1"), ("Replicate_Rewrite_DB", ""), ("Channel_Name", ""), ("Source_TLS_Version", ""),
        ("Source_public_key_path", ""), ("Get_Source_public_key", "0"), ("Network_Namespace", ""),
    ];

    /// <summary>One row of a result set: column names and values, as <see cref="MySqlClient"/> reads them.</summary>
    private static MySqlRows Row(params (string Column, string? Value)[] row) =>
        new([.. row.Select(c => c.Column)], [[.. row.Select(c => c.Value)]]);

    [Fact]
    public void A_MySQL_84_replica_is_read_from_SHOW_REPLICA_STATUS_in_its_documented_column_names()
    {
        var variables = Row(("read_only", "1"), ("gtid_executed", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-57,\n4a5b6c7d-0000-11e1-9e33-c80aa9429562:1-3"));

        var seen = MySqlObserver.FromRows("fra", variables, Row(MySql84ReplicaStatus), SqlDialect.MySql84);

        Assert.Equal(new DatabaseObservation("fra", Reachable: true, ReadOnly: true, IsReplica: true, IoThreadRunning: true, SqlThreadRunning: false,
            SecondsBehind: 42, GtidPosition: "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-57,\n4a5b6c7d-0000-11e1-9e33-c80aa9429562:1-3"), seen);
        Assert.True(seen.Queried);
    }

    [Fact]
    public void A_MariaDB_replica_is_read_from_its_slave_status_names()
    {
        var variables = Row(("read_only", "1"), ("gtid_current_pos", "0-1-42"), ("gtid_slave_pos", "0-1-42"));
        var status = Row(("Slave_IO_Running", "Connecting"), ("Slave_SQL_Running", "Yes"), ("Seconds_Behind_Master", null));

        Assert.Equal(new DatabaseObservation("r", true, true, true, false, true, null, "0-1-42"), MySqlObserver.FromRows("r", variables, status, SqlDialect.MariaDb));
    }

    [Fact]
    public void A_MariaDB_replica_that_has_only_applied_is_positioned_by_gtid_slave_pos()
    {
        var variables = Row(("read_only", "1"), ("gtid_current_pos", ""), ("gtid_slave_pos", "0-1-9"));

        Assert.Equal("0-1-9", MySqlObserver.FromRows("r", variables, MySqlRows.Empty, SqlDialect.MariaDb).GtidPosition);
    }

    [Fact]
    public void A_primary_has_no_status_row_and_is_not_a_replica()
    {
        var variables = Row(("read_only", "0"), ("gtid_current_pos", "0-2-7"), ("gtid_slave_pos", ""));
        Assert.Equal(new DatabaseObservation("p", true, false, false, false, false, null, "0-2-7"), MySqlObserver.FromRows("p", variables, MySqlRows.Empty, SqlDialect.MariaDb));
    }

    [Fact]
    public void Status_in_another_engines_column_names_is_an_error_not_a_replica_with_stopped_threads()
    {
        var variables = Row(("read_only", "1"), ("gtid_current_pos", "0-1-42"), ("gtid_slave_pos", "0-1-42"));

        var seen = MySqlObserver.FromRows("fra", variables, Row(MySql84ReplicaStatus), SqlDialect.MariaDb);

        Assert.True(seen.Reachable);
        Assert.False(seen.Queried);
        Assert.Contains("no Slave_IO_Running, Slave_SQL_Running, Seconds_Behind_Master column", seen.SqlError, StringComparison.Ordinal);
        Assert.Contains("es-dr:database.engine 'mariadb'", seen.SqlError, StringComparison.Ordinal);
    }
}
