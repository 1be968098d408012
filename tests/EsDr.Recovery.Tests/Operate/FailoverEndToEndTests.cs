using System.Text;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Sql;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// <c>failover --to dub --yes</c> end to end: the stand-in <c>pulumi</c> on the child's PATH, an Elasticsearch
/// stand-in per region and a real MariaDB primary (fra) and replica (dub). Checks what pulumi was asked, the
/// promotion calls dub's cluster received, the databases' end state, and that no password reached the audit
/// database or the console.
/// </summary>
[Collection("live processes")]
public sealed class FailoverEndToEndTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    private readonly MariaDbPair pair = db.Pair;

    [Fact]
    public async Task Failover_WithYes_PromotesDubThroughThePipeline_AndLeaksNoSecret()
    {
        using var bed = new OperatorTestbed(
            new Dictionary<string, TestDatabase> { ["fra"] = new("primary", pair.Primary.Port), ["dub"] = new("replica", pair.Replica.Port) },
            "dr", MariaDbPair.AdminPassword)
        { MySqlCaFile = pair.Primary.Admin.CaPath };
        await pair.Client.QueryAsync(pair.Primary.App, "INSERT INTO appdb.items (writer, payload) VALUES (1, 'before failover')");
        var promotion = new EsDr.Recovery.Execute.MySql.MySqlPromotion(pair.Client, SqlDialect.MariaDb);
        await promotion.WaitForZeroLagAsync(pair.Replica.Admin, await promotion.GtidPositionAsync(pair.Primary.Admin), TimeSpan.FromSeconds(20));

        var exit = await bed.RunAsync("failover", "--to", "dub", "--yes");

        var output = bed.Out.ToString();
        Assert.True(exit == 0, output + bed.Error);
        Assert.Matches(@"RegionFailover succeeded: recovery rec-\d{8}-\d{6}-[0-9a-f]{6}", output);

        // pulumi: the outputs, the credentials (the one --show-secrets call), then config and an up that leaves fra out.
        var calls = bed.Pulumi.Calls.Select(c => string.Join(' ', c)).ToList();
        Assert.Equal("stack output --stack prod --json --non-interactive", calls[0]);
        Assert.Equal("stack output credentials --stack prod --json --show-secrets --non-interactive", calls[1]);
        Assert.Single(calls, c => c.Contains("--show-secrets", StringComparison.Ordinal));
        Assert.Equal(
        [
            "config set --stack prod activeRegion dub --non-interactive",
            "config set --stack prod --path regions[0].state lost --non-interactive",
            "config set --stack prod --path regions[1].state active --non-interactive",
        ], bed.Changes.Take(3));
        var up = Assert.Single(bed.Changes, c => c.StartsWith("up ", StringComparison.Ordinal));
        Assert.Contains("--exclude urn:pulumi:prod::es-dr::**::fra-es-* ", up, StringComparison.Ordinal); // nothing in fra is touched
        Assert.Contains("--exclude urn:pulumi:prod::es-dr::**::monitoring-* ", up, StringComparison.Ordinal);
        Assert.DoesNotContain("--target", up, StringComparison.Ordinal);
        Assert.Equal(4, bed.Changes.Count);

        // Elasticsearch: fra's cluster answers, so the leader indices dub follows are write-blocked there first (and
        // nothing else is changed in fra); then each follower in dub promoted in the documented order.
        Assert.Equal(
        [
            "POST /orders-1/_ccr/pause_follow", "POST /orders-1/_close", "POST /orders-1/_ccr/unfollow", "POST /orders-1/_open",
            "POST /products-1/_ccr/pause_follow", "POST /products-1/_close", "POST /products-1/_ccr/unfollow", "POST /products-1/_open",
        ], bed.Dub.Requests.Where(r => r.StartsWith("POST ", StringComparison.Ordinal)));
        Assert.All(bed.Dub.Indices.Values, i => Assert.True(i.Follow is null && i.Open));
        Assert.Equal(
        [
            """PUT /orders-1/_settings?ignore_unavailable=true {"blocks":{"write":true}}""", """PUT /products-1/_settings?ignore_unavailable=true {"blocks":{"write":true}}""",
        ], bed.Fra.Requests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal)));
        Assert.All(bed.Fra.Indices.Values, i => Assert.True(i.WriteBlocked));

        // MariaDB: the old primary fenced, the replica a writable primary that forgot its source.
        var observer = new MySqlObserver(pair.Client, SqlDialect.MariaDb);
        var oldPrimary = await observer.ObserveAsync(pair.Primary.Admin);
        var newPrimary = await observer.ObserveAsync(pair.Replica.Admin);
        Assert.True(oldPrimary.ReadOnly);
        Assert.False(newPrimary.ReadOnly);
        Assert.False(newPrimary.IsReplica);
        await pair.Client.QueryAsync(pair.Replica.App, "INSERT INTO appdb.items (writer, payload) VALUES (2, 'after failover')");
        var ex = await Assert.ThrowsAsync<MySqlException>(() =>
            pair.Client.QueryAsync(pair.Primary.App, "INSERT INTO appdb.items (writer, payload) VALUES (3, 'fenced')"));
        Assert.Equal(1290, ex.ErrorCode);

        // The audit trail: every step succeeded under one id; no password anywhere in its files or the console.
        using (var audit = AuditTrail.Open(bed.AuditPath, Redactor.None))
        {
            var recovery = Assert.Single(audit.History(5));
            Assert.Equal(RecoveryStatus.Succeeded, recovery.Status);
            Assert.All(recovery.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        }
        var written = string.Concat(Directory.GetFiles(Path.GetDirectoryName(bed.AuditPath)!)
            .Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f)))) + output + bed.Error;
        foreach (var secret in new[] { OperatorTestbed.FraPassword, OperatorTestbed.DubPassword, MariaDbPair.AdminPassword })
            Assert.DoesNotContain(secret, written, StringComparison.Ordinal);
    }
}
