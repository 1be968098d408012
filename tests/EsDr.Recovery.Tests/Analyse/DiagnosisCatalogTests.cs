using EsDr.Infra.Config;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Analyse;

/// <summary>The one table from diagnosis code to handling: complete, consistent, and what the docs say.</summary>
public sealed class DiagnosisCatalogTests
{
    private const string Begin = "<!-- diagnosis-catalog: rendered from DiagnosisCatalog.MarkdownTable(); DiagnosisCatalogTests keeps it equal -->";
    private const string End = "<!-- /diagnosis-catalog -->";

    [Fact]
    public void Every_code_is_mapped_exactly_once()
    {
        var codes = DiagnosisCatalog.Entries.Select(e => e.Code).ToList();

        Assert.Equal(Enum.GetValues<DiagnosisCode>().Order(), codes.Order());
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void Every_code_but_an_operators_request_has_its_own_rule()
    {
        Assert.All(DiagnosisCatalog.Entries.Where(e => e.Code != DiagnosisCode.OperatorRequest), e => Assert.Equal(e.Code, e.Rule?.Code));
        Assert.Null(DiagnosisCatalog.For(DiagnosisCode.OperatorRequest).Rule);
        Assert.Equal(DiagnosisCatalog.Entries.Count - 1, AnalysisRules.All.Count);
    }

    [Fact]
    public void Plan_simulate_covers_every_automatic_response_of_every_actionable_code()
    {
        var actionable = DiagnosisCatalog.Entries.Where(e => e.Actionable).ToList();

        Assert.Equal([DiagnosisCode.NodeDown, DiagnosisCode.ClusterRed, DiagnosisCode.RegionDown], actionable.Select(e => e.Code));
        Assert.All(actionable, e => Assert.All(e.Auto, a => Assert.Contains(e.Scenarios, s => s.Action == a.Action)));
        Assert.Equal(DiagnosisCatalog.Scenarios.Count, DiagnosisCatalog.Scenarios.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void Only_region_level_codes_move_a_region_by_themselves()
    {
        Assert.All(DiagnosisCatalog.Entries.Where(e => e.Auto.Any(a => a.Action is AutoRecovery.RegionFailover or AutoRecovery.RegionRebuild)),
            e => Assert.True(e.RegionLevel, $"{e.Code} moves a region without the vantage rule"));
    }

    [Fact]
    public void What_the_config_allows_decides_which_codes_reach_the_pipeline()
    {
        Assert.Equal(new HashSet<DiagnosisCode> { DiagnosisCode.ClusterRed, DiagnosisCode.RegionDown },
            DiagnosisCatalog.AutoCodes([AutoRecovery.RegionFailover]));
        Assert.Equal(new HashSet<DiagnosisCode> { DiagnosisCode.NodeDown }, DiagnosisCatalog.AutoCodes([AutoRecovery.NodeRebuild]));
        Assert.Equal(new HashSet<DiagnosisCode> { DiagnosisCode.RegionDown }, DiagnosisCatalog.AutoCodes([AutoRecovery.RegionRebuild]));
        Assert.Empty(DiagnosisCatalog.AutoCodes([]));
    }

    [Fact]
    public void Every_alert_the_catalog_names_is_one_the_renderer_makes()
    {
        Assert.All(DiagnosisCatalog.Entries.SelectMany(e => e.Alerts), a => Assert.Contains(a, AlertRules.AlertNames));
    }

    [Fact]
    public void The_recovery_docs_table_is_the_catalog()
    {
        var text = File.ReadAllText(Path.Combine(ExampleStacks.Root, "docs", "recovery.md")).ReplaceLineEndings("\n");
        var from = text.IndexOf(Begin, StringComparison.Ordinal);
        var to = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"docs/recovery.md has no {Begin} … {End} section");

        // As the snapshots are accepted: UPDATE_SNAPSHOTS=1 writes the catalog's table into the docs (review the diff).
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1")
        {
            text = text[..(from + Begin.Length)] + "\n" + DiagnosisCatalog.MarkdownTable() + text[to..];
            File.WriteAllText(Path.Combine(ExampleStacks.Root, "docs", "recovery.md"), text);
            to = text.IndexOf(End, StringComparison.Ordinal);
        }

        Assert.Equal(DiagnosisCatalog.MarkdownTable(), text[(from + Begin.Length)..to].Trim('\n') + "\n");
    }

    [Fact]
    public void The_monitoring_docs_name_the_diagnosis_of_each_alert_the_catalog_maps()
    {
        var rows = File.ReadAllLines(Path.Combine(ExampleStacks.Root, "docs", "monitoring.md"))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();

        foreach (var entry in DiagnosisCatalog.Entries)
        {
            foreach (var alert in entry.Alerts)
            {
                var row = rows.FirstOrDefault(r => r.Contains($"`{alert}`", StringComparison.Ordinal));
                Assert.True(row is not null, $"docs/monitoring.md has no row for {alert}");
                Assert.Contains(entry.Code.ToString(), row.Split('|')[^2], StringComparison.Ordinal);
            }
        }
    }
}
