using System.Collections.Immutable;

namespace EsDr.Recovery.Analyse;

/// <summary>
/// Everything analysis remembers between snapshots, as an immutable value: per subject (a code and a region,
/// and a node for <see cref="DiagnosisCode.NodeDown"/>), each vantage's current run of failed or healthy
/// observations, and the diagnosis if one is confirmed. <see cref="HealthAnalyser.Step"/> takes one and returns the next.
/// </summary>
internal sealed record AnalysisState(ImmutableDictionary<SubjectKey, SubjectState> Subjects)
{
    public static AnalysisState Empty { get; } = new(ImmutableDictionary<SubjectKey, SubjectState>.Empty);
}

internal readonly record struct SubjectKey(DiagnosisCode Code, string Region, string? Node);

/// <summary>The runs per vantage for one subject, and the confirmed diagnosis (kept, unchanged, until cleared).</summary>
internal sealed record SubjectState(ImmutableDictionary<string, VantageRun> Vantages, Diagnosis? Confirmed)
{
    public static SubjectState Empty { get; } = new(ImmutableDictionary.Create<string, VantageRun>(StringComparer.Ordinal), null);
}

/// <summary>
/// One vantage's word on one subject: when it last said anything, its current consecutive failed run (and when
/// that run began) or its current consecutive healthy run, its latest reason, and whether it names the subject
/// (<see cref="Finding.NamesSubject"/>).
/// </summary>
internal sealed record VantageRun(
    DateTimeOffset LastSeen,
    int FailRun,
    DateTimeOffset? FailRunStart,
    int HealthyRun,
    string Detail,
    bool NamesSubject = true,
    bool ConfirmedAtSource = false)
{
    public VantageRun Next(Finding finding, DateTimeOffset at, bool confirmedAtSource = false) => finding.Failing
        ? new(at, FailRun + 1, FailRun == 0 ? at : FailRunStart, 0, finding.Detail, finding.NamesSubject, confirmedAtSource)
        : new(at, 0, null, HealthyRun + 1, finding.Detail, finding.NamesSubject, confirmedAtSource);

    public static VantageRun First(Finding finding, DateTimeOffset at, bool confirmedAtSource = false) =>
        new VantageRun(at, 0, null, 0, finding.Detail).Next(finding, at, confirmedAtSource);

    /// <summary>Whether this run of failures confirms the failure: one observation from a source that confirmed it already, else <paramref name="confirmAfter"/>.</summary>
    public bool Confirms(int confirmAfter) => FailRun >= (ConfirmedAtSource ? 1 : confirmAfter);
}

/// <summary>One step's result: the next state, every active diagnosis (after suppression), and what changed.</summary>
internal sealed record AnalysisStep(
    AnalysisState State,
    IReadOnlyList<Diagnosis> Diagnoses,
    IReadOnlyList<Diagnosis> Raised,
    IReadOnlyList<Diagnosis> Cleared);
