using System.Threading.Channels;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Alertmanager;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EsDr.Recovery.Watch;

/// <summary>What the daemon did with a diagnosis it raised.</summary>
internal enum WatchAction
{
    /// <summary>Its code is not in <see cref="WatchOptions.AutoRecover"/>: reported, nothing run.</summary>
    NeedsOperator,

    /// <summary>Handed to the pipeline; <see cref="WatchDecision.Outcome"/> says what it did.</summary>
    Handed,

    /// <summary>The detection queue was full.</summary>
    Dropped,

    /// <summary>The pipeline threw; <see cref="WatchDecision.Error"/> says what.</summary>
    Failed,
}

/// <summary>
/// What the loop watches: the topology analysis judges against, the probes of its regions and peers, and the
/// diagnoses it may hand to the pipeline. Replaced as a whole when the daemon reloads the stack (<see cref="WatchLoop.Retarget"/>).
/// </summary>
internal sealed record WatchTarget(
    ExpectedTopology Expected, IReadOnlyList<IRegionProbe> Probes, IReadOnlyList<IPeerProbe> Peers, IReadOnlySet<DiagnosisCode> AutoRecover);

internal sealed record WatchDecision(DateTimeOffset At, Diagnosis Diagnosis, WatchAction Action, PipelineOutcome? Outcome = null, string? Error = null);

/// <summary>
/// The daemon's loop (MONITOR → ANALYSE → hand over). Every round it probes every region and every peer at once,
/// each call bounded by <see cref="WatchOptions.ProbeTimeout"/>, takes in the alerts Alertmanager sent since the
/// last round (and, in the first round and every <see cref="WatchOptions.AlertPullEvery"/>th, the alerts Alertmanager
/// lists as active: pushed alerts can be lost, or sent while the daemon was down), and feeds one snapshot per vantage
/// ("probe", "peer", "alerts") to <see cref="HealthAnalyser.Step"/>.
/// A diagnosis the analyser newly raises goes to the pipeline when its code may be recovered automatically, and is
/// otherwise reported as needing an operator. The pipeline runs on its own worker, one detection at a time, so a
/// long recovery never delays probing; a probe that hangs or throws only costs that region's observation.
/// </summary>
internal sealed partial class WatchLoop
{
    private readonly WatchOptions options;
    // Read and replaced by the loop's own thread only (at a round's start); Retarget leaves the next one here.
    private WatchTarget target;
    private WatchTarget? nextTarget;
    private readonly ChannelReader<AlertReceived>? alertSource;
    private readonly IActiveAlerts? activeAlerts;
    private readonly FiringAlerts firing = new();
    private readonly Func<Detection, CancellationToken, Task<PipelineOutcome>> recover;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<Detection> detections;
    private readonly Lock gate = new();
    private readonly Queue<WatchDecision> decisions = new();
    // Detections another instance's lease kept from running: handed again while still in force, so a survivor
    // takes over once a crashed holder's lease expires (the analyser raises a diagnosis only once).
    private readonly Dictionary<(DiagnosisCode, string, string?), Diagnosis> awaitingLease = [];

    private AnalysisState state = AnalysisState.Empty;
    private IReadOnlyList<Diagnosis> active = [];
    private (DateTimeOffset At, int Seconds)? replicaLag;
    // Per region, the latest cluster a vantage that lists the members saw, for the quorum guard rail.
    private readonly Dictionary<string, (DateTimeOffset At, ClusterObservation Cluster)> listed = new(StringComparer.Ordinal);
    private long rounds;
    private long lastRoundTicks;
    private long lastAlertPullTicks;
    private bool alertPullFailing;

    /// <param name="alertSource">The webhook's queue of alerts; null when no Alertmanager feeds this daemon (no "alerts" vantage).</param>
    /// <param name="recover">The pipeline (<see cref="RecoveryPipeline.HandleAsync"/>), or a stand-in.</param>
    /// <param name="activeAlerts">
    /// Alertmanager's list of active alerts, read in the first round and every <see cref="WatchOptions.AlertPullEvery"/>;
    /// null: the webhook's alerts alone. With it, the "alerts" vantage exists even without a webhook.
    /// </param>
    public WatchLoop(
        WatchOptions options,
        ExpectedTopology expected,
        IReadOnlyList<IRegionProbe> probes,
        IReadOnlyList<IPeerProbe> peers,
        ChannelReader<AlertReceived>? alertSource,
        Func<Detection, CancellationToken, Task<PipelineOutcome>> recover,
        TimeProvider time,
        ILogger? logger = null,
        IActiveAlerts? activeAlerts = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
            throw new ArgumentException(problem, nameof(options));
        this.options = options;
        target = new WatchTarget(expected ?? throw new ArgumentNullException(nameof(expected)), probes ?? throw new ArgumentNullException(nameof(probes)),
            peers ?? throw new ArgumentNullException(nameof(peers)), options.AutoRecover);
        this.alertSource = alertSource;
        this.activeAlerts = activeAlerts;
        this.recover = recover ?? throw new ArgumentNullException(nameof(recover));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? NullLogger.Instance;
        History = new SnapshotTimeline(options.HistoryCapacity);
        detections = Channel.CreateBounded<Detection>(new BoundedChannelOptions(options.DetectionQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>
    /// From the next round on, watch <paramref name="next"/> (the daemon reloaded the stack: a recovery changed it, or
    /// its file did). Analysis keeps what it knows: a diagnosis already raised and handled stays in force and is not
    /// raised again, while the new expected topology decides from now on (a rebuilt node's new name is expected, the
    /// new active region is the one a RegionDown fails over from).
    /// </summary>
    public void Retarget(WatchTarget next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (gate)
            nextTarget = next;
    }

    /// <summary>What the loop watches now (the latest <see cref="Retarget"/> once a round has begun since).</summary>
    public WatchTarget Target
    {
        get
        {
            lock (gate)
                return target;
        }
    }

    /// <summary>The latest snapshots of every vantage.</summary>
    public SnapshotTimeline History { get; }

    /// <summary>Called after every completed round with the diagnoses raised in it (the command's log lines hang off this).</summary>
    public event Action<IReadOnlyList<Diagnosis>>? RoundCompleted;

    /// <summary>How long the last completed round took (probes and analysis, not the pipeline).</summary>
    public TimeSpan LastRoundDuration => TimeSpan.FromTicks(Interlocked.Read(ref lastRoundTicks));

    /// <summary>When Alertmanager's active alerts were last read and taken in; null: not yet (or no address for them).</summary>
    public DateTimeOffset? LastAlertPull =>
        Interlocked.Read(ref lastAlertPullTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Rounds completed.</summary>
    public long Rounds => Interlocked.Read(ref rounds);

    /// <summary>The diagnoses in force after the last round.</summary>
    public IReadOnlyList<Diagnosis> Active
    {
        get
        {
            lock (gate)
                return active;
        }
    }

    /// <summary>How many subjects analysis currently tracks (bounded by the topology, not by time).</summary>
    public int TrackedSubjects
    {
        get
        {
            lock (gate)
                return state.Subjects.Count;
        }
    }

    /// <summary>The latest decisions, oldest first.</summary>
    public IReadOnlyList<WatchDecision> Decisions
    {
        get
        {
            lock (gate)
                return [.. decisions];
        }
    }

    /// <summary>
    /// Probes and analyses until cancelled: a round at once, then one per interval. Rounds never overlap (a round
    /// lasts at most the probe timeout); ticks missed meanwhile collapse into one.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Created before the first await, so the schedule starts now and a test's clock cannot overtake it.
        using var timer = new PeriodicTimer(options.Interval, time);
        var worker = DecideAsync(cancellationToken);
        try
        {
            do
            {
                try
                {
                    await RoundAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogRoundFailed(logger, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            detections.Writer.TryComplete();
            try
            {
                await worker.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // the pipeline was stopped mid-run; its steps resume from the audit trail
            }
        }
    }

    /// <summary>One round: probe, analyse, queue the detections. Returns the diagnoses raised in it. Not to be called concurrently.</summary>
    public async Task<IReadOnlyList<Diagnosis>> RoundAsync(CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        var (expected, probes, peers, _) = TakeTarget();
        // Pushed alerts that came before the pull is asked are older than its answer: taken in first, so it overrides them.
        TakeQueuedAlerts();
        var pull = activeAlerts is not null && Rounds % options.AlertPullEvery == 0 ? PullAsync(activeAlerts, cancellationToken) : null;
        var own = Task.WhenAll(probes.Select(p => BoundedAsync(p.Region, t => p.ProbeAsync(t), RegionObservation.Unreachable(p.Region), cancellationToken)));
        var theirs = Task.WhenAll(peers.Select(p => BoundedAsync<PeerReport?>(p.Region, async t => await p.ProbeAsync(t).ConfigureAwait(false), null, cancellationToken)));
        var observations = await own.ConfigureAwait(false);
        var reports = await theirs.ConfigureAwait(false);

        var snapshots = new List<HealthSnapshot>(3);
        if (probes.Count > 0)
            snapshots.Add(ProbeSnapshot(at, observations.OfType<RegionObservation>()));
        if (peers.Count > 0)
            snapshots.Add(PeerVantage.Snapshot(at, reports.OfType<PeerReport>()));
        if (pull is not null && await pull.ConfigureAwait(false) is { } pulled)
        {
            var (added, resolved) = firing.Reconcile(pulled);
            if (added + resolved > 0)
                LogAlertsPulled(logger, pulled.Count, added, resolved);
        }
        // Pushed alerts that came while the pull was answered are at least as new as its answer: they override it.
        TakeQueuedAlerts();
        if (alertSource is not null || activeAlerts is not null)
            snapshots.Add(AlertVantage.Snapshot(at, firing.At(at), expected));

        var raised = new List<Diagnosis>();
        foreach (var snapshot in snapshots)
        {
            History.Append(snapshot);
            NoteReplicaLag(snapshot);
            NoteMembers(snapshot);
            lock (gate)
            {
                var step = HealthAnalyser.Step(state, snapshot, expected, options.Thresholds);
                state = step.State;
                active = step.Diagnoses;
                raised.AddRange(step.Raised);
            }
        }

        // Only what is still in force after every vantage's word: a NodeDown raised on the probe's snapshot is
        // dropped when the peer's snapshot of the same round confirms the region down (suppression).
        var inForce = Active.Select(d => (d.Code, d.Region, d.Node)).ToHashSet();
        foreach (var diagnosis in raised.Where(d => inForce.Contains((d.Code, d.Region, d.Node))))
            Decide(diagnosis, at);
        RetryAwaitingLease(inForce, raised, at);
        Interlocked.Exchange(ref lastRoundTicks, time.GetElapsedTime(started).Ticks);
        Interlocked.Increment(ref rounds);
        RoundCompleted?.Invoke(raised);
        return raised;
    }

    private WatchTarget TakeTarget()
    {
        lock (gate)
        {
            if (nextTarget is { } next)
            {
                target = next;
                nextTarget = null;
                // Member lists of regions no longer watched would only ever be stale.
                foreach (var gone in listed.Keys.Where(r => next.Expected.Regions.All(e => e.Name != r)).ToList())
                    listed.Remove(gone);
            }
            return target;
        }
    }

    private void TakeQueuedAlerts()
    {
        if (alertSource is null) return;
        while (alertSource.TryRead(out var alert))
            firing.Apply(alert);
    }

    /// <summary>
    /// Reads Alertmanager's active alerts, bounded by the probe timeout; null when that fails, which changes nothing
    /// (the alerts held stay). A failure is logged once until a read succeeds again.
    /// </summary>
    private async Task<IReadOnlyList<AlertReceived>?> PullAsync(IActiveAlerts source, CancellationToken cancellationToken)
    {
        // No yield before the bound: its timer starts with the round, on the round's clock.
        string? failure;
        try
        {
            var answer = await source.ReadAsync(cancellationToken).WaitAsync(options.ProbeTimeout, time, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref lastAlertPullTicks, time.GetUtcNow().UtcTicks);
            if (alertPullFailing)
            {
                alertPullFailing = false;
                LogAlertPullBack(logger, source.Source);
            }
            return answer;
        }
        catch (TimeoutException)
        {
            failure = $"no answer within {options.ProbeTimeout}";
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            failure = e.Message;
        }
        if (!alertPullFailing)
        {
            alertPullFailing = true;
            LogAlertPullFailed(logger, source.Source, failure);
        }
        return null;
    }

    /// <summary>
    /// Runs the queued detections, one at a time, until the queue is completed. <see cref="RunAsync"/> runs this
    /// on its own; a caller driving <see cref="RoundAsync"/> by hand calls <see cref="DecidePendingAsync"/>.
    /// </summary>
    private async Task DecideAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (await detections.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            await DecidePendingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands every queued detection to the pipeline, in order; returns how many.</summary>
    public async Task<int> DecidePendingAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        while (detections.Reader.TryRead(out var detection))
        {
            handled++;
            var diagnosis = detection.Diagnosis;
            try
            {
                var outcome = await recover(detection, cancellationToken).ConfigureAwait(false);
                if (outcome is PipelineOutcome.Skipped { Reason: RecoveryPipeline.LeaseHeldReason })
                {
                    lock (gate)
                        awaitingLease[(diagnosis.Code, diagnosis.Region, diagnosis.Node)] = diagnosis;
                }
                LogHanded(logger, diagnosis.Code, diagnosis.Region, diagnosis.Node ?? "-", outcome);
                Record(new WatchDecision(time.GetUtcNow(), diagnosis, WatchAction.Handed, outcome));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogPipelineFailed(logger, diagnosis.Code, diagnosis.Region, e.Message);
                Record(new WatchDecision(time.GetUtcNow(), diagnosis, WatchAction.Failed, Error: e.Message));
            }
        }
        return handled;
    }

    private void Decide(Diagnosis diagnosis, DateTimeOffset at)
    {
        var evidence = string.Join("; ", diagnosis.Evidence);
        // Too few independent vantages for a region-level action: reported like any code the config keeps from the daemon.
        if (!Target.AutoRecover.Contains(diagnosis.Code) || !RegionActionRule.Allows(diagnosis))
        {
            LogNeedsOperator(logger, diagnosis.Code, diagnosis.Region, diagnosis.Node ?? "-", evidence);
            Record(new WatchDecision(at, diagnosis, WatchAction.NeedsOperator));
            return;
        }
        var detection = new Detection(diagnosis, RecoveryTrigger.Timer, PromotionLag: PromotionLag(at), Members: Members(diagnosis.Region, at));
        if (!detections.Writer.TryWrite(detection))
        {
            LogDropped(logger, diagnosis.Code, diagnosis.Region);
            Record(new WatchDecision(at, diagnosis, WatchAction.Dropped));
        }
    }

    /// <summary>Hands again what waited for the lease and is still in force; forgets what cleared or was raised anew.</summary>
    private void RetryAwaitingLease(HashSet<(DiagnosisCode, string, string?)> inForce, List<Diagnosis> raised, DateTimeOffset at)
    {
        List<Diagnosis> again;
        lock (gate)
        {
            foreach (var key in awaitingLease.Keys.Where(k => !inForce.Contains(k) || raised.Any(d => (d.Code, d.Region, d.Node) == k)).ToList())
                awaitingLease.Remove(key);
            again = [.. awaitingLease.Values];
            awaitingLease.Clear();
        }
        foreach (var diagnosis in again)
            Decide(diagnosis, at);
    }

    private void Record(WatchDecision decision)
    {
        lock (gate)
        {
            decisions.Enqueue(decision);
            while (decisions.Count > options.DecisionCapacity)
                decisions.Dequeue();
        }
    }

    /// <summary>
    /// Runs one probe and gives up on it after the probe timeout, whether or not it honours cancellation. Probes are
    /// asynchronous I/O: they are started in turn and awaited together. A timeout yields <paramref name="onTimeout"/>;
    /// an error yields nothing (unknown, not down: an answer that cannot be read is not an outage).
    /// </summary>
    private async Task<T?> BoundedAsync<T>(string region, Func<CancellationToken, Task<T>> probe, T onTimeout, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await probe(linked.Token)
                .WaitAsync(options.ProbeTimeout, time, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
                                  && (e is TimeoutException || (e is OperationCanceledException && timeout.IsCancellationRequested)))
        {
            LogProbeTimedOut(logger, region, options.ProbeTimeout);
            return onTimeout;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogProbeFailed(logger, region, e.Message);
            return default;
        }
    }

    private static HealthSnapshot ProbeSnapshot(DateTimeOffset at, IEnumerable<RegionObservation> observations)
    {
        var list = observations.ToList();
        return new HealthSnapshot(at, "probe",
            [.. list.Select(o => o.Cluster).OfType<ClusterObservation>()],
            [.. list.Select(o => o.Database).OfType<DatabaseObservation>()],
            [.. list.Select(o => o.Endpoint).OfType<EndpointObservation>()]);
    }

    /// <summary>The MySQL replica's last known delay: what a failover's promotion would lose, for the lag guard rail.</summary>
    private void NoteReplicaLag(HealthSnapshot snapshot)
    {
        if (Target.Expected.MySqlReplicaRegion is { } region
            && snapshot.Databases.FirstOrDefault(d => d.Region == region) is { Queried: true, SecondsBehind: { } behind })
            replicaLag = (snapshot.At, behind);
    }

    /// <summary>Remembers each region's cluster as listed by a vantage that names the members (or found unreachable by one).</summary>
    private void NoteMembers(HealthSnapshot snapshot)
    {
        foreach (var cluster in snapshot.Clusters.Where(c => c.Saw(ClusterFacets.Nodes)))
        {
            lock (gate)
                listed[cluster.Region] = (snapshot.At, cluster);
        }
    }

    /// <summary>
    /// The region's members as listed in this round (<paramref name="at"/>); an older list is not trusted, for a node
    /// action must not rest on who was there a while ago. Unknown when no vantage listed them this round.
    /// </summary>
    private ClusterMembers? Members(string region, DateTimeOffset at)
    {
        if (Target.Expected.Regions.FirstOrDefault(r => r.Name == region) is not { } configured)
            return null;
        ClusterObservation? cluster;
        lock (gate)
            cluster = listed.TryGetValue(region, out var seen) && seen.At == at ? seen.Cluster : null;
        return ClusterMembers.Seen(configured.NodeNames, cluster);
    }

    /// <summary>Known only when seen within the analysis window; an older figure says nothing about now.</summary>
    private TimeSpan? PromotionLag(DateTimeOffset now) =>
        replicaLag is { } lag && now - lag.At <= options.Thresholds.WindowLength ? TimeSpan.FromSeconds(lag.Seconds) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "needs operator: {Code} in {Region} (node {Node}), not recovered automatically; evidence: {Evidence}")]
    private static partial void LogNeedsOperator(ILogger logger, DiagnosisCode code, string region, string node, string evidence);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Code} in {Region} (node {Node}) handed to the pipeline: {Outcome}")]
    private static partial void LogHanded(ILogger logger, DiagnosisCode code, string region, string node, PipelineOutcome outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "the pipeline failed on {Code} in {Region}: {Detail}")]
    private static partial void LogPipelineFailed(ILogger logger, DiagnosisCode code, string region, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "detection queue full: {Code} in {Region} dropped")]
    private static partial void LogDropped(ILogger logger, DiagnosisCode code, string region);

    [LoggerMessage(Level = LogLevel.Warning, Message = "probe of {Region} gave no answer within {Timeout}: counted as unreachable")]
    private static partial void LogProbeTimedOut(ILogger logger, string region, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "probe of {Region} failed: {Detail}")]
    private static partial void LogProbeFailed(ILogger logger, string region, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alertmanager lists {Active} active alerts: {Added} not held before, {Resolved} held ones no longer active (resolved)")]
    private static partial void LogAlertsPulled(ILogger logger, int active, int added, int resolved);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot read Alertmanager's active alerts at {Source} ({Detail}); the alerts held are kept, and this is not said again until a read succeeds")]
    private static partial void LogAlertPullFailed(ILogger logger, Uri source, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alertmanager's active alerts at {Source} are read again")]
    private static partial void LogAlertPullBack(ILogger logger, Uri source);

    [LoggerMessage(Level = LogLevel.Error, Message = "watch round failed: {Detail}")]
    private static partial void LogRoundFailed(ILogger logger, string detail);
}
