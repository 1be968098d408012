namespace EsDr.Recovery.Analyse;

/// <summary>What analysis concludes, as data (Orchestrator's analysis codes): a code, where, since when, and why.</summary>
public enum DiagnosisCode
{
    NodeDown,
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
/// </summary>
public sealed record Diagnosis(
    DiagnosisCode Code,
    string Region,
    string? Node,
    DateTimeOffset Since,
    IReadOnlyList<string> Evidence);
