using EsDr.TestSupport;
using System.Diagnostics;
using EsDr.Recovery.Execute.MySql;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Sql;

namespace EsDr.Recovery.Tests.Execute.MySql;

[Collection("live processes")]
public sealed class MySqlFailbackTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    private readonly MariaDbPair pair = db.Pair;

    private const int Writers = 4;
    private const int StatementsPerWriter = 25;
    private const int RowsPerStatement = 10;

    private readonly MySqlPromotion _promotion = new(db.Pair.Client, SqlDialect.MariaDb);

    [Fact]
    public async Task Failback_after_writes_under_load_loses_no_acknowledged_row()
    {
        // Failed over, and the old primary rebuilt as a replica of the new one (replication reversed).
        await _promotion.FenceAsync(pair.Primary.Admin);
        await _promotion.PromoteAsync(pair.Replica.Admin);
        await pair.ReplicateAsync(pair.Primary, from: pair.Replica, CancellationToken.None);

        // Writes on the new primary from several clients at once; every acknowledged row is counted.
        var clock = Stopwatch.StartNew();
        var acknowledged = await Task.WhenAll(Enumerable.Range(1, Writers).Select(async writer =>
        {
            var rows = 0;
            for (var i = 0; i < StatementsPerWriter; i++)
            {
                var values = string.Join(',', Enumerable.Range(0, RowsPerStatement).Select(r => $"({writer}, 'w{writer}-s{i}-r{r}')"));
                await pair.Client.QueryAsync(pair.Replica.App, $"INSERT INTO appdb.items (writer, payload) VALUES {values}");
                rows += RowsPerStatement;
            }
            return rows;
        }));
        var load = clock.Elapsed;

        // Planned failback: stop writes, wait for zero lag, promote back.
        clock.Restart();
        Assert.NotEmpty(await _promotion.FenceAsync(pair.Replica.Admin));
        var position = await _promotion.GtidPositionAsync(pair.Replica.Admin);
        await _promotion.WaitForZeroLagAsync(pair.Primary.Admin, position, TimeSpan.FromSeconds(20));
        Assert.Equal(3, (await _promotion.PromoteAsync(pair.Primary.Admin)).Count);
        var failback = clock.Elapsed;

        var count = (await pair.Client.ScalarAsync(pair.Primary.Admin, "SELECT COUNT(*) FROM appdb.items"))!;
        Assert.Equal(acknowledged.Sum(), int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
        var here = await pair.Client.QueryAsync(pair.Primary.Admin, "CHECKSUM TABLE appdb.items");
        var there = await pair.Client.QueryAsync(pair.Replica.Admin, "CHECKSUM TABLE appdb.items");
        Assert.NotNull(here.Value(0, "Checksum"));
        Assert.Equal(here.Value(0, "Checksum"), there.Value(0, "Checksum"));
        await pair.Client.QueryAsync(pair.Primary.App, "INSERT INTO appdb.items (writer, payload) VALUES (0, 'after failback')");
        Assert.True(failback < TimeSpan.FromSeconds(20), $"load {load}, failback {failback}");
    }
}
