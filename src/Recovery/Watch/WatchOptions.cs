using EsDr.Recovery.Analyse;

namespace EsDr.Recovery.Watch;

/// <summary>How the daemon watches (read from config in one place, by the caller).</summary>
internal sealed record WatchOptions
{
    /// <summary>Time between the starts of two probe rounds; a round longer than this is followed at once by the next.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one probe may take; a probe still running then counts its region as unreachable.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The diagnoses the daemon hands to the pipeline itself; every other one is only reported for an operator.</summary>
    public IReadOnlySet<DiagnosisCode> AutoRecover { get; init; } = new HashSet<DiagnosisCode>();

    public AnalysisThresholds Thresholds { get; init; } = AnalysisThresholds.Default;

    /// <summary>Snapshots kept for the operator, all vantages together (a ring: the oldest is overwritten).</summary>
    public int HistoryCapacity { get; init; } = 512;

    /// <summary>Decisions kept for the operator (a ring too).</summary>
    public int DecisionCapacity { get; init; } = 128;

    /// <summary>Detections that may wait while the pipeline is busy; beyond that new ones are dropped and logged.</summary>
    public int DetectionQueueCapacity { get; init; } = 64;

    /// <summary>
    /// Every this many rounds (and in the first) the daemon reads Alertmanager's active alerts, when it has an address
    /// for them: 6 rounds of 5 s, every 30 s.
    /// </summary>
    public int AlertPullEvery { get; init; } = 6;

    /// <summary>The first problem, naming the option, or null.</summary>
    public string? Problem() =>
        Interval <= TimeSpan.Zero ? "watch.interval: must be positive"
        : ProbeTimeout <= TimeSpan.Zero ? "watch.probeTimeout: must be positive"
        : HistoryCapacity <= 0 ? "watch.historyCapacity: must be positive"
        : DecisionCapacity <= 0 ? "watch.decisionCapacity: must be positive"
        : DetectionQueueCapacity <= 0 ? "watch.detectionQueueCapacity: must be positive"
        : AlertPullEvery <= 0 ? "watch.alertPullEvery: must be positive"
        : null;
}
