using System.Diagnostics;
using EsDr.Recovery.Execute.MySql;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Sql;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Observe.MySql;

/// <summary>What the observer sees of a real MariaDB pair through the driver: healthy, a broken replica, a closed port.</summary>
[Collection("live processes")]
public sealed class MySqlObservationTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    /// <summary>Far above the ids the tests' AUTO_INCREMENT reaches, so only the conflict test writes it.</summary>
    private const int ConflictingId = 1_000_000;

    private readonly MariaDbPair pair = db.Pair;
    private readonly MySqlObserver _observer = new(db.Pair.Client, SqlDialect.MariaDb);
    private readonly MySqlPromotion _promotion = new(db.Pair.Client, SqlDialect.MariaDb);

    [Fact]
    public async Task A_healthy_pair_is_observed_as_a_writable_primary_and_a_caught_up_read_only_replica()
    {
        var primary = await _observer.ObserveAsync(pair.Primary.Admin);
        var replica = await _observer.ObserveAsync(pair.Replica.Admin);

        Assert.True(primary is { Reachable: true, Queried: true, ReadOnly: false, IsReplica: false }, primary.ToString());
        Assert.False(string.IsNullOrEmpty(primary.GtidPosition));
        Assert.True(replica is { Reachable: true, Queried: true, ReadOnly: true, IsReplica: true, IoThreadRunning: true, SqlThreadRunning: true },
            replica.ToString());
        Assert.NotNull(replica.SecondsBehind);
    }

    [Fact]
    public async Task A_replica_whose_SQL_thread_stopped_on_a_duplicate_key_is_observed_reachable_with_the_thread_down()
    {
        // A row only the replica has (kept out of its binlog), then the same key written on the primary.
        await pair.Client.QueryAsync(pair.Replica.Admin,
            $"SET SESSION sql_log_bin = 0; INSERT INTO appdb.items (id, writer, payload) VALUES ({ConflictingId}, 9, 'replica only')");
        await pair.Client.QueryAsync(pair.Primary.App, $"INSERT INTO appdb.items (id, writer, payload) VALUES ({ConflictingId}, 9, 'primary')");
        try
        {
            var broken = await ObserveUntilAsync(pair.Replica.Admin, seen => !seen.SqlThreadRunning, TimeSpan.FromSeconds(20));

            Assert.True(broken is { Reachable: true, Queried: true, IsReplica: true, IoThreadRunning: true, SqlThreadRunning: false }, broken.ToString());
        }
        finally
        {
            await RepairAsync();
        }
    }

    [Fact]
    public async Task A_primary_whose_port_is_closed_is_unreachable_by_the_drivers_code_1042_and_observed_so()
    {
        var closed = new MySqlEndpoint("primary", "127.0.0.1", Loopback.FreePort(), "dr", MariaDbPair.AdminPassword) { CaPath = pair.Primary.Admin.CaPath };

        var error = await Assert.ThrowsAsync<MySqlException>(() => pair.Client.QueryAsync(closed, "SELECT 1"));
        var seen = await _observer.ObserveAsync(closed);

        Assert.Equal((MySqlFailure.Unreachable, 1042), (error.Failure, error.ErrorCode));
        Assert.False(seen.Reachable);
        Assert.DoesNotContain(MariaDbPair.AdminPassword, error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Drops the replica's copy of the conflicting row (again outside its binlog) and lets the SQL thread catch up.</summary>
    private async Task RepairAsync()
    {
        await pair.Client.QueryAsync(pair.Replica.Admin, $"SET SESSION sql_log_bin = 0; DELETE FROM appdb.items WHERE id = {ConflictingId}; START SLAVE");
        await _promotion.WaitForZeroLagAsync(pair.Replica.Admin, await _promotion.GtidPositionAsync(pair.Primary.Admin), TimeSpan.FromSeconds(20));
    }

    private async Task<DatabaseObservation> ObserveUntilAsync(MySqlEndpoint endpoint, Func<DatabaseObservation, bool> done, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var seen = await _observer.ObserveAsync(endpoint);
            if (done(seen) || clock.Elapsed > bound)
            {
                return seen;
            }
            await Task.Delay(50);
        }
    }
}
