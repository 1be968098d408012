using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;

namespace EsDr.Recovery.Pipeline;

/// <summary>
/// One detection fed into the pipeline, whatever raised it (the daemon's timer, a webhook alert, an
/// operator's command). <see cref="PromotionLag"/> is how far the promotion target was behind when last
/// seen — the writes a failover would lose; null when unknown. <see cref="Forced"/> is an operator's
/// override of the lag limit.
/// </summary>
internal sealed record Detection(Diagnosis Diagnosis, RecoveryTrigger Trigger, bool Forced = false, TimeSpan? PromotionLag = null);

/// <summary>What the pipeline did with a detection.</summary>
internal abstract record PipelineOutcome
{
    /// <summary>The plan ran (its <see cref="Status"/> says whether every step succeeded).</summary>
    public sealed record Acted(string RecoveryId, RecoveryStatus Status, string? Error) : PipelineOutcome;

    /// <summary>A guard rail, named by <see cref="Rule"/>, stopped it before anything ran.</summary>
    public sealed record Blocked(string Rule, string Reason) : PipelineOutcome;

    /// <summary>A pre-action hook exited non-zero (or could not run); the recovery is recorded as vetoed.</summary>
    public sealed record Vetoed(string Hook, string RecoveryId, string Reason) : PipelineOutcome;

    /// <summary>Nothing ran for a reason outside the rules (another instance holds the lease, planning failed).</summary>
    public sealed record Skipped(string Reason) : PipelineOutcome;

    /// <summary>No-op mode: the plan is recorded under <see cref="RecoveryId"/>, no step ran.</summary>
    public sealed record DryRun(string RecoveryId) : PipelineOutcome;
}
