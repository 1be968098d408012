namespace EsDr.Recovery.Analyse;

/// <summary>What analysis concludes, as data (Orchestrator's analysis codes): a code, where, since when, and why.</summary>
public enum DiagnosisCode
{
    NodeDown,

    /// <summary>
    /// A region's cluster has fewer nodes than expected, as seen by a vantage that may not say which (Prometheus's
    /// node-count alert). It names no node, so nothing is rebuilt on it: an operator is asked. Hidden while a
    /// NodeDown of the same region, which names the node, is in force.
    /// </summary>
    NodesMissing,
    ClusterRed,
    ClusterWithoutMaster,
    RegionDown,
    ReplicationLagTooHigh,
    CcrFatalError,
    ReplicaBroken,
    /// <summary>Not a failure: an operator asked for a planned recovery (failback). Analysis never produces it.</summary>
    OperatorRequest,
}

/// <summary>
/// One diagnosis. <see cref="Node"/> is set for <see cref="DiagnosisCode.NodeDown"/>; <see cref="Evidence"/>
/// lists the observations it rests on (vantages, counts), for the audit trail and the operator.
/// <see cref="Confirmation"/> is set on a region-level diagnosis the analyser raised: which vantages confirmed it and
/// whether that is enough for anything to act on it by itself.
/// </summary>
public sealed record Diagnosis(
    DiagnosisCode Code,
    string Region,
    string? Node,
    DateTimeOffset Since,
    IReadOnlyList<string> Evidence,
    VantageConfirmation? Confirmation = null);

/// <summary>
/// The independent vantages that confirmed a region-level diagnosis, how many the config requires before an action,
/// and the sentence that says so to the operator, in the evidence, the watch log and every plan made from it.
/// </summary>
public sealed record VantageConfirmation(IReadOnlyList<string> Vantages, int Required, bool Allowed, string Statement);
