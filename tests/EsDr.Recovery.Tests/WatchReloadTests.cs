using System.Text.Json.Nodes;
using EsDr.Recovery.Tests.Operate;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.Recovery.Tests.Watch;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests;

/// <summary>
/// <c>watch</c> keeps working when its stack changes, without a restart: an edited stack file is loaded by a later
/// round (one that cannot be read keeps the last one); a pause set by another process while it runs holds its next
/// recovery.
/// </summary>
[Collection("live processes")]
public sealed class WatchReloadTests
{
    [Fact]
    public async Task AnEditedStackFile_IsLoadedByALaterRound_AndAStackThatCannotBeReadKeepsTheLastOne()
    {
        using var bed = new OperatorTestbed();
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = WatchCommandTests.Token;
        var output = new LineWriter();
        using var daemon = Daemon.Start(bed, output, "watch", "--interval", "100ms");
        await daemon.WaitForRoundsAsync(2);

        File.AppendAllText(bed.StackFile.FullName, "  es-dr:bogus: 1\n");
        await daemon.WaitForOutputAsync(output, "cannot reload the stack (the stack file changed)");
        Assert.Equal(0, await daemon.MetricAsync("esdr_watch_stack_reloads_total"));

        bed.Redeploy(text => text.Replace("  es-dr:bogus: 1\n", "", StringComparison.Ordinal));
        WatchCommandTests.WithRecovery(bed, "auto: [regionRebuild]");
        await daemon.WaitForOutputAsync(output, "reloaded the stack (the stack file changed): active region fra; automatic: RegionRebuild");
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        Assert.Contains(output.Lines(), l => l.Contains("es-dr:bogus", StringComparison.Ordinal));
        Assert.Empty(bed.Changes);
    }

    [Fact]
    public async Task APauseSetByAnotherProcessWhileItRuns_HoldsItsNextRecovery()
    {
        using var bed = new OperatorTestbed();
        WatchCommandTests.WithRecovery(bed, "auto: [regionFailover]");
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = WatchCommandTests.Token;
        bed.Environment["USER"] = "ana";
        var output = new LineWriter();
        using var daemon = Daemon.Start(bed, output, "watch", "--interval", "100ms");
        await daemon.WaitForRoundsAsync(2);

        Assert.Equal(ExitCodes.Ok, await bed.RunWritingToAsync(new StringWriter(), new StringWriter(), CancellationToken.None, "pause", "--reason", "drill"));
        await daemon.WaitForMetricAsync("esdr_watch_paused", v => v == 1);
        bed.Fra.Dispose();
        await daemon.AlertFraEndpointDownAsync();
        await daemon.WaitForOutputAsync(output, "blocked: PauseSwitch: paused by ana at ");
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        Assert.Empty(bed.Changes);
        Assert.Contains(output.Lines(), l => l.Contains("(drill); es-dr-recovery resume lifts it", StringComparison.Ordinal));
    }
}

/// <summary>
/// <c>watch</c> after its own failover (stand-in pulumi and Elasticsearch, a real MariaDB pair): it loads the stack
/// again and protects dub as the active region, without a restart.
/// </summary>
[Collection("live processes")]
public sealed class WatchFailoverReloadTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    private readonly MariaDbPair pair = db.Pair;

    [Fact]
    public async Task AfterItsFailover_TheDaemonProtectsTheNewActiveRegion_WithoutARestart()
    {
        using var bed = WatchAutoFailoverTests.OnPair(pair);
        WatchCommandTests.WithRecovery(bed, "auto: [regionFailover]", "blockPeriod: 1h");
        bed.Environment["ESDR_WEBHOOK_TOKEN"] = WatchCommandTests.Token;
        bed.Fra.Dispose();
        var output = new LineWriter();
        using var daemon = Daemon.Start(bed, output, "watch", "--interval", "100ms", "--json");
        await daemon.AlertFraEndpointDownAsync();
        await daemon.WaitForMetricAsync("esdr_watch_recoveries_started_total", v => v >= 1);
        // The reload right after the recovery.
        await daemon.WaitForMetricAsync("esdr_watch_stack_reloads_total", v => v >= 1);

        // What the failover's config set and up leave behind (the stand-in pulumi only records them).
        bed.Redeploy(text => text
            .Replace("es-dr:activeRegion: fra", "es-dr:activeRegion: dub", StringComparison.Ordinal)
            .Replace("state: active", "state: lost", StringComparison.Ordinal)
            .Replace("state: standby", "state: active", StringComparison.Ordinal));
        await daemon.WaitForPageAsync(page => page.Contains("esdr_watch_active_region{region=\"dub\"} 1", StringComparison.Ordinal));

        // dub is lost too: as the active region, a failover from it is planned — and there is no standby left.
        bed.Dub.Dispose();
        await daemon.AlertEndpointDownAsync("dub");
        await daemon.WaitForOutputAsync(output, "no standby region to fail over to from dub");
        var started = await daemon.MetricAsync("esdr_watch_recoveries_started_total");
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());

        Assert.Equal(1, started);
        Assert.Single(bed.Changes, c => c.StartsWith("up ", StringComparison.Ordinal));
        var events = output.Lines().Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!).ToList();
        var reloads = events.Where(e => (string?)e["event"] == "reloaded").ToList();
        Assert.Matches(@"^recovery rec-[-0-9a-f]+ succeeded$", (string?)reloads[0]["reason"]);
        Assert.Contains(reloads, r => (string?)r["reason"] == "the stack file changed"
            && ((string?)r["now"])!.StartsWith("active region dub (was fra); fra lost", StringComparison.Ordinal));
        var dub = Assert.Single(events, e => (string?)e["event"] == "recovery" && (string?)e["region"] == "dub");
        Assert.Equal(("RegionDown", "skipped"), ((string?)dub["diagnosis"], (string?)dub["outcome"]));
    }
}
