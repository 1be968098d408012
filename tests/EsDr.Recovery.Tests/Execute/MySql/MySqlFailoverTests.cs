using EsDr.TestSupport;
using System.Diagnostics;
using EsDr.Recovery.Execute.MySql;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Tests.Execute.MySql;

[Collection("live processes")]
public sealed class MySqlFailoverTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    private readonly MariaDbPair pair = db.Pair;

    private readonly MySqlPromotion _promotion = new(db.Pair.Client, SqlDialect.MariaDb);
    private readonly MySqlObserver _observer = new(db.Pair.Client, SqlDialect.MariaDb);

    [Fact]
    public async Task Failover_fences_the_old_primary_promotes_the_replica_and_a_retry_changes_nothing()
    {
        var clock = Stopwatch.StartNew();
        await pair.Client.QueryAsync(pair.Primary.App, "INSERT INTO appdb.items (writer, payload) VALUES (0, 'before failover')");
        await _promotion.WaitForZeroLagAsync(pair.Replica.Admin, await _promotion.GtidPositionAsync(pair.Primary.Admin), TimeSpan.FromSeconds(20));
        var replicaBefore = await _observer.ObserveAsync(pair.Replica.Admin);
        Assert.True(replicaBefore is { Reachable: true, ReadOnly: true, IsReplica: true, IoThreadRunning: true, SqlThreadRunning: true, SecondsBehind: 0 },
            replicaBefore.ToString());
        Assert.False((await _observer.ObserveAsync(pair.Primary.Admin)).ReadOnly);

        // The plan's own statements, through the step runner, in the plan's order.
        var runner = new MySqlStepRunner(new Dictionary<string, MySqlEndpoint>
        {
            ["primary"] = pair.Primary.Admin,
            ["replica"] = pair.Replica.Admin,
        }, pair.Client, SqlDialect.MariaDb);
        RecoveryStep[] failover =
        [
            new MySqlStatement("primary", "SET GLOBAL read_only = ON;", "fence", "setting"),
            new MySqlStatement("replica", "STOP SLAVE;", "stop", "warns"),
            new MySqlStatement("replica", "RESET SLAVE ALL;", "reset", "nothing"),
            new MySqlStatement("replica", "SET GLOBAL read_only = OFF;", "writable", "setting"),
        ];
        var details = new List<string?>();
        foreach (var step in failover)
        {
            details.Add(await runner.RunAsync(step));
        }
        Assert.All(details, d => Assert.DoesNotContain("already done", d, StringComparison.Ordinal));
        var promoted = clock.Elapsed;

        var refused = await Assert.ThrowsAsync<MySqlException>(() =>
            pair.Client.QueryAsync(pair.Primary.App, "INSERT INTO appdb.items (writer, payload) VALUES (0, 'to the fenced primary')"));
        Assert.Equal(1290, refused.ErrorCode);
        await pair.Client.QueryAsync(pair.Replica.App, "INSERT INTO appdb.items (writer, payload) VALUES (0, 'to the new primary')");
        Assert.Equal(0, (await pair.Client.QueryAsync(pair.Replica.Admin, "SHOW SLAVE STATUS")).Count);
        var replicaAfter = await _observer.ObserveAsync(pair.Replica.Admin);
        Assert.True(replicaAfter is { Reachable: true, ReadOnly: false, IsReplica: false }, replicaAfter.ToString());
        Assert.True((await _observer.ObserveAsync(pair.Primary.Admin)).ReadOnly);

        // The same failover again, through the runner and through the promotion directly: nothing is run.
        var before = await StateAsync();
        foreach (var step in failover)
        {
            Assert.Contains("already done", await runner.RunAsync(step), StringComparison.Ordinal);
        }
        Assert.Empty(await _promotion.FenceAsync(pair.Primary.Admin));
        Assert.Empty(await _promotion.PromoteAsync(pair.Replica.Admin));
        Assert.Equal(before, await StateAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"failover took {clock.Elapsed}, promoted after {promoted}");
    }

    [Fact]
    public async Task No_password_reaches_an_endpoint_description_or_an_error()
    {
        var endpoint = pair.Primary.Admin;
        Assert.DoesNotContain(MariaDbPair.AdminPassword, endpoint.ToString(), StringComparison.Ordinal);

        // A wrong password, and a server error echoing the statement: neither message carries a password.
        var wrong = new MySqlEndpoint("primary", "127.0.0.1", endpoint.Port, "dr", "wrong-" + MariaDbPair.AdminPassword) { CaPath = endpoint.CaPath };
        var denied = await Assert.ThrowsAsync<MySqlException>(() => pair.Client.QueryAsync(wrong, "SELECT 1"));
        Assert.Equal(1045, denied.ErrorCode);
        Assert.True(denied.ServerAnswered);
        Assert.DoesNotContain(wrong.Password, denied.ToString(), StringComparison.Ordinal);
        var syntax = await Assert.ThrowsAsync<MySqlException>(() =>
            pair.Client.QueryAsync(endpoint, $"SELEKT '{MariaDbPair.AdminPassword.Replace("'", "", StringComparison.Ordinal)}' FROM nowhere"));
        Assert.Equal(1064, syntax.ErrorCode);
        Assert.DoesNotContain(MariaDbPair.AdminPassword, syntax.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_observed_unreachable()
    {
        var nobody = new MySqlEndpoint("gone", "127.0.0.1", Loopback.FreePort(), "dr", MariaDbPair.AdminPassword) { CaPath = pair.Primary.Admin.CaPath };
        var seen = await _observer.ObserveAsync(nobody);
        Assert.False(seen.Reachable);
    }

    [Fact]
    public async Task A_server_that_answers_with_an_SQL_error_is_observed_reachable_with_that_error()
    {
        // MySQL 8.4's dialect against the real MariaDB: the server answers, refusing a variable it does not have.
        var seen = await new MySqlObserver(pair.Client, SqlDialect.MySql84).ObserveAsync(pair.Primary.Admin);

        Assert.True(seen.Reachable, seen.ToString());
        Assert.False(seen.Queried);
        Assert.Contains("answered with error 1193", seen.SqlError, StringComparison.Ordinal);
        Assert.Contains("gtid_executed", seen.SqlError, StringComparison.Ordinal);
        Assert.DoesNotContain(MariaDbPair.AdminPassword, seen.SqlError!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_statement_and_an_unreachable_server_fail_as_such()
    {
        var runner = new MySqlStepRunner(new Dictionary<string, MySqlEndpoint>
        {
            ["up"] = pair.Primary.Admin,
            ["gone"] = new MySqlEndpoint("gone", "127.0.0.1", Loopback.FreePort(), "dr", MariaDbPair.AdminPassword) { CaPath = pair.Primary.Admin.CaPath },
        }, pair.Client, SqlDialect.MariaDb);

        var refused = await Assert.ThrowsAsync<MySqlException>(() => runner.RunAsync(new MySqlStatement("up", "SELEKT 1;", "a typo", "none")));
        var gone = await Assert.ThrowsAsync<MySqlException>(() => runner.RunAsync(new MySqlStatement("gone", "STOP SLAVE;", "stop", "warns")));

        Assert.True(refused.ServerAnswered);
        Assert.Contains("answered with error 1064", refused.Message, StringComparison.Ordinal);
        // The driver's code for a server it cannot reach: 1042 (UnableToConnectToHost), not the C client's 2003.
        Assert.False(gone.ServerAnswered);
        Assert.Equal(MySqlFailure.Unreachable, gone.Failure);
        Assert.Equal(1042, gone.ErrorCode);
        Assert.Contains("(gone) unreachable (error 1042)", gone.Message, StringComparison.Ordinal);
    }

    private async Task<string> StateAsync()
    {
        var parts = new List<string>();
        foreach (var server in new[] { pair.Primary.Admin, pair.Replica.Admin })
        {
            var status = await pair.Client.QueryAsync(server, "SHOW SLAVE STATUS");
            var variables = await pair.Client.QueryAsync(server, "SELECT @@read_only, @@gtid_current_pos, @@gtid_slave_pos, @@gtid_binlog_pos");
            parts.Add($"{server}: status rows {status.Count} [{string.Join('|', status.Rows.SelectMany(r => r))}] vars [{string.Join('|', variables.Rows[0])}]");
        }
        return string.Join('\n', parts);
    }
}
