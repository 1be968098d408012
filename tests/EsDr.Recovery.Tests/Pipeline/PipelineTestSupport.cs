using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Lease;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Pipeline;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class HandClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset now = start;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>Records every step it is asked to run; runs nothing.</summary>
internal sealed class RecordingRunner : IStepRunner
{
    public List<RecoveryStep> Ran { get; } = [];

    public Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        Ran.Add(step);
        return Task.FromResult<string?>("ok");
    }
}

/// <summary>A lease that another instance may hold; counts acquisitions and releases.</summary>
internal sealed class FakeLease : IRecoveryLease
{
    public bool HeldByAnother { get; set; }
    public int Acquired { get; private set; }
    public int Released { get; private set; }

    public Task<LeaseHandle?> TryAcquireAsync(string holderId, CancellationToken cancellationToken)
    {
        if (HeldByAnother)
            return Task.FromResult<LeaseHandle?>(null);
        Acquired++;
        return Task.FromResult<LeaseHandle?>(new Handle(holderId, this));
    }

    private sealed class Handle(string holderId, FakeLease owner) : LeaseHandle(holderId)
    {
        private bool released;

        public override bool IsHeld => !released;

        public override Task ReleaseAsync(CancellationToken cancellationToken)
        {
            if (!released)
            {
                released = true;
                owner.Released++;
                MarkLost();
            }
            return Task.CompletedTask;
        }

        protected override ValueTask DisposeCoreAsync() => new(ReleaseAsync(CancellationToken.None));
    }
}

/// <summary>A pipeline over a real audit trail on a temp SQLite file, fake steps and a fake lease.</summary>
internal sealed class PipelineHarness : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("esdr-pipeline-").FullName;
    private readonly List<IDisposable> restarts = [];

    public PipelineHarness(Func<PipelineOptions, PipelineOptions>? configure = null)
    {
        Audit = AuditTrail.Open(AuditPath, Redactor.None);
        Detections = DetectionLog.Open(AuditPath);
        Blocks = BlockPeriods.Open(AuditPath);
        Interventions = Interventions.Open(AuditPath);
        var options = new PipelineOptions
        {
            PauseFile = PauseFile,
            BlockPeriod = TimeSpan.FromMinutes(30),
            MaxPromotionLag = TimeSpan.FromSeconds(10),
            HolderId = "test-instance",
        };
        Options = configure?.Invoke(options) ?? options;
        Pipeline = new RecoveryPipeline(Options, PlanFor, Audit, Detections, Blocks, Interventions,
            new RecoveryExecutor(Audit, Runner, Clock), Lease, Clock);
    }

    public HandClock Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public RecordingRunner Runner { get; } = new();
    public FakeLease Lease { get; } = new();
    public AuditTrail Audit { get; }
    public DetectionLog Detections { get; }
    public BlockPeriods Blocks { get; }
    public Interventions Interventions { get; }
    public PipelineOptions Options { get; }
    public RecoveryPipeline Pipeline { get; }

    public string AuditPath => Path.Combine(dir, "audit.db");
    public string PauseFile => Path.Combine(dir, "paused");
    public string File(string name) => Path.Combine(dir, name);

    /// <summary>RegionDown → a two-step failover, NodeDown → a one-step rebuild, anything else → no action.</summary>
    public static RecoveryPlan? PlanFor(Diagnosis d) => d.Code switch
    {
        DiagnosisCode.RegionDown => new RecoveryPlan(RecoveryKind.RegionFailover, $"fail over from {d.Region} to dub",
        [
            new MySqlStatement("dub", "STOP REPLICA; RESET REPLICA ALL;", "Promote the replica in dub", "no replica left to stop"),
            new MySqlStatement("dub", "SET GLOBAL read_only = OFF;", "Make dub writable", "a setting"),
        ]),
        DiagnosisCode.NodeDown => new RecoveryPlan(RecoveryKind.NodeRebuild, $"rebuild node {d.Node} in {d.Region}",
        [
            new WaitFor($"Wait for {d.Region} to be green", new ClusterGreen(d.Region), "a condition"),
        ]),
        _ => null,
    };

    public Detection RegionDown(string region = "fra", bool forced = false, TimeSpan? lag = null) =>
        new(new Diagnosis(DiagnosisCode.RegionDown, region, null, Clock.GetUtcNow(), ["probe: unreachable"]),
            RecoveryTrigger.Timer, forced, lag ?? TimeSpan.FromSeconds(1));

    /// <summary>A new pipeline on the same audit database, as the daemon after a restart or another operator command.</summary>
    public RecoveryPipeline Restarted(Func<PipelineOptions, PipelineOptions>? configure = null)
    {
        var audit = AuditTrail.Open(AuditPath, Redactor.None);
        var detections = DetectionLog.Open(AuditPath);
        var blocks = BlockPeriods.Open(AuditPath);
        var interventions = Interventions.Open(AuditPath);
        restarts.AddRange([audit, detections, blocks, interventions]);
        return new RecoveryPipeline(configure?.Invoke(Options) ?? Options, PlanFor, audit, detections, blocks, interventions,
            new RecoveryExecutor(audit, Runner, Clock), Lease, Clock);
    }

    /// <summary>Node <paramref name="node"/> of <c>es-&lt;region&gt;-0..2</c> diagnosed down, as the probe listed the cluster: the other two present.</summary>
    public Detection NodeDown(string region, string node, RecoveryTrigger trigger)
    {
        var configured = Enumerable.Range(0, 3).Select(i => $"es-{region}-{i}").ToList();
        return new(new Diagnosis(DiagnosisCode.NodeDown, region, node, Clock.GetUtcNow(), ["probe: node missing"]), trigger,
            Members: new ClusterMembers(configured, [.. configured.Where(n => n != node)]));
    }

    public void Dispose()
    {
        foreach (var restart in restarts)
            restart.Dispose();
        Interventions.Dispose();
        Blocks.Dispose();
        Detections.Dispose();
        Audit.Dispose();
        Directory.Delete(dir, recursive: true);
    }
}
