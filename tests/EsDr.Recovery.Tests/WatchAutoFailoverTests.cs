using System.Text;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Sql;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.Recovery.Tests.Operate;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests;

/// <summary>
/// <c>watch</c> with <c>es-dr:recovery.auto: [regionFailover]</c> on a world where fra's cluster stopped answering:
/// the daemon confirms it (its own probe and Alertmanager's endpoint alert), fails over to dub exactly once through
/// the stand-in pulumi, the Elasticsearch stand-in and a real MariaDB pair, and later rounds do not act again.
/// </summary>
[Collection("live processes")]
public sealed class WatchAutoFailoverTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    private readonly MariaDbPair pair = db.Pair;

    /// <summary>The prod stack's test bed with fra's database the pair's primary and dub's its replica.</summary>
    internal static OperatorTestbed OnPair(MariaDbPair pair) => new(
        new Dictionary<string, TestDatabase> { ["fra"] = new("primary", pair.Primary.Port), ["dub"] = new("replica", pair.Replica.Port) },
        "dr", MariaDbPair.AdminPassword)
    { MySqlCaFile = pair.Primary.Admin.CaPath };

    [Fact]
    public async Task Watch_AutoRegionFailover_FailsOverOnce_ThenLaterRoundsDoNotActAgain()
    {
        using var bed = OnPair(pair);
        WatchCommandTests.WithRecovery(bed, "auto: [regionFailover]", "blockPeriod: 1h");
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = WatchCommandTests.Token;
        bed.Fra.Dispose();

        using var daemon = Daemon.Start(bed, "watch", "--interval", "100ms");
        await daemon.AlertFraEndpointDownAsync();
        await daemon.WaitForMetricAsync("esdr_watch_recoveries_started_total", v => v >= 1);
        var rounds = await daemon.MetricAsync("esdr_watch_rounds_total");
        await daemon.WaitForRoundsAsync(rounds + 10);
        var started = await daemon.MetricAsync("esdr_watch_recoveries_started_total");
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        var output = bed.Out.ToString() + bed.Error;
        Assert.Equal(1, started);
        Assert.Single(bed.Changes, c => c.StartsWith("up ", StringComparison.Ordinal));
        Assert.Equal("config set --stack prod activeRegion dub --non-interactive", bed.Changes[0]);
        Assert.Equal(
        [
            "POST /orders-1/_ccr/pause_follow", "POST /orders-1/_close", "POST /orders-1/_ccr/unfollow", "POST /orders-1/_open",
            "POST /products-1/_ccr/pause_follow", "POST /products-1/_close", "POST /products-1/_ccr/unfollow", "POST /products-1/_open",
        ], bed.Dub.Requests.Where(r => r.StartsWith("POST ", StringComparison.Ordinal)));
        var newPrimary = await new MySqlObserver(pair.Client, SqlDialect.MariaDb).ObserveAsync(pair.Replica.Admin);
        Assert.False(newPrimary.ReadOnly);
        Assert.False(newPrimary.IsReplica);
        Assert.Matches(@"RegionDown fra: succeeded \(recovery rec-\d{8}-\d{6}-[0-9a-f]{6}\)", output);

        using (var audit = AuditTrail.Open(bed.AuditPath, Redactor.None))
        {
            var recovery = Assert.Single(audit.History(5));
            Assert.Equal((RecoveryStatus.Succeeded, RecoveryTrigger.Timer), (recovery.Status, recovery.Trigger));
            Assert.All(recovery.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        }
        var written = string.Concat(Directory.GetFiles(Path.GetDirectoryName(bed.AuditPath)!)
            .Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f)))) + output;
        foreach (var secret in new[] { WatchCommandTests.Token, OperatorTestbed.FraPassword, OperatorTestbed.DubPassword, MariaDbPair.AdminPassword })
            Assert.DoesNotContain(secret, written, StringComparison.Ordinal);
    }
}
