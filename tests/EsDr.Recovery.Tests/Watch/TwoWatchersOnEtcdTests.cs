using System.Diagnostics;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Lease;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Execute.Lease;
using EsDr.Recovery.Watch;
using Xunit.Abstractions;

namespace EsDr.Recovery.Tests.Watch;

/// <summary>
/// Two <c>watch</c> loops, each with its own pipeline, audit trail and holder id, sharing one recovery lease on a
/// real etcd on loopback, both seeing fra down: only one fails over; when the acting one dies mid-failover without
/// releasing, the other takes the lease once it expires and fails over itself.
/// </summary>
[Collection("live processes")]
public sealed class TwoWatchersOnEtcdTests(EtcdFixture etcd, ITestOutputHelper output) : IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);
    private readonly string _key = "/es-dr/recovery-lease/" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task BothSeeFraDown_OnlyOneFailsOver_TheOtherIsSkippedOnTheLease()
    {
        var world = new StandInWorld();
        // Steps slow enough that whichever watcher confirms second still finds the lease held, even on a
        // loaded machine where the two confirm rounds apart.
        await using var a = new Watcher("watch-a", world, etcd.Endpoint, _key, Ttl, stepDelay: TimeSpan.FromSeconds(3));
        await using var b = new Watcher("watch-b", world, etcd.Endpoint, _key, Ttl, stepDelay: TimeSpan.FromSeconds(3));

        a.Start();
        b.Start();
        await Until(() => (a.Acted || b.Acted) && (a.SkippedOnLease || b.SkippedOnLease), TimeSpan.FromSeconds(30));
        await Task.Delay(Ttl * 2); // later rounds, past a lease's life: nobody acts again
        await a.StopAsync();
        await b.StopAsync();

        var (winner, loser) = world.StepsBy("watch-a").Count > 0 ? (a, b) : (b, a);
        Assert.Equal(StandInWorld.FailoverSteps, world.StepsBy(winner.HolderId));
        Assert.Empty(world.StepsBy(loser.HolderId));
        Assert.Single(world.Steps, s => s.Step.StartsWith("pulumi up", StringComparison.Ordinal));
        Assert.True(loser.SkippedOnLease);
        Assert.Contains(winner.Decisions, d => d.Outcome is PipelineOutcome.Acted { Status: RecoveryStatus.Succeeded });
        Assert.DoesNotContain(loser.Decisions, d => d.Outcome is PipelineOutcome.Acted);
    }

    [Fact]
    public async Task ActingWatcherDiesHoldingTheLease_TheOtherTakesOverWithinTheTtl()
    {
        var world = new StandInWorld();
        await using var a = new Watcher("watch-a", world, etcd.Endpoint, _key, Ttl, hangs: true);
        await using var b = new Watcher("watch-b", world, etcd.Endpoint, _key, Ttl);

        a.Start();
        await Until(() => world.StepsBy("watch-a").Count == 1, TimeSpan.FromSeconds(10)); // a holds the lease, mid-step
        b.Start();
        await Until(() => b.SkippedOnLease, TimeSpan.FromSeconds(10));
        await Task.Delay(Ttl); // a keeps renewing: b keeps being skipped past a whole TTL
        Assert.Empty(world.StepsBy("watch-b"));

        var clock = Stopwatch.StartNew();
        Assert.True(1 == await a.CrashAsync(), "a did not hold the lease when killed: " + string.Join("; ", a.Decisions));
        await Until(() => world.StepsBy("watch-b").Count > 0, Ttl * 3);
        var takeover = clock.Elapsed;
        await Until(() => b.Acted, TimeSpan.FromSeconds(10));
        await b.StopAsync();
        output.WriteLine($"takeover after {takeover.TotalMilliseconds:F0} ms (TTL {Ttl.TotalSeconds} s)");

        // The lease expired rather than being revoked (a revoke frees it within milliseconds): the earliest expiry
        // is TTL − TTL/3 after the crash (renewed every TTL/3), less etcd's own expiry granularity, so half a TTL
        // is the floor that still tells the two apart.
        Assert.InRange(takeover, Ttl / 2, Ttl + Margin);
        Assert.Equal(StandInWorld.FailoverSteps, world.StepsBy("watch-b"));
        Assert.Equal([StandInWorld.FailoverSteps[0]], world.StepsBy("watch-a"));
        Assert.Contains(b.Decisions, d => d.Outcome is PipelineOutcome.Acted { Status: RecoveryStatus.Succeeded });
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"condition not met within {timeout}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Stand-in for the cloud both watchers act on: fra's cluster is down, and the failover's steps (a MySQL
    /// promotion, a pulumi up) are recorded with who ran them. The last step makes dub active, so a plan made
    /// afterwards has nothing to fail over.
    /// </summary>
    private sealed class StandInWorld
    {
        public static readonly IReadOnlyList<string> FailoverSteps = ["[mysql dub] STOP REPLICA; RESET REPLICA ALL;", "pulumi up --stack prod"];

        private readonly Lock gate = new();
        private readonly List<(string Holder, string Step)> steps = [];
        private volatile string activeRegion = "fra";

        public string ActiveRegion => activeRegion;

        public IReadOnlyList<(string Holder, string Step)> Steps
        {
            get
            {
                lock (gate)
                    return [.. steps];
            }
        }

        public IReadOnlyList<string> StepsBy(string holder) => [.. Steps.Where(s => s.Holder == holder).Select(s => s.Step)];

        public RecoveryPlan? PlanFor(Diagnosis d) => d.Code == DiagnosisCode.RegionDown && d.Region == activeRegion
            ? new RecoveryPlan(RecoveryKind.RegionFailover, $"fail over from {d.Region} to dub",
            [
                new MySqlStatement("dub", "STOP REPLICA; RESET REPLICA ALL;", "Promote the replica in dub", "no replica left to stop"),
                new PulumiCommand(["up", "--stack", "prod"], "Make dub active", "an up with nothing to change"),
            ])
            : null;

        public void Ran(string holder, RecoveryStep step)
        {
            lock (gate)
                steps.Add((holder, step.Render()));
            if (step is PulumiCommand) activeRegion = "dub";
        }
    }

    /// <summary>Stand-in step runner: records the step, then takes its time, or hangs until cancelled (a stuck step).</summary>
    private sealed class StandInRunner(string holder, StandInWorld world, TimeSpan delay, bool hangs) : IStepRunner
    {
        public async Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
        {
            world.Ran(holder, step);
            await Task.Delay(hangs ? Timeout.InfiniteTimeSpan : delay, cancellationToken);
            return "ok";
        }
    }

    /// <summary>The etcd lease, with a crash switch: stop renewing the held lease without revoking it.</summary>
    private sealed class CrashableLease(EtcdLease inner) : IRecoveryLease
    {
        private readonly List<EtcdLease.Handle> handles = [];

        public async Task<LeaseHandle?> TryAcquireAsync(string holderId, CancellationToken cancellationToken)
        {
            var handle = await inner.TryAcquireAsync(holderId, cancellationToken);
            if (handle is EtcdLease.Handle h)
            {
                lock (handles)
                    handles.Add(h);
            }
            return handle;
        }

        /// <summary>Abandons the handles still held; returns how many.</summary>
        public async Task<int> AbandonHeldAsync()
        {
            List<EtcdLease.Handle> held;
            lock (handles)
                held = [.. handles.Where(h => h.IsHeld)];
            foreach (var h in held)
                await h.AbandonAsync();
            return held.Count;
        }
    }

    /// <summary>One watch instance: its own loop (probes seeing fra down), pipeline, audit trail and holder id.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly string dir = Directory.CreateTempSubdirectory("esdr-two-watchers-").FullName;
        private readonly EtcdLease etcdLease;
        private readonly CrashableLease lease;
        private readonly AuditTrail audit;
        private readonly DetectionLog detections;
        private readonly BlockPeriods blocks;
        private readonly Interventions interventions;
        private readonly WatchLoop loop;
        private readonly CancellationTokenSource stop = new();
        private Task? running;

        public Watcher(string holderId, StandInWorld world, Uri etcd, string key, TimeSpan ttl, TimeSpan? stepDelay = null, bool hangs = false)
        {
            HolderId = holderId;
            etcdLease = new EtcdLease(etcd, key, ttl, TimeProvider.System);
            lease = new CrashableLease(etcdLease);
            var path = Path.Combine(dir, "audit.db");
            audit = AuditTrail.Open(path, Redactor.None);
            detections = DetectionLog.Open(path);
            blocks = BlockPeriods.Open(path);
            interventions = Interventions.Open(path);
            var pipeline = new RecoveryPipeline(
                new PipelineOptions { HolderId = holderId, PauseFile = Path.Combine(dir, "paused") },
                world.PlanFor, audit, detections, blocks, interventions,
                new RecoveryExecutor(audit, new StandInRunner(holderId, world, stepDelay ?? TimeSpan.FromMilliseconds(50), hangs), TimeProvider.System),
                lease, TimeProvider.System);
            var fra = new ScriptedProbe("fra");
            fra.Answers(WatchWorld.Down("fra"));
            loop = new WatchLoop(
                new WatchOptions
                {
                    Interval = TimeSpan.FromMilliseconds(100),
                    ProbeTimeout = TimeSpan.FromMilliseconds(80),
                    AutoRecover = new HashSet<DiagnosisCode> { DiagnosisCode.RegionDown },
                    Thresholds = new AnalysisThresholds(ConfirmAfter: 1, MinAgreeingVantages: 1, MinVantagesForRegionActions: 1),
                },
                WatchWorld.Topology, [fra, new ScriptedProbe("dub")], [], null, pipeline.HandleAsync, TimeProvider.System);
        }

        public string HolderId { get; }

        public IReadOnlyList<WatchDecision> Decisions => loop.Decisions;

        public bool Acted => Decisions.Any(d => d.Outcome is PipelineOutcome.Acted);

        public bool SkippedOnLease => Decisions.Any(d => d.Outcome is PipelineOutcome.Skipped { Reason: RecoveryPipeline.LeaseHeldReason });

        public void Start() => running = Task.Run(() => loop.RunAsync(stop.Token));

        /// <summary>Dies as a killed process would: its lease is neither renewed nor revoked, and it stops working.</summary>
        /// <returns>How many held leases it left behind.</returns>
        public async Task<int> CrashAsync()
        {
            var abandoned = await lease.AbandonHeldAsync();
            await StopAsync();
            return abandoned;
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            if (running is not null) await running;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            stop.Dispose();
            interventions.Dispose();
            blocks.Dispose();
            detections.Dispose();
            audit.Dispose();
            etcdLease.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }
}
