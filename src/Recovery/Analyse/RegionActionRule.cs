using System.Globalization;

namespace EsDr.Recovery.Analyse;

/// <summary>
/// How many independent vantages a region-level diagnosis needs before anything acts on it by itself. A vantage is an
/// observer with its own view (the region's probe, a peer region, the monitoring site's Prometheus): every alert of
/// one Prometheus is one vantage. One vantage is allowed only when the config says so, and then every diagnosis and
/// plan says it was (a single Prometheus's endpoint alert must not move a region unnoticed).
/// </summary>
internal static class RegionActionRule
{
    public const string SettingPath = "es-dr:recovery.analysis.minVantagesForRegionActions";

    /// <summary>The codes whose recovery moves or rebuilds a whole region (<see cref="DiagnosisEntry.RegionLevel"/>).</summary>
    public static bool IsRegionLevel(DiagnosisCode code) => DiagnosisCatalog.For(code).RegionLevel;

    /// <summary>What the confirming vantages amount to, for a region-level code; null for any other.</summary>
    public static VantageConfirmation? Judge(DiagnosisCode code, IReadOnlyList<string> confirming, AnalysisThresholds t)
    {
        if (!IsRegionLevel(code))
            return null;
        var required = Math.Max(1, t.MinVantagesForRegionActions);
        var allowed = confirming.Count >= required;
        var by = Invariant($"confirmed by {confirming.Count} vantage{(confirming.Count == 1 ? "" : "s")} ({string.Join(", ", confirming)})");
        var statement = (allowed, confirming.Count < 2) switch
        {
            (true, true) => Invariant($"{by}: allowed by {SettingPath} = {required}"),
            (true, false) => Invariant($"{by}: enough for an action ({SettingPath} = {required})"),
            _ => Invariant($"{by}: a region-level action needs {required} ({SettingPath}); needs an operator"),
        };
        return new VantageConfirmation(confirming, required, allowed, statement);
    }

    /// <summary>For <c>status</c>: said only when the config lets a single vantage move a region, else null.</summary>
    public static string? SingleVantageNotice(AnalysisThresholds t) => t.MinVantagesForRegionActions <= 1
        ? $"region-level actions: confirmed by 1 vantage: allowed by {SettingPath} = 1"
        : null;

    /// <summary>Whether the daemon may act on <paramref name="diagnosis"/> by itself as far as vantages go.</summary>
    public static bool Allows(Diagnosis diagnosis) => diagnosis.Confirmation is not { Allowed: false };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
