using System.Text.Json.Nodes;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Tests.Execute.Git;
using EsDr.Recovery.Tests.Execute.MySql;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>Puts the testbed's project directory under git, with a bare repository on disk as <c>origin</c>.</summary>
internal static class TestbedRepository
{
    /// <summary>
    /// Sets <c>es-dr:recovery.git</c> (unless <paramref name="configureGit"/> is false), lets the stand-in pulumi's
    /// <c>config set</c> change the stack file, and commits and pushes the project as it is.
    /// </summary>
    public static GitSandbox Create(OperatorTestbed bed, bool configureGit = true)
    {
        if (configureGit)
            OperatorTestbedFiles.AppendRecovery(bed, "git: { remote: origin, branch: main, authorName: es-dr bot, authorEmail: es-dr-bot@example.com }");
        bed.Pulumi.ApplyConfigSetTo(bed.StackFile.FullName);
        return new GitSandbox(bed.StackFile.DirectoryName);
    }

    /// <summary>The one commit a recovery left on the remote: only the stack file, naming the recovery.</summary>
    public static void AssertOneCommitOfTheStackFile(GitSandbox repo, string before, string kind, string summary)
    {
        var head = repo.RemoteHead;
        Assert.Equal(before, repo.ParentOf(head));
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(head));
        var message = repo.MessageOf(head);
        Assert.Matches($@"^es-dr: {kind} rec-\d{{8}}-\d{{6}}-[0-9a-f]{{6}}: {summary} \(succeeded\)", message);
        Assert.Equal("es-dr bot <es-dr-bot@example.com>", repo.AuthorOf(head));
    }
}

/// <summary>
/// The operator commands with <c>es-dr:recovery.git</c> against real git: each recovery leaves one pushed commit of
/// the stack file; a remote that refuses does not fail the recovery, <c>history</c> and <c>status</c> say so, and the
/// next command retries until it lands; a remote that moved on is rebased onto.
/// </summary>
[Collection("live processes")]
public sealed class ConfigPublicationEndToEndTests : IDisposable
{
    private readonly OperatorTestbed bed = new();
    private readonly GitSandbox repo;

    public ConfigPublicationEndToEndTests() => repo = TestbedRepository.Create(bed);

    public void Dispose()
    {
        repo.Dispose();
        bed.Dispose();
    }

    [Fact]
    public async Task RebuildRegion_PushesOneCommitOfOnlyTheStackFile()
    {
        var before = repo.RemoteHead;
        File.WriteAllText(Path.Combine(repo.WorkTree, "notes.txt"), "an operator's unfinished edit\n");

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        Assert.Contains("config pushed: commit ", bed.Out.ToString(), StringComparison.Ordinal);
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, before, "RegionRebuild", "rebuild region dub");
        Assert.Equal(["notes.txt"], repo.Unstaged());
    }

    [Fact]
    public async Task RebuildNode_PushesOneCommitOfOnlyTheStackFile()
    {
        var old = bed.Nodes("dub")[2];
        var (dryRun, replacement) = await bed.DryRunNodeRebuildAsync("dub", old);
        Assert.Equal(0, dryRun);
        bed.Dub.NodeNames = [.. bed.Dub.NodeNames, replacement];
        var before = repo.RemoteHead;
        Assert.Equal(before, repo.RemoteLog()[0]); // the dry run committed nothing

        var exit = await bed.RunAsync("rebuild-node", "--region", "dub", "--node", old, "--yes");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, before, "NodeRebuild", $"rebuild node {old} in dub");
    }

    [Fact]
    public async Task RemoteThatRefuses_RecoveryCompletes_HistoryAndStatusSayNotPushed_AndALaterCommandLandsIt()
    {
        var before = repo.RemoteHead;
        repo.RefusePushes();

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes", "--json");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        var outcome = JsonNode.Parse(bed.Out.ToString())!;
        Assert.Equal("succeeded", (string?)outcome["outcome"]);
        Assert.Equal("not-pushed", (string?)outcome["config"]!["state"]);
        Assert.Contains("pre-receive hook declined", (string?)outcome["config"]!["detail"], StringComparison.Ordinal);
        var id = (string)outcome["recoveryId"]!;
        Assert.Equal(before, repo.RemoteHead);

        var history = new StringWriter();
        Assert.Equal(0, HistoryCommand.Execute(5, new FileInfo(bed.AuditPath), false, history, TextWriter.Null));
        Assert.Contains("  config not pushed: origin refused the push to main: [remote rejected]", history.ToString(), StringComparison.Ordinal);

        // status retries first (still refused) and shows it; the stack counts as degraded meanwhile.
        Assert.Equal(ExitCodes.Degraded, await bed.RunAsync("status", "--json"));
        var unpublished = Assert.Single(JsonNode.Parse(bed.Out.ToString())!["unpublishedConfig"]!.AsArray());
        Assert.Equal(id, (string?)unpublished!["recoveryId"]);
        Assert.Equal(2, (int)unpublished["attempts"]!);
        Assert.Contains($"recovery {id}: config not pushed:", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Degraded, await bed.RunAsync("status"));
        Assert.Contains($"! recovery {id} (RegionRebuild: rebuild region dub (succeeded)): config not pushed: ", bed.Out.ToString(), StringComparison.Ordinal);

        repo.AcceptPushes();
        var later = await bed.RunAsync("status", "--json");

        Assert.Contains($"recovery {id}: config pushed: commit ", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(bed.Out.ToString())!["unpublishedConfig"]);
        Assert.Equal(ExitCodes.Ok, later);
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, before, "RegionRebuild", "rebuild region dub");
        history = new StringWriter();
        HistoryCommand.Execute(5, new FileInfo(bed.AuditPath), false, history, TextWriter.Null);
        Assert.Contains($"  config pushed: commit {repo.RemoteHead[..12]}", history.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteThatRefused_ALaterActionRetriesAfterItRan_EvenWhenItIsBlocked()
    {
        var before = repo.RemoteHead;
        repo.RefusePushes();
        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("rebuild-region", "dub", "--yes"));
        Assert.Contains("config not pushed: ", bed.Out.ToString(), StringComparison.Ordinal);
        repo.AcceptPushes();

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.Equal(ExitCodes.NotRun, exit); // the block period holds the second one
        Assert.Contains("blocked by BlockPeriod", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"recovery rec-\S+: config pushed: commit [0-9a-f]{12} of Pulumi.prod.yaml to origin main", bed.Error.ToString());
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, before, "RegionRebuild", "rebuild region dub");
    }

    [Fact]
    public async Task RemoteThatRefused_TheDaemonsRoundRetries()
    {
        var before = repo.RemoteHead;
        repo.RefusePushes();
        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("rebuild-region", "dub", "--yes"));
        repo.AcceptPushes();

        await bed.RunAsync("watch", "--once");

        Assert.Contains("config pushed: commit ", bed.Out.ToString(), StringComparison.Ordinal);
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, before, "RegionRebuild", "rebuild region dub");
    }

    [Fact]
    public async Task RecoveryThatFailsAfterItsConfigSteps_StillPushesTheChangedStackFile_NamingTheFailure()
    {
        var before = repo.RemoteHead;
        bed.Pulumi.FailOnly("up", "error: update failed\n");

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.Equal(ExitCodes.RecoveryFailed, exit);
        Assert.Contains("config pushed: commit ", bed.Out.ToString(), StringComparison.Ordinal);
        var head = repo.RemoteHead;
        Assert.Equal(before, repo.ParentOf(head));
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(head));
        Assert.Contains("rebuild region dub (failed)", repo.MessageOf(head), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_CommitsNothing()
    {
        var before = repo.RemoteHead;

        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("rebuild-region", "dub", "--dry-run"));

        Assert.Equal(before, repo.RemoteHead);
        Assert.Empty(repo.Unstaged());
        Assert.DoesNotContain("config", bed.Out.ToString().Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoteThatMovedOn_IsRebasedOntoAndPushed()
    {
        var theirs = repo.PushFromAnotherClone("docs.txt", "someone else's change\n");

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        Assert.Contains("config pushed: commit ", bed.Out.ToString(), StringComparison.Ordinal);
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, theirs, "RegionRebuild", "rebuild region dub");
    }
}

/// <summary>Without <c>es-dr:recovery.git</c>: no git is run, and the recovery says its change is local only.</summary>
[Collection("live processes")]
public sealed class ConfigNotPublishedEndToEndTests : IDisposable
{
    private readonly OperatorTestbed bed = new();
    private readonly GitSandbox repo;

    public ConfigNotPublishedEndToEndTests() => repo = TestbedRepository.Create(bed, configureGit: false);

    public void Dispose()
    {
        repo.Dispose();
        bed.Dispose();
    }

    [Fact]
    public async Task RebuildRegion_WithoutGitSettings_CommitsNothing_AndSaysCiWouldUndoIt()
    {
        var before = GitSandbox.Git(repo.WorkTree, "log", "--format=%H");

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        Assert.Contains("on this machine only (es-dr:recovery.git is not set)", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, GitSandbox.Git(repo.WorkTree, "log", "--format=%H"));
        Assert.Equal([GitSandbox.StackFileName], repo.Unstaged()); // changed, left for the operator
    }
}

/// <summary><c>failover --to dub</c> with a real MariaDB pair and <c>es-dr:recovery.git</c>: one pushed commit of the stack file.</summary>
[Collection("live processes")]
public sealed class FailoverConfigPublicationTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    [Fact]
    public async Task Failover_PushesOneCommitOfOnlyTheStackFile()
    {
        using var bed = WatchAutoFailoverTests.OnPair(db.Pair);
        using var repo = TestbedRepository.Create(bed);
        var before = repo.RemoteHead;

        var exit = await bed.RunAsync("failover", "--to", "dub", "--yes");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, before, "RegionFailover", "fail over from fra to dub");
        var committed = GitSandbox.Git(repo.Remote, "show", "main:" + GitSandbox.StackFileName);
        Assert.Contains("# pulumi config set activeRegion dub", committed, StringComparison.Ordinal);
        Assert.Contains("# pulumi config set regions[0].state lost", committed, StringComparison.Ordinal);
    }
}

/// <summary><c>failback --to dub</c> with a real MariaDB pair and <c>es-dr:recovery.git</c>: one pushed commit of the stack file.</summary>
[Collection("live processes")]
public sealed class FailbackConfigPublicationTests(MariaDbFixture db) : IClassFixture<MariaDbFixture>
{
    [Fact]
    public async Task Failback_PushesOneCommitOfOnlyTheStackFile()
    {
        using var bed = WatchAutoFailoverTests.OnPair(db.Pair);
        using var repo = TestbedRepository.Create(bed);
        var before = repo.RemoteHead;

        var exit = await bed.RunAsync("failback", "--to", "dub", "--yes");

        Assert.True(exit == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        TestbedRepository.AssertOneCommitOfTheStackFile(repo, before, "Failback", "fail back from fra to dub");
    }
}
