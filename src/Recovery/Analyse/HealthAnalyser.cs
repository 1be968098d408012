using System.Collections.Immutable;
using System.Globalization;
using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Analyse;

/// <summary>
/// The ANALYSE step: pure, no I/O, time taken from the snapshots. Each rule of <see cref="AnalysisRules"/> turns a
/// snapshot into findings; a finding counts per vantage; a subject is confirmed when <see cref="AnalysisThresholds.ConfirmAfter"/>
/// consecutive failed observations (one from a vantage whose source confirmed it already, <see cref="HealthSnapshot.ConfirmedAtSource"/>:
/// a Prometheus alert has waited its rule's <c>for:</c>) come from enough vantages (all that reported, up to
/// <see cref="AnalysisThresholds.MinAgreeingVantages"/>), and cleared only when as many vantages saw
/// <see cref="AnalysisThresholds.ClearAfter"/> consecutive healthy ones; among the confirming vantages at least one
/// must name the subject (<see cref="Finding.NamesSubject"/>). A confirmed diagnosis hides, in its region, the codes
/// <see cref="DiagnosisCatalog"/> says it suppresses (a region down hides its node, red and master diagnoses; a node
/// down its region's NodesMissing), as Orchestrator does.
/// </summary>
internal static class HealthAnalyser
{
    /// <summary>Folds the snapshots of the window ending at <paramref name="now"/>, oldest first, from an empty state.</summary>
    public static IReadOnlyList<Diagnosis> Analyse(
        IReadOnlyList<HealthSnapshot> timeline, ExpectedTopology expected, AnalysisThresholds thresholds, DateTimeOffset now)
    {
        var from = now - thresholds.WindowLength;
        var state = AnalysisState.Empty;
        IReadOnlyList<Diagnosis> diagnoses = [];
        foreach (var snapshot in timeline
                     .Where(s => s.At > from && s.At <= now)
                     .OrderBy(s => s.At)
                     // As the daemon steps a round: a vantage whose source confirmed its failures after the others,
                     // so one that is confirmed on sight never stands alone at an instant the others also reported.
                     .ThenBy(s => s.ConfirmedAtSource)
                     .ThenBy(s => s.Vantage, StringComparer.Ordinal))
        {
            var step = Step(state, snapshot, expected, thresholds);
            (state, diagnoses) = (step.State, step.Diagnoses);
        }
        return diagnoses;
    }

    /// <summary>One snapshot more: the daemon keeps the returned state and feeds it back with the next snapshot.</summary>
    public static AnalysisStep Step(
        AnalysisState state, HealthSnapshot snapshot, ExpectedTopology expected, AnalysisThresholds thresholds)
    {
        var now = snapshot.At;
        var subjects = state.Subjects.ToBuilder();

        foreach (var rule in AnalysisRules.All)
        {
            foreach (var finding in rule.Evaluate(snapshot, expected, thresholds))
            {
                var key = new SubjectKey(rule.Code, finding.Region, finding.Node);
                var subject = subjects.GetValueOrDefault(key) ?? SubjectState.Empty;
                var run = subject.Vantages.TryGetValue(snapshot.Vantage, out var previous)
                    ? previous.Next(finding, now, snapshot.ConfirmedAtSource)
                    : VantageRun.First(finding, now, snapshot.ConfirmedAtSource);
                subjects[key] = subject with { Vantages = subject.Vantages.SetItem(snapshot.Vantage, run) };
            }
        }

        var raised = new List<Diagnosis>();
        var cleared = new List<Diagnosis>();
        foreach (var (key, subject) in subjects.ToList())
        {
            var decided = Decide(key, subject, now, thresholds);
            if (decided.Confirmed is not null && subject.Confirmed is null)
                raised.Add(decided.Confirmed);
            if (decided.Confirmed is null && subject.Confirmed is not null)
                cleared.Add(subject.Confirmed);

            if (decided.Confirmed is null && decided.Vantages.Values.All(v => now - v.LastSeen > thresholds.WindowLength))
                subjects.Remove(key);
            else
                subjects[key] = decided;
        }

        var active = Suppress(Confirmed(subjects.Values));
        // Only what was reported clears: a NodesMissing hidden behind its NodeDown goes as quietly as it came.
        var reported = Suppress(Confirmed(state.Subjects.Values));
        return new AnalysisStep(
            new AnalysisState(subjects.ToImmutable()),
            Order(active),
            Order(Suppress(raised, active)),
            Order([.. cleared.Where(reported.Contains)]));
    }

    private static List<Diagnosis> Confirmed(IEnumerable<SubjectState> subjects) => [.. subjects.Select(s => s.Confirmed).OfType<Diagnosis>()];

    /// <summary>Confirms or clears one subject from its vantages' runs; a confirmed diagnosis is kept as it was.</summary>
    private static SubjectState Decide(SubjectKey key, SubjectState subject, DateTimeOffset now, AnalysisThresholds t)
    {
        var fresh = subject.Vantages
            .Where(v => now - v.Value.LastSeen <= t.WindowLength)
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .ToList();
        if (fresh.Count == 0)
            return subject; // nobody has said anything lately: unknown neither confirms nor clears
        var required = fresh.Count >= 2 ? Math.Clamp(t.MinAgreeingVantages, 1, fresh.Count) : 1;

        if (subject.Confirmed is null)
        {
            var confirming = fresh.Where(v => v.Value.Confirms(t.ConfirmAfter)).ToList();
            // A vantage that saw only a region's node count agrees about a node; it never picks the node alone.
            if (confirming.Count < required || !confirming.Any(v => v.Value.NamesSubject))
                return subject;
            var since = confirming.Min(v => v.Value.FailRunStart!.Value);
            if (now - since < AnalysisRules.For(key.Code).MinimumDuration(t))
                return subject;
            var confirmation = RegionActionRule.Judge(key.Code, [.. confirming.Select(v => v.Key)], t);
            var evidence = Evidence(fresh, confirming.Count, required);
            if (confirmation is not null)
                evidence.Add(confirmation.Statement);
            return subject with { Confirmed = new Diagnosis(key.Code, key.Region, key.Node, since, evidence, confirmation) };
        }

        var healthy = fresh.Count(v => v.Value.HealthyRun >= t.ClearAfter);
        return healthy >= required ? subject with { Confirmed = null } : subject;
    }

    private static List<string> Evidence(List<KeyValuePair<string, VantageRun>> fresh, int agreeing, int required)
    {
        var evidence = fresh.Select(v => v.Value.FailRun > 0
            ? Invariant($"{v.Key}: {v.Value.FailRun} consecutive failed observations since {v.Value.FailRunStart:O} ({v.Value.Detail})")
            : Invariant($"{v.Key}: {v.Value.HealthyRun} consecutive healthy observations ({v.Value.Detail})")).ToList();
        evidence.Add(Invariant($"{agreeing} of {fresh.Count} reporting vantages agree ({required} required)"));
        return evidence;
    }

    private static List<Diagnosis> Suppress(List<Diagnosis> diagnoses) => Suppress(diagnoses, diagnoses);

    /// <summary>Leaves out what an active diagnosis of the same region hides (<see cref="DiagnosisEntry.Suppresses"/>).</summary>
    private static List<Diagnosis> Suppress(List<Diagnosis> diagnoses, List<Diagnosis> active)
    {
        var hidden = active
            .SelectMany(a => DiagnosisCatalog.For(a.Code).Suppresses.Select(code => (code, a.Region)))
            .ToHashSet();
        return diagnoses.Where(d => !hidden.Contains((d.Code, d.Region))).ToList();
    }

    private static Diagnosis[] Order(List<Diagnosis> diagnoses) =>
        [.. diagnoses.OrderBy(d => d.Code).ThenBy(d => d.Region, StringComparer.Ordinal).ThenBy(d => d.Node, StringComparer.Ordinal)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
