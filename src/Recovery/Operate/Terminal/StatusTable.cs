using System.Globalization;
using EsDr.Recovery.Execute.Audit;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EsDr.Recovery.Operate.Terminal;

/// <summary>
/// <c>status</c> for a person at a terminal: one table row per region, the same facts and wording as
/// <see cref="StatusReport.Render"/>. Every cell is plain <see cref="Text"/> (never markup, so a bracket in an error
/// message is shown, not parsed) made from redacted strings.
/// </summary>
internal static class StatusTable
{
    public static IRenderable Build(StatusReport report, Redactor redactor)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(redactor);
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title(Title(redactor, report))
            .AddColumns("region", "state", "gen", "endpoint", "cluster", "nodes", "followers", "database", "problems");
        foreach (var region in report.Regions) table.AddRow(Row(region, redactor));
        // A caption is markup too: escaped, so an operator's comment is shown as typed.
        var unpublished = report.UnpublishedConfigLines().Select(l => "! " + l).ToList();
        return table.Caption(Markup.Escape(redactor.Redact(string.Join('\n', unpublished.Concat(report.Controls.Lines())))),
            new Style(unpublished.Count > 0 ? Color.Red : report.Controls.Pause is null ? Color.Default : Color.Yellow));
    }

    private static IRenderable[] Row(RegionStatus region, Redactor redactor)
    {
        var ok = region.Problems.Count == 0;
        return
        [
            Cell(redactor, region.Name, ok ? Color.Green : Color.Red),
            Cell(redactor, region.State),
            Cell(redactor, region.Generation.ToString(CultureInfo.InvariantCulture)),
            Cell(redactor, $"{region.Endpoint?.ToString() ?? "-"}\n{StatusReport.EndpointHealth(region)}"),
            Cell(redactor, region.Cluster is { } c ? $"{StatusReport.ClusterHealth(c)}\nmaster {(c.HasMaster ? "elected" : "none")}" : "-"),
            Cell(redactor, region.Cluster is { } n ? string.Create(CultureInfo.InvariantCulture, $"{n.NodeNames.Count}/{region.ExpectedNodes.Count}") : "-"),
            Cell(redactor, region.Cluster is { Followers.Count: > 0 } f ? string.Join('\n', f.Followers.Select(StatusReport.FollowerText)) : "-"),
            Cell(redactor, region.Database is { } d ? $"{region.DatabaseRole ?? "?"}\n{StatusReport.DatabaseText(d)}" : "-"),
            Cell(redactor, ok ? "ok" : string.Join('\n', region.Problems.Select(p => "! " + p)), ok ? Color.Green : Color.Red),
        ];
    }

    // A table title is markup: the stack's name is escaped so it is shown as written.
    private static TableTitle Title(Redactor redactor, StatusReport report) => new(
        Markup.Escape(redactor.Redact($"stack {report.Stack} · active region {report.ActiveRegion} · {(report.Healthy ? "HEALTHY" : "DEGRADED")}"
            + (report.RegionActions is { } notice ? " · " + notice : ""))),
        new Style(report.Healthy ? Color.Green : Color.Red));

    private static Text Cell(Redactor redactor, string text, Color? color = null) =>
        new(redactor.Redact(text), color is { } c ? new Style(c) : Style.Plain);
}
