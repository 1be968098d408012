using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Pipeline;

/// <summary>
/// One detection fed into the pipeline, whatever raised it (the daemon's timer, a webhook alert, an
/// operator's command). <see cref="PromotionLag"/> is how far the promotion target was behind when last
/// seen — the writes a failover would lose; null when unknown. <see cref="Members"/> is the diagnosed region's
/// cluster as last listed, for the quorum rule; null when unknown. <see cref="Forced"/> is an operator's
/// override of the lag limit and the quorum rule.
/// </summary>
internal sealed record Detection(
    Diagnosis Diagnosis, RecoveryTrigger Trigger, bool Forced = false, TimeSpan? PromotionLag = null, ClusterMembers? Members = null);

/// <summary>
/// A cluster's master-eligible nodes as the stack configures them, and which of them a vantage that lists the
/// members (the probe's <c>_cat/nodes</c>) saw in the cluster; <see cref="Present"/> is null when none did.
/// </summary>
internal sealed record ClusterMembers(IReadOnlyList<string> MasterEligible, IReadOnlyList<string>? Present)
{
    /// <summary>
    /// From the stack's node names and the latest observation of the cluster. Every configured node is
    /// master-eligible: the compiler gives every node every role (small DR clusters do not split masters off).
    /// </summary>
    public static ClusterMembers Seen(IReadOnlyList<string> configuredNodes, ClusterObservation? cluster) =>
        new(configuredNodes, cluster is { Reachable: true } c && c.Saw(ClusterFacets.Nodes) ? c.NodeNames : null);
}

/// <summary>What the pipeline did with a detection.</summary>
internal abstract record PipelineOutcome
{
    /// <summary>The plan ran (its <see cref="Status"/> says whether every step succeeded).</summary>
    public sealed record Acted(string RecoveryId, RecoveryStatus Status, string? Error) : PipelineOutcome
    {
        /// <summary>What became of the recovery's change to the stack file; null when it changed none.</summary>
        public Execute.Git.ConfigPublication? Config { get; init; }
    }

    /// <summary>A guard rail, named by <see cref="Rule"/>, stopped it before anything ran.</summary>
    public sealed record Blocked(string Rule, string Reason) : PipelineOutcome;

    /// <summary>A pre-action hook exited non-zero (or could not run); the recovery is recorded as vetoed.</summary>
    public sealed record Vetoed(string Hook, string RecoveryId, string Reason) : PipelineOutcome;

    /// <summary>Nothing ran for a reason outside the rules (another instance holds the lease, planning failed).</summary>
    public sealed record Skipped(string Reason) : PipelineOutcome;

    /// <summary>No-op mode: the plan is recorded under <see cref="RecoveryId"/>, no step ran.</summary>
    public sealed record DryRun(string RecoveryId) : PipelineOutcome;
}
