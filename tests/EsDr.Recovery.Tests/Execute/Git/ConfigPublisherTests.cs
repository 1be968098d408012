using System.Diagnostics;
using EsDr.Infra.Config;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Git;
using EsDr.Recovery.Tests.Execute.Audit;

namespace EsDr.Recovery.Tests.Execute.Git;

/// <summary>
/// The publisher against real git: a bare repository on disk as the remote, a work tree cloned from it. Each test
/// checks what the remote ends up with (commits, their files, their messages) and what the work tree keeps.
/// </summary>
public sealed class ConfigPublisherTests : IDisposable
{
    private static readonly GitPublishSettings Settings = new("origin", "main", "es-dr bot", "es-dr-bot@example.com");

    private readonly GitSandbox repo = new();
    private readonly TempDatabase db = new();
    private readonly ConfigPublications store;

    public ConfigPublisherTests() => store = ConfigPublications.Open(db.Path, Redactor.None);

    private ConfigPublisher Publisher(GitPublishSettings? settings = null, string? stackFile = null, GitProcess? git = null, TimeSpan? deadline = null) =>
        new(settings ?? Settings, stackFile ?? repo.StackFile, store, git ?? new GitProcess(TimeSpan.FromSeconds(20)), TimeProvider.System,
            deadline ?? TimeSpan.FromSeconds(60));

    private static ConfigChange Change(string kind = "RegionFailover", string summary = "fail over from fra to dub", string id = "rec-20261206-120000-abcdef") =>
        new(id, kind, summary, "succeeded");

    public static TheoryData<string, string> Kinds() => new()
    {
        { "NodeRebuild", "rebuild node acme-dub-es-3 in dub" },
        { "RegionFailover", "fail over from fra to dub" },
        { "RegionRebuild", "rebuild region dub" },
        { "Failback", "fail back from dub to fra" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Publish_EachRecoveryKind_PushesOneCommitOfOnlyTheStackFile_NamingIdKindAndRegions(string kind, string summary)
    {
        var before = repo.RemoteHead;
        repo.ChangeStackFile();

        var result = await Publisher().PublishAsync(Change(kind, summary), CancellationToken.None);

        Assert.True(result.State == PublicationState.Pushed, result.Detail);
        var head = repo.RemoteHead;
        Assert.Equal(before, repo.ParentOf(head)); // exactly one new commit
        Assert.Equal(head, result.Commit);
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(head));
        var message = repo.MessageOf(head);
        Assert.StartsWith($"es-dr: {kind} rec-20261206-120000-abcdef: {summary} (succeeded)", message, StringComparison.Ordinal);
        Assert.Contains("Es-Dr-Recovery: rec-20261206-120000-abcdef", message, StringComparison.Ordinal);
        Assert.Equal("es-dr bot <es-dr-bot@example.com>", repo.AuthorOf(head));
        var record = store.Find("rec-20261206-120000-abcdef")!;
        Assert.True(record.Landed);
        Assert.Equal(head, record.Commit);
        Assert.Empty(store.Pending());
    }

    [Fact]
    public async Task Publish_WithUnrelatedStagedDirtyAndUntrackedFiles_CommitsOnlyTheStackFile_AndLeavesThemAsTheyWere()
    {
        File.WriteAllText(Path.Combine(repo.WorkTree, "notes.txt"), "staged edit\n");
        GitSandbox.Git(repo.WorkTree, "add", "notes.txt");
        File.WriteAllText(Path.Combine(repo.WorkTree, "README.md"), "dirty edit\n");
        File.WriteAllText(Path.Combine(repo.WorkTree, "scratch.txt"), "untracked\n");
        repo.ChangeStackFile();

        var result = await Publisher().PublishAsync(Change(), CancellationToken.None);

        Assert.True(result.State == PublicationState.Pushed, result.Detail);
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(repo.RemoteHead));
        Assert.Equal(["notes.txt"], repo.Staged());
        Assert.Equal(["README.md"], repo.Unstaged());
        Assert.Contains("?? scratch.txt", GitSandbox.Git(repo.WorkTree, "status", "--porcelain"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_ToARemoteThatRefuses_IsRecordedNotPushed_AndARetryLandsItOnceTheRemoteAccepts()
    {
        var before = repo.RemoteHead;
        repo.RefusePushes();
        repo.ChangeStackFile();
        var publisher = Publisher();

        var refused = await publisher.PublishAsync(Change(), CancellationToken.None);

        Assert.Equal(PublicationState.NotPushed, refused.State);
        Assert.Contains("pre-receive hook declined", refused.Detail, StringComparison.Ordinal);
        Assert.Contains("pushes frozen by policy", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(before, repo.RemoteHead);
        var pending = Assert.Single(store.Pending());
        Assert.Equal((1, false), (pending.Attempts, pending.Landed));
        Assert.NotNull(pending.Commit); // committed locally, waiting for the remote
        Assert.StartsWith("config not pushed: origin refused the push to main", pending.Describe(), StringComparison.Ordinal);

        var stillRefused = await publisher.RetryPendingAsync(CancellationToken.None);
        Assert.Equal(PublicationState.NotPushed, stillRefused!.Result.State);
        Assert.Equal(2, store.Pending()[0].Attempts);

        repo.AcceptPushes();
        var retry = await publisher.RetryPendingAsync(CancellationToken.None);

        Assert.True(retry!.Result.State == PublicationState.Pushed, retry.Result.Detail);
        Assert.Equal(["rec-20261206-120000-abcdef"], retry.RecoveryIds);
        Assert.Equal(before, repo.ParentOf(repo.RemoteHead)); // one commit, made once, pushed on the retry
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(repo.RemoteHead));
        Assert.Empty(store.Pending());
        Assert.Null(await publisher.RetryPendingAsync(CancellationToken.None)); // nothing left to retry
    }

    [Fact]
    public async Task Publish_WhenTheRemoteMovedOn_RebasesOntoItAndPushes_KeepingLocalChangesAndTheirStaging()
    {
        var theirs = repo.PushFromAnotherClone("docs.txt", "someone else's change\n");
        File.WriteAllText(Path.Combine(repo.WorkTree, "notes.txt"), "staged edit\n");
        GitSandbox.Git(repo.WorkTree, "add", "notes.txt");
        File.WriteAllText(Path.Combine(repo.WorkTree, "README.md"), "dirty edit\n");
        repo.ChangeStackFile();

        var result = await Publisher().PublishAsync(Change(), CancellationToken.None);

        Assert.True(result.State == PublicationState.Pushed, result.Detail);
        var head = repo.RemoteHead;
        Assert.Equal(theirs, repo.ParentOf(head)); // on top of theirs: rebased, nothing of theirs lost, no force
        Assert.Equal([GitSandbox.StackFileName], repo.FilesOf(head));
        Assert.Equal(head, result.Commit);
        Assert.Equal(head, store.Find("rec-20261206-120000-abcdef")!.Commit); // the rebased commit, not the first one
        Assert.True(File.Exists(Path.Combine(repo.WorkTree, "docs.txt")));
        Assert.Equal(["notes.txt"], repo.Staged());
        Assert.Equal(["README.md"], repo.Unstaged());
        Assert.Equal("", GitSandbox.Git(repo.WorkTree, "stash", "list"));
    }

    [Fact]
    public async Task Publish_WhenTheRemoteChangedTheSameLines_AbortsTheRebase_AndReportsTheConflict()
    {
        var theirs = repo.PushFromAnotherClone(GitSandbox.StackFileName, GitSandbox.InitialStack.Replace("fra", "ams", StringComparison.Ordinal));
        repo.ChangeStackFile();

        var result = await Publisher().PublishAsync(Change(), CancellationToken.None);

        Assert.Equal(PublicationState.NotPushed, result.State);
        Assert.Contains($"conflicts in {GitSandbox.StackFileName} (aborted)", result.Detail, StringComparison.Ordinal);
        Assert.Equal(theirs, repo.RemoteHead);
        Assert.False(Directory.Exists(Path.Combine(repo.WorkTree, ".git", "rebase-merge")));
        Assert.Contains("es-dr:activeRegion: dub", File.ReadAllText(repo.StackFile), StringComparison.Ordinal); // our change kept
    }

    [Fact]
    public async Task Publish_WithALocalCommitSomeoneElseMade_PushesNothing_AndSaysWhy()
    {
        var before = repo.RemoteHead;
        File.WriteAllText(Path.Combine(repo.WorkTree, "notes.txt"), "work in progress\n");
        GitSandbox.Git(repo.WorkTree, "commit", "--quiet", "-am", "wip");
        repo.ChangeStackFile();

        var result = await Publisher().PublishAsync(Change(), CancellationToken.None);

        Assert.Equal(PublicationState.NotPushed, result.State);
        Assert.Contains("1 commit(s) not on origin main that es-dr did not make", result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, repo.RemoteHead);
    }

    [Fact]
    public async Task Publish_OfAStackFileOutsideAWorkTree_IsNotPushed_WithAClearReason()
    {
        var outside = Directory.CreateTempSubdirectory("esdr-nogit-");
        try
        {
            var file = Path.Combine(outside.FullName, "Pulumi.prod.yaml");
            File.WriteAllText(file, GitSandbox.InitialStack);

            var result = await Publisher(stackFile: file).PublishAsync(Change(), CancellationToken.None);

            Assert.Equal(PublicationState.NotPushed, result.State);
            Assert.Contains($"{file} is not in a git work tree", result.Detail, StringComparison.Ordinal);
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Publish_WithoutGitSettings_TouchesNoRepository_AndSaysTheChangeIsLocalOnly()
    {
        var before = GitSandbox.Git(repo.WorkTree, "log", "--format=%H");
        repo.ChangeStackFile();

        var result = await new ConfigPublisher(null, repo.StackFile, store, new GitProcess(TimeSpan.FromSeconds(5)), TimeProvider.System, TimeSpan.FromSeconds(5))
            .PublishAsync(Change(), CancellationToken.None);

        Assert.Equal(PublicationState.LocalOnly, result.State);
        Assert.Contains("es-dr:recovery.git is not set", result.Detail, StringComparison.Ordinal);
        Assert.Contains("undoes it", result.Detail, StringComparison.Ordinal);
        Assert.Equal(before, GitSandbox.Git(repo.WorkTree, "log", "--format=%H"));
        Assert.Empty(store.Pending());
    }

    [Fact]
    public async Task Publish_ToARemoteThatHangs_GivesUpAtTheDeadline_AndStaysPending()
    {
        repo.RefusePushes("sleep 30\nexit 0");
        repo.ChangeStackFile();
        var clock = Stopwatch.StartNew();

        var result = await Publisher(deadline: TimeSpan.FromSeconds(2)).PublishAsync(Change(), CancellationToken.None);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.Equal(PublicationState.NotPushed, result.State);
        Assert.Contains("git did not finish within 2 s", result.Detail, StringComparison.Ordinal);
        Assert.Single(store.Pending());
    }

    [Fact]
    public async Task Publish_WithoutAGitBinary_IsNotPushed_WithAClearReason()
    {
        repo.ChangeStackFile();

        var result = await Publisher(git: new GitProcess(TimeSpan.FromSeconds(5), "/nonexistent/git")).PublishAsync(Change(), CancellationToken.None);

        Assert.Equal(PublicationState.NotPushed, result.State);
        Assert.Contains("cannot run /nonexistent/git", result.Detail, StringComparison.Ordinal);
        Assert.Single(store.Pending());
    }

    [Fact]
    public async Task Publish_ToARemoteWithATokenInItsUrl_RecordsTheFailureWithoutTheToken()
    {
        GitSandbox.Git(repo.WorkTree, "remote", "set-url", "origin", $"http://ghp_SeCrEt123:x-oauth@127.0.0.1:{EsDr.TestSupport.Loopback.FreePort()}/repo.git");
        repo.ChangeStackFile();

        var result = await Publisher().PublishAsync(Change(), CancellationToken.None);

        Assert.Equal(PublicationState.NotPushed, result.State);
        Assert.Contains("cannot fetch main from origin", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_SeCrEt123", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_SeCrEt123", store.Pending()[0].LastError!, StringComparison.Ordinal);
        Assert.DoesNotContain("x-oauth", store.Pending()[0].LastError!, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrub_RemovesTheUserPartOfEveryUrl()
    {
        Assert.Equal("fatal: unable to access 'https://git.example.com/acme/stack.git/': 403",
            GitProcess.Scrub("fatal: unable to access 'https://bob:tok3n@git.example.com/acme/stack.git/': 403"));
        Assert.Equal("https://git.example.com/x", GitProcess.Scrub("https://ghp_abc@git.example.com/x"));
        Assert.Equal("git@github.com:acme/stack.git", GitProcess.Scrub("git@github.com:acme/stack.git")); // no secret in an scp-like address
    }

    public void Dispose()
    {
        store.Dispose();
        db.Dispose();
        repo.Dispose();
    }
}
