using EsDr.Recovery.Tests.Execute.Git;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.Recovery.Tests.Watch;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// The loop the issue closes, end to end: a failover run by the recovery program leaves a pushed commit of the stack
/// file; the config from before it, as a merge based on an older main would apply it, is refused by
/// <c>check-drift</c> while the config the failover wrote agrees; and a daemon started afterwards protects dub as the
/// active region. Real git (a bare remote on disk) and a real MariaDB pair; pulumi is the stand-in.
/// </summary>
[Collection("live processes")]
public sealed class ConfigStaysTheTruthTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    [Fact]
    public async Task AFailover_IsPushed_CiCannotUndoIt_AndTheNextDaemonProtectsTheNewActiveRegion()
    {
        using var bed = WatchAutoFailoverTests.OnPair(db.Pair);
        using var repo = TestbedRepository.Create(bed);
        var before = repo.RemoteHead;

        Assert.True(await bed.RunAsync("failover", "--to", "dub", "--yes") == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        Assert.Equal(before, repo.ParentOf(repo.RemoteHead));
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(repo.RemoteHead));

        // The values the failover's `pulumi config set` steps write and its `up` deploys (the stand-in records the
        // commands without editing values, so they are applied here).
        bed.Redeploy(text => text
            .Replace("es-dr:activeRegion: fra", "es-dr:activeRegion: dub", StringComparison.Ordinal)
            .Replace("state: active", "state: lost", StringComparison.Ordinal)
            .Replace("state: standby", "state: active", StringComparison.Ordinal));
        var written = File.ReadAllText(bed.StackFile.FullName);

        // CI applying the config from before the failover: refused, naming what it would undo.
        File.WriteAllText(bed.StackFile.FullName, GitSandbox.Git(repo.Remote, "show", $"{before}:{GitSandbox.StackFileName}"));
        Assert.Equal(ExitCodes.Drift, await bed.RunAsync("check-drift"));
        Assert.Contains("drift: activeRegion: deployed dub, config fra", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("drift: regions[0].state: deployed lost, config active", bed.Out.ToString(), StringComparison.Ordinal);

        File.WriteAllText(bed.StackFile.FullName, written);
        Assert.True(await bed.RunAsync("check-drift") == ExitCodes.Ok, bed.Out.ToString() + bed.Error);

        bed.Environment["ESDR_WEBHOOK_TOKEN"] = WatchCommandTests.Token;
        using var daemon = Daemon.Start(bed, new LineWriter(), "watch", "--interval", "100ms");
        await daemon.WaitForPageAsync(page => page.Contains("esdr_watch_active_region{region=\"dub\"} 1", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Ok, await daemon.StopAsync());
    }
}
