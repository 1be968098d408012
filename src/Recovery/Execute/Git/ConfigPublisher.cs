using System.Globalization;
using System.Text;
using EsDr.Infra.Config;

namespace EsDr.Recovery.Execute.Git;

/// <summary>Where a recovery's change to the stack file stands after the recovery.</summary>
internal enum PublicationState
{
    /// <summary>Committed and on the remote branch.</summary>
    Pushed,

    /// <summary>Committed (or not yet), not on the remote: pending, retried by later commands and daemon rounds.</summary>
    NotPushed,

    /// <summary><c>es-dr:recovery.git</c> is not set: the change stays in the file on this machine.</summary>
    LocalOnly,
}

/// <summary>What became of the stack file's change; <see cref="Detail"/> is what the operator reads.</summary>
internal sealed record ConfigPublication(PublicationState State, string? Commit, string Detail);

/// <summary>A recovery that changed the stack file, as its commit names it.</summary>
internal sealed record ConfigChange(string RecoveryId, string Kind, string Summary, string Outcome);

/// <summary>What a retry of the pending publications did: which recoveries it carried and how it ended.</summary>
internal sealed record PublicationRetry(IReadOnlyList<string> RecoveryIds, ConfigPublication Result);

/// <summary>
/// Commits exactly the stack file a recovery changed and pushes it, so the next <c>pulumi up</c> from the repository
/// (CI on merge) keeps the change instead of undoing it. Only the stack file is ever committed (<c>git commit --only</c>,
/// other staged or dirty files stay as they were); only commits es-dr made are ever pushed (a local commit of anyone
/// else's that is not on the remote stops the push); never with <c>--force</c>: a remote that moved on is fetched and
/// rebased onto (local changes set aside in a stash meanwhile), a conflict aborts the rebase and is reported. Every git
/// run has a time limit and the whole publication a deadline, so a hung git host cannot hold up a failover; a failure
/// leaves the publication pending in <see cref="ConfigPublications"/>, where the next command or daemon round retries it.
/// </summary>
internal sealed class ConfigPublisher : IDisposable
{
    /// <summary>The identity commits carry when neither the config nor git's own config gives one.</summary>
    public const string FallbackName = "es-dr recovery";
    public const string FallbackEmail = "es-dr-recovery@localhost";

    /// <summary>The trailer each es-dr commit carries its recovery id in; commits without it are someone else's.</summary>
    public const string RecoveryTrailer = "Es-Dr-Recovery";

    private const int PushAttempts = 3;

    private readonly GitPublishSettings? settings;
    private readonly string stackFile;
    private readonly ConfigPublications store;
    private readonly GitProcess git;
    private readonly TimeProvider time;
    private readonly TimeSpan deadline;
    // One git conversation at a time per stack file in this process: the daemon's retry and a recovery's publication
    // share the work tree, and a daemon that reloaded its stack holds a publisher per load (git's own index lock would
    // fail the second). Process-wide, so never disposed.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> WorkTreeGates = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim gate;

    public ConfigPublisher(GitPublishSettings? settings, string stackFile, ConfigPublications store, GitProcess git, TimeProvider time, TimeSpan deadline)
    {
        ArgumentException.ThrowIfNullOrEmpty(stackFile);
        this.settings = settings;
        this.stackFile = Path.GetFullPath(stackFile);
        gate = WorkTreeGates.GetOrAdd(this.stackFile, _ => new SemaphoreSlim(1, 1));
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.git = git ?? throw new ArgumentNullException(nameof(git));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.deadline = deadline;
    }

    public bool Configured => settings is not null;

    public IReadOnlyList<PublicationRecord> Pending() => store.Pending();

    /// <summary>
    /// After a recovery that changed the stack file (completed or failed): records it pending, commits the file and
    /// pushes it. Never throws for git's sake: whatever goes wrong is the result's <see cref="ConfigPublication.Detail"/>.
    /// </summary>
    public async Task<ConfigPublication> PublishAsync(ConfigChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (settings is null)
        {
            return new ConfigPublication(PublicationState.LocalOnly, null,
                $"the stack config changed in {stackFile} on this machine only (es-dr:recovery.git is not set): commit and push it, " +
                "or the next pulumi up from the repository (CI) undoes it");
        }
        store.Add(change.RecoveryId, change.Kind, $"{change.Summary} ({change.Outcome})", time.GetUtcNow());
        return await SyncAsync(change.RecoveryId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Retries whatever is pending (one commit if the file still differs from HEAD, one push); null: nothing pending, or git not configured.</summary>
    public async Task<PublicationRetry?> RetryPendingAsync(CancellationToken cancellationToken)
    {
        if (settings is null) return null;
        var pending = store.Pending();
        if (pending.Count == 0) return null;
        var result = await SyncAsync(null, cancellationToken).ConfigureAwait(false);
        return new PublicationRetry(pending.Select(p => p.RecoveryId).ToList(), result);
    }

    public void Dispose()
    {
        // The gate is shared by every publisher of this stack file in the process (see WorkTreeGates).
    }

    private async Task<ConfigPublication> SyncAsync(string? focus, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pending = store.Pending();
            if (pending.Count == 0)
                return focus is not null && store.Find(focus) is { Landed: true } done
                    ? new ConfigPublication(PublicationState.Pushed, done.Commit, done.Describe())
                    : new ConfigPublication(PublicationState.NotPushed, null, "nothing pending");
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(deadline);
            string? error;
            Conversation? conversation = null;
            try
            {
                conversation = await Conversation.StartAsync(git, settings!, stackFile, bounded.Token).ConfigureAwait(false);
                error = conversation.Problem ?? await conversation.PublishAsync(pending, store, bounded.Token).ConfigureAwait(false);
            }
            catch (GitNotInstalledException e)
            {
                error = e.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"git did not finish within {deadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (is the git host reachable?)";
            }

            var now = time.GetUtcNow();
            if (error is not null)
            {
                error = GitProcess.Scrub(error);
                foreach (var p in pending) store.Failed(p.RecoveryId, error, now);
                return new ConfigPublication(PublicationState.NotPushed, null, $"config not pushed: {error}; every later es-dr-recovery command and daemon round retries it");
            }
            string? focusCommit = null;
            foreach (var p in pending)
            {
                var commit = await conversation!.CommitOfAsync(p.RecoveryId, cancellationToken).ConfigureAwait(false);
                store.Landed(p.RecoveryId, commit, now);
                if (p.RecoveryId == focus) focusCommit = commit;
            }
            focusCommit ??= await conversation!.CommitOfAsync(pending[^1].RecoveryId, cancellationToken).ConfigureAwait(false);
            return new ConfigPublication(PublicationState.Pushed, focusCommit,
                $"config pushed: commit {focusCommit[..Math.Min(12, focusCommit.Length)]} of {conversation!.RelativePath} to {conversation.Target}");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The commit message: the recoveries' ids, kinds and summaries (which name the regions), one trailer each.</summary>
    internal static string Message(IReadOnlyList<PublicationRecord> recoveries)
    {
        var newest = recoveries[^1];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"es-dr: {newest.Kind} {newest.RecoveryId}: {newest.Summary}\n\n");
        foreach (var r in recoveries)
            sb.Append(CultureInfo.InvariantCulture, $"Recovery {r.RecoveryId} ({r.Kind}) changed the stack config: {r.Summary}.\n");
        sb.Append("Committed by es-dr-recovery so that the next pulumi up from this repository keeps the change.\n\n");
        foreach (var r in recoveries)
            sb.Append(CultureInfo.InvariantCulture, $"{RecoveryTrailer}: {r.RecoveryId}\n");
        return sb.ToString();
    }

    /// <summary>One publication's git commands against the stack file's work tree, with the identity and target resolved.</summary>
    private sealed class Conversation
    {
        private readonly GitProcess git;
        private readonly string topLevel;
        private readonly string remote;
        private readonly string branch;
        private readonly Dictionary<string, string> identity;

        private Conversation(GitProcess git, string topLevel, string relativePath, string remote, string branch, Dictionary<string, string> identity, string? problem)
        {
            this.git = git;
            this.topLevel = topLevel;
            RelativePath = relativePath;
            this.remote = remote;
            this.branch = branch;
            this.identity = identity;
            Problem = problem;
        }

        public string RelativePath { get; }

        /// <summary>Why nothing can be published from here (not a work tree, no branch); null: go on.</summary>
        public string? Problem { get; }

        public string Target => $"{GitProcess.Scrub(remote)} {branch}";

        private string PathSpec => ":(literal)" + RelativePath;

        public static async Task<Conversation> StartAsync(GitProcess git, GitPublishSettings settings, string stackFile, CancellationToken ct)
        {
            var directory = Path.GetDirectoryName(stackFile)!;
            var top = await git.RunAsync(directory, ["rev-parse", "--show-toplevel"], null, ct).ConfigureAwait(false);
            if (!top.Succeeded)
            {
                return new Conversation(git, directory, Path.GetFileName(stackFile), settings.Remote, "", [],
                    $"{stackFile} is not in a git work tree, so es-dr:recovery.git cannot commit it ({top.Reason("rev-parse")})");
            }
            var topLevel = top.Output.Trim();
            var relative = Path.GetRelativePath(topLevel, stackFile).Replace(Path.DirectorySeparatorChar, '/');
            var branch = settings.Branch;
            string? problem = null;
            if (branch is null)
            {
                var current = await git.RunAsync(topLevel, ["symbolic-ref", "--quiet", "--short", "HEAD"], null, ct).ConfigureAwait(false);
                if (current.Succeeded) branch = current.Output.Trim();
                else problem = "HEAD is detached in the stack file's work tree: set es-dr:recovery.git.branch to the branch to push to";
            }
            var identity = await IdentityAsync(git, topLevel, settings, ct).ConfigureAwait(false);
            return new Conversation(git, topLevel, relative, settings.Remote, branch ?? "", identity, problem);
        }

        /// <summary>The author (and committer): the config's, else git's own, else <see cref="FallbackName"/>.</summary>
        private static async Task<Dictionary<string, string>> IdentityAsync(GitProcess git, string topLevel, GitPublishSettings settings, CancellationToken ct)
        {
            var name = settings.AuthorName ?? await ConfigValueAsync(git, topLevel, "user.name", ct).ConfigureAwait(false) ?? FallbackName;
            var email = settings.AuthorEmail ?? await ConfigValueAsync(git, topLevel, "user.email", ct).ConfigureAwait(false) ?? FallbackEmail;
            return new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["GIT_AUTHOR_NAME"] = name, ["GIT_AUTHOR_EMAIL"] = email,
                ["GIT_COMMITTER_NAME"] = name, ["GIT_COMMITTER_EMAIL"] = email,
            };
        }

        private static async Task<string?> ConfigValueAsync(GitProcess git, string topLevel, string key, CancellationToken ct)
        {
            var result = await git.RunAsync(topLevel, ["config", "--get", key], null, ct).ConfigureAwait(false);
            return result.Succeeded && result.Output.Trim() is { Length: > 0 } value ? value : null;
        }

        private Task<GitResult> RunAsync(CancellationToken ct, params string[] args) => git.RunAsync(topLevel, args, identity, ct);

        /// <summary>Commits the stack file if it differs from HEAD, then pushes; the error, or null once the remote has HEAD.</summary>
        public async Task<string?> PublishAsync(IReadOnlyList<PublicationRecord> pending, ConfigPublications store, CancellationToken ct)
        {
            if (await CommitAsync(pending, store, ct).ConfigureAwait(false) is { } commitError) return commitError;
            for (var attempt = 1; attempt <= PushAttempts; attempt++)
            {
                var fetch = await RunAsync(ct, "fetch", "--no-tags", "--quiet", remote, $"refs/heads/{branch}").ConfigureAwait(false);
                if (!fetch.Succeeded) return $"cannot fetch {branch} from {remote}: {fetch.Reason("fetch")}";
                if ((await RunAsync(ct, "merge-base", "--is-ancestor", "HEAD", "FETCH_HEAD").ConfigureAwait(false)).Succeeded)
                    return null; // the remote already has it (an earlier push whose answer was lost)
                if (await ForeignCommitsAsync(ct).ConfigureAwait(false) is { } foreign) return foreign;
                if (!(await RunAsync(ct, "merge-base", "--is-ancestor", "FETCH_HEAD", "HEAD").ConfigureAwait(false)).Succeeded
                    && await RebaseAsync(ct).ConfigureAwait(false) is { } rebaseError)
                    return rebaseError;
                var push = await RunAsync(ct, "push", "--porcelain", "--no-verify", remote, $"HEAD:refs/heads/{branch}").ConfigureAwait(false);
                if (push.Succeeded) return null;
                var said = push.Output + push.Error;
                var behind = said.Contains("[rejected]", StringComparison.Ordinal)
                    && (said.Contains("fetch first", StringComparison.Ordinal) || said.Contains("non-fast-forward", StringComparison.Ordinal));
                if (!behind) return $"{remote} refused the push to {branch}: {PushReason(push)}";
            }
            return $"{remote}'s {branch} moved on during each of {PushAttempts} attempts to push";
        }

        private async Task<string?> CommitAsync(IReadOnlyList<PublicationRecord> pending, ConfigPublications store, CancellationToken ct)
        {
            var status = await RunAsync(ct, "status", "--porcelain=v1", "--untracked-files=all", "--", PathSpec).ConfigureAwait(false);
            if (!status.Succeeded) return $"cannot read the state of {RelativePath}: {status.Reason("status")}";
            if (status.Output.Trim().Length == 0) return null; // nothing differs from HEAD: already committed
            var uncommitted = pending.Where(p => p.Commit is null).ToList();
            if (uncommitted.Count == 0) uncommitted = [pending[^1]];
            // add first: a file git does not track yet cannot be committed with --only.
            var add = await RunAsync(ct, "add", "--", PathSpec).ConfigureAwait(false);
            if (!add.Succeeded) return $"cannot stage {RelativePath}: {add.Reason("add")}";
            // --only: exactly this path, whatever else is staged; --no-verify: a local lint hook must not hold up a failover.
            var commit = await RunAsync(ct, "commit", "--only", "--no-verify", "--quiet", "-m", Message(uncommitted), "--", PathSpec).ConfigureAwait(false);
            if (!commit.Succeeded) return $"cannot commit {RelativePath}: {commit.Reason("commit")}";
            var head = await HeadAsync(ct).ConfigureAwait(false);
            foreach (var p in uncommitted) store.Committed(p.RecoveryId, head);
            return null;
        }

        /// <summary>Local commits the remote lacks that es-dr did not make: pushing HEAD would publish them, so it does not.</summary>
        private async Task<string?> ForeignCommitsAsync(CancellationToken ct)
        {
            var list = await RunAsync(ct, "rev-list", "--invert-grep", $"--grep=^{RecoveryTrailer}: ", "FETCH_HEAD..HEAD").ConfigureAwait(false);
            if (!list.Succeeded) return $"cannot list the local commits: {list.Reason("rev-list")}";
            var foreign = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return foreign.Length == 0 ? null
                : $"the local branch has {foreign.Length} commit(s) not on {remote} {branch} that es-dr did not make " +
                  $"(first {foreign[^1][..Math.Min(12, foreign[^1].Length)]}); es-dr pushes only its own: push or drop them, the next retry pushes the config";
        }

        /// <summary>
        /// Rebases the local es-dr commits onto what was fetched, with other uncommitted changes kept in a stash meanwhile
        /// (restored with their staging); a conflict aborts the rebase and leaves everything as it was.
        /// </summary>
        private async Task<string?> RebaseAsync(CancellationToken ct)
        {
            var stashed = false;
            var dirty = await RunAsync(ct, "status", "--porcelain=v1", "--untracked-files=no").ConfigureAwait(false);
            if (dirty.Succeeded && dirty.Output.Trim().Length > 0)
            {
                var before = await StashTopAsync(ct).ConfigureAwait(false);
                var stash = await RunAsync(ct, "stash", "push", "--quiet", "-m", "es-dr: local changes set aside while the config commit was rebased").ConfigureAwait(false);
                if (!stash.Succeeded) return $"cannot set local changes aside to rebase onto {remote} {branch}: {stash.Reason("stash")}";
                stashed = await StashTopAsync(ct).ConfigureAwait(false) != before;
            }
            // From here on local only and each run bounded: not cut short by the deadline, so nothing is left half done.
            var rebase = await RunAsync(CancellationToken.None, "-c", "rebase.autoStash=false", "rebase", "--no-verify", "FETCH_HEAD").ConfigureAwait(false);
            string? error = null;
            if (!rebase.Succeeded)
            {
                var conflicts = await RunAsync(CancellationToken.None, "diff", "--name-only", "--diff-filter=U").ConfigureAwait(false);
                await RunAsync(CancellationToken.None, "rebase", "--abort").ConfigureAwait(false);
                var files = conflicts.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                error = files.Length > 0
                    ? $"rebasing onto {remote} {branch} conflicts in {string.Join(", ", files)} (aborted): merge by hand and push"
                    : $"cannot rebase onto {remote} {branch} (aborted): {rebase.Reason("rebase")}";
            }
            if (stashed)
            {
                var pop = await RunAsync(CancellationToken.None, "stash", "pop", "--index", "--quiet").ConfigureAwait(false);
                if (!pop.Succeeded && error is null)
                    error = $"rebased onto {remote} {branch}, but the local changes set aside conflict with it; they are kept in `git stash list` ({pop.Reason("stash pop")})";
            }
            return error;
        }

        private async Task<string> StashTopAsync(CancellationToken ct) =>
            (await RunAsync(ct, "rev-parse", "--quiet", "--verify", "refs/stash").ConfigureAwait(false)).Output.Trim();

        private async Task<string> HeadAsync(CancellationToken ct) =>
            (await RunAsync(ct, "rev-parse", "HEAD").ConfigureAwait(false)).Output.Trim();

        /// <summary>The commit that carries <paramref name="recoveryId"/> on HEAD (rebased, it has a new id); HEAD if none says so.</summary>
        public async Task<string> CommitOfAsync(string recoveryId, CancellationToken ct)
        {
            var found = await RunAsync(ct, "log", "-1", "--format=%H", "--fixed-strings", $"--grep={RecoveryTrailer}: {recoveryId}", "HEAD").ConfigureAwait(false);
            return found.Succeeded && found.Output.Trim() is { Length: > 0 } commit ? commit : await HeadAsync(ct).ConfigureAwait(false);
        }

        // The porcelain "!" line's reason and whatever the remote's hooks said ("remote: …").
        private static string PushReason(GitResult push)
        {
            var rejected = push.Output.Split('\n').FirstOrDefault(l => l.StartsWith('!'))?.Split('\t').LastOrDefault()?.Trim();
            var remoteSaid = push.Error.Split('\n').Where(l => l.StartsWith("remote:", StringComparison.Ordinal))
                .Select(l => l["remote:".Length..].Trim()).Where(l => l.Length > 0).Take(3).ToList();
            var reason = string.Join("; ", new[] { rejected }.Concat(remoteSaid).Where(s => !string.IsNullOrEmpty(s)));
            return reason.Length > 0 ? GitProcess.Scrub(reason) : push.Reason("push");
        }
    }
}
