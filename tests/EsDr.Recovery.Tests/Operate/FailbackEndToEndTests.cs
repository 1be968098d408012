using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Sql;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// <c>failback --to dub --yes</c>: the planned, lossless switch, its waits checked against a real MariaDB pair
/// (writes stopped on the primary, the replica at the primary's GTID position) and the CCR stand-in (lag 0).
/// </summary>
[Collection("live processes")]
public sealed class FailbackEndToEndTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    private readonly MariaDbPair pair = db.Pair;

    [Fact]
    public async Task Failback_StopsWritesWaitsForZeroLagAndPromotes_WithoutLosingARow()
    {
        using var bed = new OperatorTestbed(
            new Dictionary<string, TestDatabase> { ["fra"] = new("primary", pair.Primary.Port), ["dub"] = new("replica", pair.Replica.Port) },
            "dr", MariaDbPair.AdminPassword)
        { MySqlCaFile = pair.Primary.Admin.CaPath };
        for (var i = 0; i < 50; i++)
            await pair.Client.QueryAsync(pair.Primary.App, $"INSERT INTO appdb.items (writer, payload) VALUES (7, 'row {i}')");

        var exit = await bed.RunAsync("failback", "--to", "dub", "--yes");

        var output = bed.Out.ToString();
        Assert.True(exit == 0, output + bed.Error);
        Assert.Contains("[4/23] done: met: read_only=ON in fra", output, StringComparison.Ordinal);
        Assert.Contains("[5/23] done: met: 2 follower(s) at lag 0", output, StringComparison.Ordinal);
        Assert.Matches(@"\[6/23\] done: met: replica dub at (\S+) \(0 s behind\), primary fra at \1", output);
        // Elasticsearch: fra's replicated indices refuse writes before the switch; dub's promoted ones take them.
        Assert.Equal(
        [
            """PUT /orders-1/_settings?ignore_unavailable=true {"blocks":{"write":true}}""", """PUT /products-1/_settings?ignore_unavailable=true {"blocks":{"write":true}}""",
        ], bed.Fra.Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)));
        Assert.All(bed.Fra.Indices.Values, i => Assert.True(i.WriteBlocked));
        Assert.All(bed.Dub.Indices.Values, i => Assert.True(i.Open && i.Follow is null && !i.WriteBlocked));
        Assert.Equal(
        [
            "config set --stack prod activeRegion dub --non-interactive",
            "config set --stack prod --path regions[1].state active --non-interactive",
            "config set --stack prod --path regions[0].state standby --non-interactive",
            "up --stack prod --yes --skip-preview --non-interactive",
        ], bed.Changes);
        var observer = new MySqlObserver(pair.Client, SqlDialect.MariaDb);
        Assert.True((await observer.ObserveAsync(pair.Primary.Admin)).ReadOnly);
        var promoted = await observer.ObserveAsync(pair.Replica.Admin);
        Assert.False(promoted.ReadOnly || promoted.IsReplica);
        var count = await pair.Client.ScalarAsync(pair.Replica.Admin, "SELECT COUNT(*) FROM appdb.items WHERE writer = 7");
        Assert.Equal("50", count);
    }
}
