namespace EsDr.Recovery.Operate;

/// <summary>A reload's load: the stack read again, or why not (said by the loader, one line per problem).</summary>
internal sealed record WorldLoad<TWorld>(TWorld? World, string? Problem) where TWorld : class;

/// <summary>
/// Keeps the daemon on the stack as it is now (Patroni's members converge on the state in the DCS the same way):
/// after every recovery it ran, and whenever the stack file's content changes, the stack is loaded again (config and
/// <c>pulumi stack output</c>) and the new <see cref="DaemonWorld"/> replaces the old one whole. A recovery and a swap
/// never overlap: recoveries run inside <see cref="RunRecoveryAsync{T}"/>, and a reload that finds one running waits for
/// its end, which reloads anyway. A load that fails keeps the current world (the daemon goes on protecting what it
/// knew) and is tried again on a later round: after the retry interval, or as soon as the file changes again. An old world is disposed two rounds after it was replaced, when no probe
/// of the loop can still be using it.
/// </summary>
/// <typeparam name="TWorld">The daemon's <see cref="DaemonWorld"/>; anything disposable with a stamp in tests.</typeparam>
internal sealed class DaemonReloader<TWorld> : IDisposable where TWorld : class, IDisposable
{
    private readonly FileInfo stackFile;
    private readonly Func<TWorld, StackFileStamp?> stampOf;
    private readonly Func<CancellationToken, Task<WorldLoad<TWorld>>> load;
    private readonly TimeProvider time;
    private readonly TimeSpan retryEvery;
    private readonly SemaphoreSlim recovering = new(1, 1);
    private readonly SemaphoreSlim reloading = new(1, 1);
    private readonly Lock gate = new();
    private readonly List<(TWorld World, long Round)> retired = [];
    private TWorld current;
    private string? wanted;
    private DateTimeOffset retryAt;
    // The stack file as it was when a load last failed; null once a load succeeds.
    private StackFileStamp? failedWith;
    private string? lastProblem;
    private Task background = Task.CompletedTask;
    private long round;

    /// <param name="load">Reads the stack again (bounded by the caller's token) into a world, or says why it cannot.</param>
    /// <param name="retryEvery">How long after a failed load the next try comes.</param>
    /// <param name="stampOf">The stack file as it was just before a world read it.</param>
    public DaemonReloader(TWorld initial, FileInfo stackFile, Func<TWorld, StackFileStamp?> stampOf, Func<CancellationToken, Task<WorldLoad<TWorld>>> load, TimeProvider time, TimeSpan retryEvery)
    {
        current = initial ?? throw new ArgumentNullException(nameof(initial));
        this.stackFile = stackFile ?? throw new ArgumentNullException(nameof(stackFile));
        this.stampOf = stampOf ?? throw new ArgumentNullException(nameof(stampOf));
        this.load = load ?? throw new ArgumentNullException(nameof(load));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.retryEvery = retryEvery;
    }

    /// <summary>The world every decision is made in now.</summary>
    public TWorld Current
    {
        get
        {
            lock (gate)
                return current;
        }
    }

    /// <summary>Loads that replaced the world since the daemon started.</summary>
    public int Reloads { get; private set; }

    /// <summary>A new world is in place (the old one, and why): the loop and the sampler are pointed at it here.</summary>
    public event Action<TWorld, TWorld, string>? Reloaded;

    /// <summary>A load failed (why it was wanted, what went wrong); said once per distinct problem.</summary>
    public event Action<string, string>? ReloadFailed;

    /// <summary>Runs a recovery in the current world; no reload swaps the world meanwhile.</summary>
    public async Task<T> RunRecoveryAsync<T>(Func<TWorld, Task<T>> recovery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recovery);
        await recovering.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await recovery(Current).ConfigureAwait(false);
        }
        finally
        {
            recovering.Release();
        }
    }

    /// <summary>After a recovery changed the stack: load it again now (the caller — the pipeline's worker — waits).</summary>
    public Task ReloadAsync(string reason, CancellationToken cancellationToken) => ReloadCoreAsync(reason, wait: true, cancellationToken);

    /// <summary>
    /// Each completed round: disposes worlds no probe can still use, notices a changed stack file, and starts a reload
    /// in the background when one is wanted and due (never two at once, never while a recovery runs).
    /// </summary>
    public void OnRound(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        List<TWorld> done;
        lock (gate)
        {
            round++;
            done = [.. retired.Where(r => r.Round + 2 <= round).Select(r => r.World)];
            retired.RemoveAll(r => r.Round + 2 <= round);
            // Not while a recovery runs (it edits the file; its end reloads anyway), nor beside a reload.
            if (recovering.CurrentCount > 0 && background.IsCompleted && Due(now) is { } reason)
                background = Task.Run(() => ReloadCoreAsync(reason, wait: false, cancellationToken), CancellationToken.None);
        }
        foreach (var world in done) world.Dispose();
    }

    /// <summary>Why a reload is due now, or null. Called under the gate.</summary>
    private string? Due(DateTimeOffset now)
    {
        if (wanted is null && (stampOf(current) is not { } stamp || stamp.ChangedIn(stackFile)))
            wanted = "the stack file changed";
        // After a failed load: again once the retry interval passed, or at once when the file changed since (a fix).
        return wanted is not null && (now >= retryAt || failedWith is not { } failed || failed.ChangedIn(stackFile)) ? wanted : null;
    }

    /// <summary>Waits for a background reload still running (the daemon is stopping).</summary>
    public async Task StopAsync()
    {
        Task running;
        lock (gate)
            running = background;
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task ReloadCoreAsync(string reason, bool wait, CancellationToken cancellationToken)
    {
        if (!wait && !await reloading.WaitAsync(0, cancellationToken).ConfigureAwait(false)) return;
        if (wait) await reloading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stampBefore = StackFileStamp.Of(stackFile) ?? new StackFileStamp(-1, default, "");
            var (world, problem) = await load(cancellationToken).ConfigureAwait(false);
            if (world is null)
            {
                string? say;
                lock (gate)
                {
                    wanted = reason;
                    failedWith = stampBefore;
                    retryAt = time.GetUtcNow() + retryEvery;
                    say = problem == lastProblem ? null : problem;
                    lastProblem = problem;
                }
                if (say is not null) ReloadFailed?.Invoke(reason, say);
                return;
            }
            // A recovery that began while this loaded planned in the old world: the swap waits for its end.
            await recovering.WaitAsync(cancellationToken).ConfigureAwait(false);
            TWorld before;
            try
            {
                lock (gate)
                {
                    before = current;
                    current = world;
                    retired.Add((before, round));
                    wanted = null;
                    failedWith = null;
                    lastProblem = null;
                    Reloads++;
                }
            }
            finally
            {
                recovering.Release();
            }
            Reloaded?.Invoke(before, world, reason);
        }
        finally
        {
            reloading.Release();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var (world, _) in retired) world.Dispose();
            retired.Clear();
            current.Dispose();
        }
        recovering.Dispose();
        reloading.Dispose();
    }
}
