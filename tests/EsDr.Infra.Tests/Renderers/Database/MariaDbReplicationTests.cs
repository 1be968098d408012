using EsDr.Infra.Renderers.Database;
using Xunit.Abstractions;

namespace EsDr.Infra.Tests.Renderers.Database;

/// <summary>
/// The rendered my.cnf and bootstrap SQL against a real MariaDB primary and replica (see
/// <see cref="MariaDbReplicationFixture"/>). Tests in this class run one after another on the same pair.
/// </summary>
[Collection(EsDr.Infra.Tests.Support.LiveProcesses.Name)]
public class MariaDbReplicationTests(MariaDbReplicationFixture db, ITestOutputHelper output) : IClassFixture<MariaDbReplicationFixture>
{
    private const int ErrorReadOnly = 1290;
    private const int ErrorAccessDenied = 1045;
    private const int ErrorTableAccessDenied = 1142;

    private static void AssertError(int code, SqlResult result)
    {
        Assert.NotEqual(0, result.ExitCode);
        // In batch mode the client echoes the failed statement before the error line.
        Assert.Matches($@"(^|\n)ERROR {code} \(", result.Error);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public void Servers_StartInWellUnderAMinute()
    {
        output.WriteLine($"install, start, bootstrap and first sync: {db.StartUp.TotalMilliseconds:F0} ms");
        Assert.True(db.StartUp < TimeSpan.FromSeconds(30), $"install, start and bootstrap took {db.StartUp}");
    }

    [Fact]
    public async Task Servers_RunWithEveryRenderedSetting()
    {
        foreach (var (server, settings) in new[] { (db.Primary, db.PrimarySettings), (db.Replica, db.ReplicaSettings) })
        {
            var rendered = MyCnfTests.Parse(MyCnf.Render(settings));
            // log_bin and relay_log name files; the server reports whether the log is on and its full base name.
            var query = "SELECT " + string.Join(", ", rendered.Keys.Select(key => key switch
            {
                "log_bin" => "@@log_bin_basename",
                "relay_log" => "@@relay_log_basename",
                _ => "@@" + key,
            }));
            var actual = (await server.RootAsync(query)).EnsureSuccess(query).Output.TrimEnd('\n').Split('\t');

            var expected = rendered.Select(setting => setting.Key switch
            {
                "log_bin" or "relay_log" => Path.Combine(settings.DataDir, setting.Value),
                "datadir" => setting.Value + "/",
                _ => setting.Value switch { "ON" => "1", "OFF" => "0", var value => value },
            });
            Assert.Equal(
                expected.Zip(rendered.Keys, (value, key) => $"{key}={value}"),
                actual.Zip(rendered.Keys, (value, key) => $"{key}={value}"));
        }
    }

    [Fact]
    public async Task RowsWrittenOnThePrimary_AppearOnTheReplica()
    {
        (await db.Primary.TcpAsync(db.AppUser, """
            CREATE TABLE appdb.orders (id INT PRIMARY KEY, total DECIMAL(10,2));
            INSERT INTO appdb.orders VALUES (1, 9.99), (2, 19.50), (3, 0.01);
            UPDATE appdb.orders SET total = 20.00 WHERE id = 2;
            DELETE FROM appdb.orders WHERE id = 3;
            """)).EnsureSuccess("application writes");

        var rows = await EventuallyAsync(
            async () => (await db.Replica.RootAsync("SELECT id, total FROM appdb.orders ORDER BY id")).Rows,
            rows => rows.Length == 2, TimeSpan.FromSeconds(20));

        Assert.Equal(["1\t9.99", "2\t20.00"], rows);
    }

    [Fact]
    public async Task GtidPositions_MatchAfterSync()
    {
        (await db.Primary.RootAsync("INSERT INTO appdb.items VALUES (100, 'gtid')")).EnsureSuccess("write");
        await db.SyncAsync();

        var primary = (await db.Primary.RootAsync("SELECT @@gtid_current_pos")).Output.Trim();
        var replica = (await db.Replica.RootAsync("SELECT @@gtid_slave_pos")).Output.Trim();

        Assert.Matches(@"^0-1-\d+$", primary);
        Assert.Equal(primary, replica);
    }

    [Fact]
    public async Task Replica_RefusesWritesFromTheApplicationUser()
    {
        await db.SyncAsync();

        AssertError(ErrorReadOnly, await db.Replica.TcpAsync(db.AppUser, "INSERT INTO appdb.items VALUES (200, 'replica')"));
        AssertError(ErrorReadOnly, await db.Replica.TcpAsync(db.AppUser, "CREATE TABLE appdb.sneaky (id INT)"));
        // Reads are fine: the replica serves the standby region's application pool.
        Assert.Equal(0, (await db.Replica.TcpAsync(db.AppUser, "SELECT COUNT(*) FROM appdb.items")).ExitCode);
    }

    [Fact]
    public async Task Replica_RefusesWritesEvenFromSuper_SinceMariaDb1011()
    {
        await db.SyncAsync();
        var ops = new TcpLogin("ops", "ops-pw", db.Tls.CaPath);

        // MDEV-29596: only READ ONLY ADMIN bypasses read_only now, which is why MariaDB needs no super_read_only.
        Assert.Contains(
            "GRANT SUPER ON *.* TO `ops`@`127.0.0.1`",
            (await db.Replica.TcpAsync(ops, "SHOW GRANTS")).EnsureSuccess("ops grants").Output, StringComparison.Ordinal);
        AssertError(ErrorReadOnly, await db.Replica.TcpAsync(ops, "INSERT INTO appdb.items VALUES (201, 'super')"));
    }

    [Fact]
    public async Task Replica_RefusesClientsWithoutTls()
    {
        await db.SyncAsync();
        const string Query = "SELECT COUNT(*) FROM appdb.items";

        // The same account and password: fine over TLS, and without TLS on the primary (which does not
        // require it), so only require_secure_transport can be what refuses the plain connection.
        // MariaDB 10.11 reports that refusal as a plain "Access denied".
        Assert.Equal(0, (await db.Replica.TcpAsync(db.AppUser, Query)).ExitCode);
        Assert.Equal(0, (await db.Primary.TcpAsync(MariaDbReplicationFixture.AppUserPlain, Query)).ExitCode);
        AssertError(ErrorAccessDenied, await db.Replica.TcpAsync(MariaDbReplicationFixture.AppUserPlain, Query));
    }

    [Fact]
    public async Task ReplicationUser_HoldsOnlyReplicationSlaveAndRequiresTls()
    {
        var grants = (await db.Primary.RootAsync("SHOW GRANTS FOR 'repl'@'127.0.0.1'")).EnsureSuccess("grants").Rows;

        var grant = Assert.Single(grants);
        Assert.StartsWith("GRANT REPLICATION SLAVE ON *.* TO `repl`@`127.0.0.1` IDENTIFIED BY PASSWORD ", grant, StringComparison.Ordinal);
        Assert.EndsWith(" REQUIRE SSL", grant, StringComparison.Ordinal);
        // The password (quotes, backslash and all) reached the server intact: the account logs in with it.
        Assert.Equal("repl@127.0.0.1", (await db.Primary.TcpAsync(db.ReplicationUser, "SELECT CURRENT_USER()")).EnsureSuccess("login").Output.Trim());
    }

    [Fact]
    public async Task ReplicationUser_CannotReadOrWriteApplicationTables()
    {
        AssertError(ErrorTableAccessDenied, await db.Primary.TcpAsync(db.ReplicationUser, "SELECT * FROM appdb.items"));
        AssertError(ErrorTableAccessDenied, await db.Primary.TcpAsync(db.ReplicationUser, "INSERT INTO appdb.items VALUES (300, 'repl')"));
        AssertError(ErrorTableAccessDenied, await db.Primary.TcpAsync(db.ReplicationUser, "SELECT * FROM mysql.user"));
    }

    [Fact]
    public async Task ReplicationUser_CannotConnectWithoutTls()
    {
        // The primary does not require TLS of everyone: the account's REQUIRE SSL is what refuses this.
        Assert.Equal(0, (await db.Primary.TcpAsync(db.ReplicationUser, "SELECT 1")).ExitCode);
        AssertError(ErrorAccessDenied, await db.Primary.TcpAsync(db.ReplicationUser with { CaPath = null }, "SELECT 1"));
    }

    [Fact]
    public async Task ReplicationUser_StaysOnThePrimary_WhileApplicationAccountsReplicate()
    {
        await db.SyncAsync();

        Assert.Equal("0", (await db.Replica.RootAsync("SELECT COUNT(*) FROM mysql.user WHERE User = 'repl'")).Output.Trim());
        Assert.Equal("2", (await db.Replica.RootAsync("SELECT COUNT(*) FROM mysql.user WHERE User IN ('app', 'ops')")).Output.Trim());
    }

    [Fact]
    public async Task Replication_IsVerifiedTlsWithGtidAndSemiSync()
    {
        var status = await db.Replica.RootVerticalAsync("SHOW SLAVE STATUS");

        Assert.Equal(
            ["127.0.0.1", db.Primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "repl", "Yes", db.Tls.CaPath, "Yes", "Slave_Pos", "Yes", "Yes"],
            new[] { "Master_Host", "Master_Port", "Master_User", "Master_SSL_Allowed", "Master_SSL_CA_File", "Master_SSL_Verify_Server_Cert", "Using_Gtid", "Slave_IO_Running", "Slave_SQL_Running" }
                .Select(key => status[key]));

        // Semi-sync is on at both ends once a commit has been acknowledged.
        (await db.Primary.RootAsync("INSERT INTO appdb.items VALUES (400, 'semi-sync')")).EnsureSuccess("write");
        var primary = await EventuallyAsync(
            async () => (await db.Primary.RootAsync("SHOW STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', 'Rpl_semi_sync_master_clients')")).Rows,
            rows => rows.Contains("Rpl_semi_sync_master_status\tON"), TimeSpan.FromSeconds(10));
        Assert.Equal(["Rpl_semi_sync_master_clients\t1", "Rpl_semi_sync_master_status\tON"], primary.Order(StringComparer.Ordinal));
        Assert.Equal(["Rpl_semi_sync_slave_status\tON"], (await db.Replica.RootAsync("SHOW STATUS LIKE 'Rpl_semi_sync_slave_status'")).Rows);
    }

    [Fact]
    public async Task Bootstrap_AppliedTwice_ChangesNothing()
    {
        await db.SyncAsync();
        var before = await SnapshotAsync();

        var primary = await db.Primary.RootAsync(db.PrimarySql);
        var replica = await db.Replica.RootAsync(db.ReplicaSql);
        await db.WaitUntilReplicatingAsync();

        Assert.Equal((0, ""), (primary.ExitCode, primary.Error));
        Assert.Equal((0, ""), (replica.ExitCode, replica.Error));
        Assert.Equal(before, await SnapshotAsync());
        // …and replication carries on from where it was.
        (await db.Primary.RootAsync("INSERT INTO appdb.items VALUES (500, 'after re-apply')")).EnsureSuccess("write");
        await db.SyncAsync();
        Assert.Equal("after re-apply", (await db.Replica.RootAsync("SELECT name FROM appdb.items WHERE id = 500")).Output.Trim());
    }

    /// <summary>Everything the bootstrap decides: accounts and grants, positions, and how the replica replicates.</summary>
    private async Task<string> SnapshotAsync()
    {
        var grants = new List<string>();
        foreach (var host in MariaDbReplicationFixture.ReplicaHosts)
        {
            grants.AddRange((await db.Primary.RootAsync($"SHOW GRANTS FOR 'repl'@'{host}'")).EnsureSuccess("grants").Rows);
        }
        var positions = (await db.Primary.RootAsync("SELECT @@gtid_binlog_pos, @@gtid_current_pos")).Output
            + (await db.Replica.RootAsync("SELECT @@gtid_slave_pos, @@gtid_binlog_pos")).Output;
        var status = await db.Replica.RootVerticalAsync("SHOW SLAVE STATUS");
        var replication = string.Join("\n", new[]
        {
            "Master_Host", "Master_Port", "Master_User", "Connect_Retry", "Master_SSL_Allowed", "Master_SSL_CA_File",
            "Master_SSL_Verify_Server_Cert", "Using_Gtid", "Slave_IO_Running", "Slave_SQL_Running", "Last_IO_Error", "Last_SQL_Error",
        }.Select(key => $"{key}={status[key]}"));
        return string.Join("\n", grants) + "\n" + positions + replication;
    }

    /// <summary>
    /// The recovery admin account the compiled bootstrap creates on every database host: root can create it on a
    /// read-only replica (MariaDB's read_only does not stop READ ONLY ADMIN), and it can read replication state and
    /// flip read_only (fencing, promotion) over TLS, but cannot read or write data.
    /// </summary>
    [Fact]
    public async Task RecoveryAdmin_ReadsReplicationStateAndFlipsReadOnly_ButTouchesNoData()
    {
        const string Password = "Adm1n!%*()-_=+[]{}<>:?";
        var account = new RecoveryAdminAccount(Password);
        (await db.Replica.RootAsync(account.Sql())).EnsureSuccess("admin account on the read-only replica");
        (await db.Replica.RootAsync(account.Sql())).EnsureSuccess("admin account again (idempotent)");
        var admin = new TcpLogin(RecoveryAdminAccount.DefaultUser, Password, db.Tls.CaPath);

        var state = await db.Replica.TcpAsync(admin, "SELECT @@gtid_slave_pos; SHOW SLAVE STATUS\\G SET GLOBAL read_only = OFF; SET GLOBAL read_only = ON; SELECT @@read_only;");

        Assert.True(state.ExitCode == 0, state.Error);
        Assert.Contains("*************************** 1. row", state.Output, StringComparison.Ordinal); // its replication source
        Assert.EndsWith("1\n", state.Output, StringComparison.Ordinal);
        AssertError(ErrorTableAccessDenied, await db.Replica.TcpAsync(admin, "SELECT * FROM appdb.items"));
        AssertError(ErrorTableAccessDenied, await db.Replica.TcpAsync(admin, "SELECT * FROM mysql.user"));
        AssertError(ErrorAccessDenied, await db.Replica.TcpAsync(admin with { CaPath = null }, "SELECT 1"));
    }
    /// <summary>
    /// The monitoring account the compiled bootstrap creates when the stack has monitoring: over TLS it reads what
    /// mysqld_exporter's default collectors read (replication status on the replica, global status and variables,
    /// InnoDB compression tables, performance_schema), but no application row, and it cannot write anywhere.
    /// </summary>
    [Fact]
    public async Task MonitorAccount_ReadsReplicationStatus_ButCannotReadOrWriteApplicationData()
    {
        const string Password = "M0n!%*()-_=+[]{}<>:?";
        var account = new MonitorAccount(Password);
        foreach (var server in new[] { db.Primary, db.Replica })
        {
            (await server.RootAsync(account.Sql())).EnsureSuccess("monitor account");
            (await server.RootAsync(account.Sql())).EnsureSuccess("monitor account again (idempotent)");
        }
        await db.SyncAsync();
        var monitor = new TcpLogin(MonitorAccount.DefaultUser, Password, db.Tls.CaPath);

        // What the slave_status collector runs on MariaDB, then what the other default collectors read.
        var replication = await db.Replica.TcpVerticalAsync(monitor, "SHOW ALL SLAVES STATUS");
        var others = await db.Replica.TcpAsync(monitor, """
            SHOW GLOBAL STATUS LIKE 'Uptime';
            SHOW GLOBAL VARIABLES LIKE 'read_only';
            SELECT COUNT(*) >= 0 FROM information_schema.INNODB_CMP;
            SELECT COUNT(*) >= 0 FROM performance_schema.events_waits_summary_global_by_event_name;
            """);

        Assert.Equal(("Yes", "Yes", "0"), (replication["Slave_IO_Running"], replication["Slave_SQL_Running"], replication["Seconds_Behind_Master"]));
        Assert.True(others.ExitCode == 0, others.Error);
        Assert.Equal(["read_only\tON", "1", "1"], others.Rows.Skip(1));
        foreach (var server in new[] { db.Primary, db.Replica })
        {
            AssertError(ErrorTableAccessDenied, await server.TcpAsync(monitor, "SELECT * FROM appdb.items"));
            AssertError(ErrorTableAccessDenied, await server.TcpAsync(monitor, "SELECT * FROM mysql.user"));
            AssertError(ErrorAccessDenied, await server.TcpAsync(monitor with { CaPath = null }, "SELECT 1"));
        }
        // On the primary (not read-only), so only the missing privilege can be what refuses the write.
        AssertError(ErrorTableAccessDenied, await db.Primary.TcpAsync(monitor, "INSERT INTO appdb.items VALUES (600, 'monitor')"));
        AssertError(ErrorTableAccessDenied, await db.Primary.TcpAsync(monitor, "UPDATE performance_schema.setup_consumers SET ENABLED = 'NO'"));
    }
}
