using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Watch;
using static EsDr.Recovery.Tests.Analyse.Timeline;

namespace EsDr.Recovery.Tests.Analyse;

/// <summary>
/// A node is diagnosed down only on the word of a vantage that names it (the probe's node list). Prometheus's
/// <c>ElasticsearchFewerNodesThanExpected</c> says a region has fewer nodes, never which: alone it is a region-level
/// finding; beside a vantage that names the node it counts as agreement.
/// </summary>
public sealed class NodeEvidenceTests
{
    private static HealthSnapshot Alerts(double seconds, params (string Alert, string Region)[] firing) =>
        AlertVantage.Snapshot(At(seconds), [.. firing.Select(f => Alert(f.Alert, f.Region, At(seconds)))], Topology);

    private static AlertReceived Alert(string name, string region, DateTimeOffset at) =>
        new("fp-" + name + "-" + region, name, "firing", T0, null,
            new Dictionary<string, string> { ["alertname"] = name, [MonitoringLabels.Region] = region },
            new Dictionary<string, string>(), null, null, "es-dr", at);

    private static readonly (string, string) WestFewerNodes = (AlertRules.ElasticsearchFewerNodesThanExpected, "west");

    [Fact]
    public void FewerNodesAlertAlone_RaisesNoNodeDown_ForItNamesNoNode()
    {
        var steps = Run(Every(0, 30, (t, _) => Alerts(t, WestFewerNodes), "alerts"));

        Assert.DoesNotContain(steps.SelectMany(s => s.Raised), d => d.Code == DiagnosisCode.NodeDown);
    }

    [Fact]
    public void FewerNodesAlert_WhileTheProbeListsEveryOtherNode_ConfirmsNodeDownOfTheNamedNodeOnly()
    {
        var steps = Run(Every(0, 10, (t, v) => v == "alerts" ? Alerts(t, WestFewerNodes) : Healthy(t, v).NodeMissing("west", "west-es-2"),
            "alerts", "probe"));

        var down = Assert.Single(steps[^1].Diagnoses, d => d.Code == DiagnosisCode.NodeDown);
        Assert.Equal(("west", "west-es-2"), (down.Region, down.Node));
        Assert.Contains("2 of 2 reporting vantages agree (2 required)", down.Evidence);
    }

    [Fact]
    public void MasterlessClusterWithFewerNodesAlert_RaisesNoNodeDown_ForNobodyListedTheNodes()
    {
        var masterless = new ClusterObservation("west", Reachable: true, null, HasMaster: false, [], [],
            ClusterFacets.Reachability | ClusterFacets.Master);
        var steps = Run(Every(0, 30, (t, v) => v == "alerts" ? Alerts(t, WestFewerNodes) : Healthy(t, v).WithCluster("west", _ => masterless),
            "alerts", "probe"));

        Assert.DoesNotContain(steps.SelectMany(s => s.Raised), d => d.Code == DiagnosisCode.NodeDown);
    }
}
