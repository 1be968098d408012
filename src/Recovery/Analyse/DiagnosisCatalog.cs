using System.Text;
using EsDr.Infra.Config;
using EsDr.Infra.Renderers.Monitoring;

namespace EsDr.Recovery.Analyse;

/// <summary>Which regions an automatic response applies to, relative to the config's active region.</summary>
internal enum RegionScope { AnyRegion, ActiveRegion, OtherRegion }

/// <summary>
/// What the daemon may do by itself about a diagnosis: the recovery <c>es-dr:recovery.auto</c> must allow
/// (<see cref="Action"/>, which also names the planner), in which regions, and whether the standby it fails over to
/// must be green (a red cluster is left only for one that serves every shard).
/// </summary>
internal sealed record AutoResponse(AutoRecovery Action, RegionScope Where, bool TargetMustBeGreen = false)
{
    public bool AppliesTo(bool activeRegion) => Where switch
    {
        RegionScope.ActiveRegion => activeRegion,
        RegionScope.OtherRegion => !activeRegion,
        _ => true,
    };
}

/// <summary>Which region (or node) a <c>plan --simulate</c> scenario fails.</summary>
internal enum ScenarioSubject { NodeOfActiveRegion, ActiveRegion, StandbyRegion }

/// <summary>
/// A <c>plan --simulate</c> scenario: the plan <see cref="Action"/>'s planner makes for <see cref="Subject"/> failing, with
/// the failed side still answering or not (a red cluster answers; a lost region or node does not).
/// </summary>
internal sealed record SimulatedScenario(string Name, AutoRecovery Action, ScenarioSubject Subject, bool FailedSideAnswers);

/// <summary>
/// Everything recovery does with one diagnosis code, in one place: the rule that raises it (null when analysis never
/// does), the codes its confirmed diagnosis hides in the same region, whether it is region-level (acted on only when
/// <see cref="RegionActionRule"/>'s vantage count is met), what the daemon may do by itself, the <c>plan --simulate</c>
/// scenarios that show its plans, the Prometheus alerts that fire for the same condition, and the handling in words
/// (docs/recovery.md's table is rendered from it, and a test holds the two equal).
/// </summary>
internal sealed record DiagnosisEntry(
    DiagnosisCode Code,
    AnalysisRule? Rule,
    IReadOnlyList<DiagnosisCode> Suppresses,
    bool RegionLevel,
    IReadOnlyList<AutoResponse> Auto,
    IReadOnlyList<SimulatedScenario> Scenarios,
    IReadOnlyList<string> Alerts,
    string Handling)
{
    /// <summary>Whether the daemon may ever act on it by itself (given the recoveries the config allows).</summary>
    public bool Actionable => Auto.Count > 0;

    /// <summary>The first automatic response <paramref name="allowed"/> lets the daemon take in that region; null: an operator's.</summary>
    public AutoResponse? ResponseFor(bool activeRegion, IReadOnlyCollection<AutoRecovery> allowed) =>
        Auto.FirstOrDefault(a => a.AppliesTo(activeRegion) && allowed.Contains(a.Action));
}

/// <summary>
/// The one table from diagnosis code to handling (Orchestrator's analysis → recovery mapping): the analyser takes its
/// rules and suppression from here, the daemon its automatic responses and planners, <c>plan --simulate</c> its
/// scenarios, the docs their table. Nothing else decides what happens to a code.
/// </summary>
internal static class DiagnosisCatalog
{
    private static readonly TimeSpan Immediately = TimeSpan.Zero;

    public static IReadOnlyList<DiagnosisEntry> Entries { get; } =
    [
        new(DiagnosisCode.NodeDown,
            new(DiagnosisCode.NodeDown, AnalysisRules.NodeDown, _ => Immediately),
            Suppresses: [DiagnosisCode.NodesMissing], RegionLevel: false,
            Auto: [new(AutoRecovery.NodeRebuild, RegionScope.AnyRegion)],
            Scenarios: [new("node-loss", AutoRecovery.NodeRebuild, ScenarioSubject.NodeOfActiveRegion, FailedSideAnswers: false)],
            Alerts: [AlertRules.ElasticsearchFewerNodesThanExpected],
            Handling: "`nodeRebuild`: rebuild the node (drained first if it still answers), quorum rule permitting; the node-count alert only agrees, only the probe names the node"),
        new(DiagnosisCode.NodesMissing,
            new(DiagnosisCode.NodesMissing, AnalysisRules.NodesMissing, _ => Immediately),
            Suppresses: [], RegionLevel: false, Auto: [], Scenarios: [],
            Alerts: [AlertRules.ElasticsearchFewerNodesThanExpected],
            Handling: "operator: it names no node, so nothing is rebuilt on it"),
        new(DiagnosisCode.ClusterRed,
            new(DiagnosisCode.ClusterRed, AnalysisRules.ClusterRed, t => t.RedGrace),
            Suppresses: [], RegionLevel: true,
            Auto: [new(AutoRecovery.RegionFailover, RegionScope.ActiveRegion, TargetMustBeGreen: true)],
            Scenarios: [new("cluster-red", AutoRecovery.RegionFailover, ScenarioSubject.ActiveRegion, FailedSideAnswers: true)],
            Alerts: [AlertRules.ElasticsearchClusterRed],
            Handling: "active region, after the red grace period: `regionFailover` to the first standby, only when that standby is green (the red cluster answers, so it is fenced first); another region: operator"),
        new(DiagnosisCode.ClusterWithoutMaster,
            new(DiagnosisCode.ClusterWithoutMaster, AnalysisRules.ClusterWithoutMaster, _ => Immediately),
            Suppresses: [], RegionLevel: false, Auto: [], Scenarios: [], Alerts: [],
            Handling: "operator: a cluster without a master usually has lost a majority of its nodes; RegionDown follows when it stops answering"),
        new(DiagnosisCode.RegionDown,
            new(DiagnosisCode.RegionDown, AnalysisRules.RegionDown, _ => Immediately),
            Suppresses: [DiagnosisCode.NodeDown, DiagnosisCode.NodesMissing, DiagnosisCode.ClusterRed, DiagnosisCode.ClusterWithoutMaster],
            RegionLevel: true,
            Auto: [new(AutoRecovery.RegionFailover, RegionScope.ActiveRegion), new(AutoRecovery.RegionRebuild, RegionScope.OtherRegion)],
            Scenarios:
            [
                new("region-loss", AutoRecovery.RegionFailover, ScenarioSubject.ActiveRegion, FailedSideAnswers: false),
                new("standby-loss", AutoRecovery.RegionRebuild, ScenarioSubject.StandbyRegion, FailedSideAnswers: false),
            ],
            Alerts: [AlertRules.EndpointProbeDown],
            Handling: "active region: `regionFailover` to the first standby (what still answers is fenced first); another region: `regionRebuild`"),
        new(DiagnosisCode.ReplicationLagTooHigh,
            new(DiagnosisCode.ReplicationLagTooHigh, AnalysisRules.ReplicationLagTooHigh, _ => Immediately),
            Suppresses: [], RegionLevel: false, Auto: [], Scenarios: [],
            Alerts: [AlertRules.CcrLagTooHigh, AlertRules.MysqlReplicaLagTooHigh],
            Handling: "none: failback waits for zero lag, and a failover is held by the lag limit unless forced"),
        new(DiagnosisCode.CcrFatalError,
            new(DiagnosisCode.CcrFatalError, AnalysisRules.CcrFatalError, _ => Immediately),
            Suppresses: [], RegionLevel: false, Auto: [], Scenarios: [],
            Alerts: [AlertRules.CcrFatalError],
            // Not automatic: re-applying the replication set-up plans nothing for a follower that exists with the right
            // leader (a fatally failed one still shows active), and remaking a follower deletes its data.
            Handling: "operator: once the cause is fixed, pause and resume the follower (`POST /<index>/_ccr/pause_follow`, then `resume_follow`); one whose leader index or history is gone must be made again (`rebuild-region` the standby). Re-applying the replication set-up would change nothing (the follower exists), so the daemon does not act"),
        new(DiagnosisCode.ReplicaBroken,
            new(DiagnosisCode.ReplicaBroken, AnalysisRules.ReplicaBroken, _ => Immediately),
            Suppresses: [], RegionLevel: false, Auto: [],
            Scenarios: [new("replica-broken", AutoRecovery.RegionRebuild, ScenarioSubject.StandbyRegion, FailedSideAnswers: true)],
            Alerts: [AlertRules.MysqlReplicaIoThreadStopped, AlertRules.MysqlReplicaSqlThreadStopped],
            Handling: "operator: restart replication, or `rebuild-region` the standby (the `replica-broken` scenario shows that plan)"),
        new(DiagnosisCode.OperatorRequest, null,
            Suppresses: [], RegionLevel: false, Auto: [], Scenarios: [], Alerts: [],
            Handling: "never raised by analysis: an operator's planned recovery (`failback`)"),
    ];

    private static readonly Dictionary<DiagnosisCode, DiagnosisEntry> ByCode = Entries.ToDictionary(e => e.Code);

    public static DiagnosisEntry For(DiagnosisCode code) =>
        ByCode.TryGetValue(code, out var entry) ? entry : throw new ArgumentOutOfRangeException(nameof(code), code, "not in the diagnosis catalog");

    /// <summary>The rules analysis runs, in catalog order.</summary>
    public static IReadOnlyList<AnalysisRule> Rules { get; } = [.. Entries.Select(e => e.Rule).OfType<AnalysisRule>()];

    /// <summary>Every <c>plan --simulate</c> scenario.</summary>
    public static IReadOnlyList<SimulatedScenario> Scenarios { get; } = [.. Entries.SelectMany(e => e.Scenarios)];

    /// <summary>The codes the daemon hands to the pipeline when <paramref name="allowed"/> lists one of their responses.</summary>
    public static IReadOnlySet<DiagnosisCode> AutoCodes(IEnumerable<AutoRecovery> allowed)
    {
        var set = allowed.ToHashSet();
        return Entries.Where(e => e.Auto.Any(a => set.Contains(a.Action))).Select(e => e.Code).ToHashSet();
    }

    /// <summary>
    /// The catalog as the Markdown table docs/recovery.md carries between its <c>diagnosis-catalog</c> markers (a test
    /// keeps them equal).
    /// </summary>
    public static string MarkdownTable()
    {
        var sb = new StringBuilder();
        sb.Append("| diagnosis | hides (same region) | vantages to act | the daemon by itself | `plan --simulate` | alert | handling |\n");
        sb.Append("| --- | --- | --- | --- | --- | --- | --- |\n");
        foreach (var e in Entries)
        {
            var auto = e.Auto.Count == 0 ? "never"
                : string.Join("; ", e.Auto.Select(a => $"`{Spell(a.Action)}` ({Where(a.Where)}{(a.TargetMustBeGreen ? ", standby green" : "")})"));
            sb.Append("| ").Append(e.Code)
                .Append(" | ").Append(e.Suppresses.Count == 0 ? "-" : string.Join(", ", e.Suppresses))
                .Append(" | ").Append(e.RegionLevel ? "`minVantagesForRegionActions`" : "-")
                .Append(" | ").Append(auto)
                .Append(" | ").Append(e.Scenarios.Count == 0 ? "-" : string.Join(", ", e.Scenarios.Select(s => $"`{s.Name}`")))
                .Append(" | ").Append(e.Alerts.Count == 0 ? "-" : string.Join(", ", e.Alerts.Select(a => $"`{a}`")))
                .Append(" | ").Append(e.Handling)
                .Append(" |\n");
        }
        return sb.ToString();
    }

    private static string Spell(AutoRecovery action) => action switch
    {
        AutoRecovery.NodeRebuild => "nodeRebuild",
        AutoRecovery.RegionFailover => "regionFailover",
        AutoRecovery.RegionRebuild => "regionRebuild",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    private static string Where(RegionScope scope) => scope switch
    {
        RegionScope.ActiveRegion => "active region",
        RegionScope.OtherRegion => "another region",
        _ => "any region",
    };
}
