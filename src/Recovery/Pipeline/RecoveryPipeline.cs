using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Git;
using EsDr.Recovery.Execute.Lease;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EsDr.Recovery.Pipeline;

/// <summary>
/// The one path every trigger takes (Orchestrator's recovery flow): register the detection, plan (pure),
/// check the guard rails, run the pre-action hooks (a non-zero exit vetoes), take the lease, execute — or in
/// no-op mode only record the plan — then run the post-action hooks (best effort) and release the lease.
/// Everything a recovery does is recorded under one recovery id, the one hooks see as <c>ESDR_RECOVERY_ID</c>.
/// Block periods and the operators' pause live in the audit database (<see cref="BlockPeriods"/>,
/// <see cref="Interventions"/>); a dry run's block period only in this process, for it changed nothing a real recovery
/// should wait for.
/// </summary>
internal sealed partial class RecoveryPipeline
{
    private readonly PipelineOptions options;
    private readonly Func<Diagnosis, RecoveryPlan?> planFor;
    private readonly AuditTrail audit;
    private readonly DetectionLog detections;
    private readonly BlockPeriods blocks;
    private readonly Interventions interventions;
    private readonly RecoveryExecutor executor;
    private readonly IRecoveryLease lease;

    /// <summary>The reason of the skip when another instance holds the lease; the watch loop retries on it.</summary>
    public const string LeaseHeldReason = "another instance holds the recovery lease";
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly HookRunner hooks;
    private readonly PlanStore? plans;
    private readonly ConfigPublisher? publisher;

    private readonly Lock gate = new();
    private readonly Dictionary<string, BlockStart> dryRunBlocks = new(StringComparer.Ordinal);
    private readonly HashSet<string> inProgress = new(StringComparer.Ordinal);

    public RecoveryPipeline(
        PipelineOptions options, Func<Diagnosis, RecoveryPlan?> planFor, AuditTrail audit, DetectionLog detections,
        BlockPeriods blocks, Interventions interventions, RecoveryExecutor executor, IRecoveryLease lease, TimeProvider time, ILogger? logger = null,
        PlanStore? plans = null, ConfigPublisher? publisher = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.planFor = planFor ?? throw new ArgumentNullException(nameof(planFor));
        this.audit = audit ?? throw new ArgumentNullException(nameof(audit));
        this.detections = detections ?? throw new ArgumentNullException(nameof(detections));
        this.blocks = blocks ?? throw new ArgumentNullException(nameof(blocks));
        this.interventions = interventions ?? throw new ArgumentNullException(nameof(interventions));
        this.executor = executor ?? throw new ArgumentNullException(nameof(executor));
        this.lease = lease ?? throw new ArgumentNullException(nameof(lease));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? NullLogger.Instance;
        hooks = new HookRunner(options.HookTimeout);
        this.plans = plans;
        this.publisher = publisher;
    }

    /// <summary>
    /// An operator's acknowledgement: lifts the block period on <paramref name="region"/>, in the audit database for
    /// every process. False when none was set.
    /// </summary>
    public bool Acknowledge(string region)
    {
        lock (gate)
        {
            var dryRun = dryRunBlocks.Remove(region);
            return blocks.Acknowledge(region, time.GetUtcNow()) || dryRun;
        }
    }

    public async Task<PipelineOutcome> HandleAsync(Detection detection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(detection);
        var detectionId = detections.Register(detection, time.GetUtcNow());
        var outcome = await DecideAndActAsync(detection, cancellationToken).ConfigureAwait(false);
        detections.Resolve(detectionId, outcome);
        return outcome;
    }

    private async Task<PipelineOutcome> DecideAndActAsync(Detection detection, CancellationToken cancellationToken)
    {
        var region = detection.Diagnosis.Region;
        RecoveryPlan? plan;
        try
        {
            plan = planFor(detection.Diagnosis);
        }
#pragma warning disable CA1031 // A planner failure is this detection's outcome, not the daemon's end.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new PipelineOutcome.Skipped($"planning failed: {ex.Message}");
        }

        var paused = PauseState.Reason(options.PauseFile, interventions);
        lock (gate)
        {
            var facts = new GuardFacts(detection, plan, time.GetUtcNow(), paused, LastRecovery(region), inProgress.Contains(region), options);
            if (GuardRails.FirstBlocking(facts) is var (rule, reason))
                return new PipelineOutcome.Blocked(rule.Name, reason);
            // Claimed under the lock, so two triggers racing for the same region cannot both pass BlockPeriod.
            inProgress.Add(region);
        }
        try
        {
            return await ActAsync(detection, plan ?? throw new InvalidOperationException("NotActionable let a detection without a plan through"),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (gate)
                inProgress.Remove(region);
        }
    }

    private async Task<PipelineOutcome> ActAsync(Detection detection, RecoveryPlan plan, CancellationToken cancellationToken)
    {
        var region = detection.Diagnosis.Region;
        var id = RecoveryId.New(time);
        var environment = Environment(id, detection, plan);

        foreach (var hook in options.PreHooks)
        {
            var result = await hooks.RunAsync(hook, environment, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                var reason = "vetoed by pre-action " + result.Describe();
                RecordNotRun(id, plan, detection.Trigger, reason);
                return new PipelineOutcome.Vetoed(hook.Name, id, reason);
            }
        }

        var handle = await lease.TryAcquireAsync(options.HolderId, cancellationToken).ConfigureAwait(false);
        if (handle is null)
            return new PipelineOutcome.Skipped(LeaseHeldReason);
        await using (handle.ConfigureAwait(false))
        {
            PipelineOutcome outcome;
            string status;
            if (options.DryRun)
            {
                RecordNotRun(id, plan, detection.Trigger, "dry run (no-op mode): not executed");
                outcome = new PipelineOutcome.DryRun(id);
                status = "dry-run";
                lock (gate)
                    dryRunBlocks[region] = new BlockStart(id, time.GetUtcNow());
            }
            else
            {
                audit.BeginRecovery(id, plan.Kind.ToString(), detection.Trigger, plan.Summary, time.GetUtcNow());
                // Stored before the first step runs, so a resume after a crash runs exactly this plan.
                plans?.Save(id, plan);
                // Begun before the first step too: a crash mid-way still leaves the region blocked for the next process.
                blocks.Begin(region, id, time.GetUtcNow());
                using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, handle.Lost);
                // Resuming a just-begun recovery runs it from step 0 under the id the hooks were given.
                var result = await executor.ResumeAsync(id, plan, work.Token).ConfigureAwait(false);
                status = AuditNames.Name(result.Status);
                blocks.End(id, time.GetUtcNow());
                var config = await PublishConfigAsync(id, plan, status, cancellationToken).ConfigureAwait(false);
                outcome = new PipelineOutcome.Acted(id, result.Status, result.Error) { Config = config };
            }

            var post = new Dictionary<string, string>(environment, StringComparer.Ordinal) { ["ESDR_STATUS"] = status };
            if (outcome is PipelineOutcome.Acted { Config: { } published }) post["ESDR_CONFIG"] = ConfigName(published.State);
            foreach (var hook in options.PostHooks)
                await RunPostHookAsync(hook, post, id).ConfigureAwait(false);

            await handle.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            return outcome;
        }
    }

    /// <summary>
    /// Continues a recovery that did not finish (its process died, or a step failed and the cause is fixed) with
    /// its stored plan, under the lease, then runs the post-action hooks. The pause switch still applies; the
    /// other guard rails and the pre-action hooks passed when the recovery began.
    /// </summary>
    public async Task<PipelineOutcome> ResumeAsync(string recoveryId, RecoveryPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(recoveryId);
        ArgumentNullException.ThrowIfNull(plan);
        if (PauseState.Reason(options.PauseFile, interventions) is { } paused)
            return new PipelineOutcome.Blocked(GuardRails.PauseSwitch.Name, paused);
        if (options.DryRun)
            return new PipelineOutcome.DryRun(recoveryId);
        var handle = await lease.TryAcquireAsync(options.HolderId, cancellationToken).ConfigureAwait(false);
        if (handle is null)
            return new PipelineOutcome.Skipped(LeaseHeldReason);
        await using (handle.ConfigureAwait(false))
        {
            using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, handle.Lost);
            var result = await executor.ResumeAsync(recoveryId, plan, work.Token).ConfigureAwait(false);
            blocks.End(recoveryId, time.GetUtcNow());
            var config = await PublishConfigAsync(recoveryId, plan, AuditNames.Name(result.Status), cancellationToken).ConfigureAwait(false);
            var post = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ESDR_RECOVERY_ID"] = recoveryId,
                ["ESDR_KIND"] = plan.Kind.ToString(),
                ["ESDR_TRIGGER"] = AuditNames.Name(RecoveryTrigger.Operator),
                ["ESDR_RESUMED"] = "1",
                ["ESDR_DRY_RUN"] = "0",
                ["ESDR_STATUS"] = AuditNames.Name(result.Status),
            };
            if (config is not null) post["ESDR_CONFIG"] = ConfigName(config.State);
            foreach (var hook in options.PostHooks)
                await RunPostHookAsync(hook, post, recoveryId).ConfigureAwait(false);
            await handle.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            return new PipelineOutcome.Acted(recoveryId, result.Status, result.Error) { Config = config };
        }
    }

    /// <summary>
    /// When a config step of this recovery succeeded (now or in an earlier run of it), the stack file changed: commit
    /// and push it, or say it stayed local. Null when nothing changed it. Whatever git does, the recovery's outcome stands.
    /// </summary>
    private async Task<ConfigPublication?> PublishConfigAsync(string id, RecoveryPlan plan, string status, CancellationToken cancellationToken)
    {
        if (publisher is null || !ChangedConfig(id, plan)) return null;
        try
        {
            var published = await publisher.PublishAsync(new ConfigChange(id, plan.Kind.ToString(), plan.Summary, status), cancellationToken).ConfigureAwait(false);
            if (published.State == PublicationState.NotPushed) LogConfigNotPushed(logger, id, published.Detail);
            return published;
        }
#pragma warning disable CA1031 // A disaster must not wait on the git host: the recovery is done, its config stays pending.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var detail = $"config not pushed: {GitProcess.Scrub(ex.Message)}";
            LogConfigNotPushed(logger, id, detail);
            return new ConfigPublication(PublicationState.NotPushed, null, detail);
        }
    }

    private bool ChangedConfig(string id, RecoveryPlan plan) =>
        audit.Recovery(id) is { } record && record.Steps.Any(s => s.Status == StepStatus.Succeeded && s.Index < plan.Steps.Count
            && plan.Steps[s.Index] is PulumiCommand { Args: ["config", ..] });

    private static string ConfigName(PublicationState state) => state switch
    {
        PublicationState.Pushed => "pushed",
        PublicationState.NotPushed => "not-pushed",
        _ => "local",
    };

    private async Task RunPostHookAsync(Hook hook, IReadOnlyDictionary<string, string> environment, string recoveryId)
    {
        try
        {
            var result = await hooks.RunAsync(hook, environment, CancellationToken.None).ConfigureAwait(false);
            if (!result.Succeeded)
                LogPostHookFailed(logger, recoveryId, result.Describe());
        }
#pragma warning disable CA1031 // Post hooks are best effort: nothing they do may fail the recovery.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPostHookFailed(logger, recoveryId, $"hook {hook.Name} could not run: {ex.Message}");
        }
    }

    /// <summary>The later of the region's stored block period and this process's dry run there. Called under the gate.</summary>
    private BlockStart? LastRecovery(string region)
    {
        var stored = blocks.Latest(region);
        return dryRunBlocks.TryGetValue(region, out var dry) && (stored is null || dry.At > stored.At) ? dry : stored;
    }

    // The plan recorded with every step skipped and why (a veto, a dry run), under the pipeline's recovery id.
    private void RecordNotRun(string id, RecoveryPlan plan, RecoveryTrigger trigger, string reason)
    {
        var now = time.GetUtcNow();
        audit.BeginRecovery(id, plan.Kind.ToString(), trigger, plan.Summary, now);
        for (var i = 0; i < plan.Steps.Count; i++)
            audit.StepSkipped(id, i, plan.Steps[i].Describe(), plan.Steps[i].Render(), reason, now);
        audit.FinishRecovery(id, RecoveryStatus.Vetoed, now);
    }

    private Dictionary<string, string> Environment(string id, Detection detection, RecoveryPlan plan) => new(StringComparer.Ordinal)
    {
        ["ESDR_RECOVERY_ID"] = id,
        ["ESDR_KIND"] = plan.Kind.ToString(),
        ["ESDR_REGION"] = detection.Diagnosis.Region,
        ["ESDR_NODE"] = detection.Diagnosis.Node ?? "",
        ["ESDR_TRIGGER"] = AuditNames.Name(detection.Trigger),
        ["ESDR_DIAGNOSIS"] = detection.Diagnosis.Code.ToString(),
        ["ESDR_FORCED"] = detection.Forced ? "1" : "0",
        ["ESDR_DRY_RUN"] = options.DryRun ? "1" : "0",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "recovery {RecoveryId}: {Detail}")]
    private static partial void LogConfigNotPushed(ILogger logger, string recoveryId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "post-action hook failed for {RecoveryId}: {Detail}")]
    private static partial void LogPostHookFailed(ILogger logger, string recoveryId, string detail);
}
