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
        Assert.Contains(down.Evidence, e => e.StartsWith("alerts: ", StringComparison.Ordinal) && e.Contains("not which", StringComparison.Ordinal));
        // The named node says more than the region's count: NodesMissing is not reported beside it.
        Assert.DoesNotContain(steps[^1].Diagnoses, d => d.Code == DiagnosisCode.NodesMissing);
    }

    [Fact]
    public void FewerNodesAlertAlone_RaisesARegionLevelNodesMissing_NamingNoNode()
    {
        var steps = Run(Every(0, 10, (t, _) => Alerts(t, WestFewerNodes), "alerts"));

        var missing = Assert.Single(steps[^1].Diagnoses);
        Assert.Equal((DiagnosisCode.NodesMissing, "west", (string?)null), (missing.Code, missing.Region, missing.Node));
        Assert.Contains(missing.Evidence, e => e.StartsWith("alerts: ", StringComparison.Ordinal) && e.Contains("fewer nodes than expected", StringComparison.Ordinal));
    }

    [Fact]
    public void FewerNodesAlert_WhileTheProbeListsEveryNode_ConfirmsNothing()
    {
        // In the daemon's order: each round steps the probe before the alerts (an alert is confirmed on sight).
        var steps = Run(Every(0, 30, (t, v) => v == "alerts" ? Alerts(t, WestFewerNodes) : Healthy(t, v), "probe", "alerts"));

        Assert.Empty(steps.SelectMany(s => s.Raised));
    }

    [Fact]
    public void NodeMissingFromTheProbesList_WithNoOtherVantage_IsANodeDownOnItsOwn()
    {
        var steps = Run(Every(0, 5, (t, v) => Healthy(t, v).NodeMissing("west", "west-es-0")));

        var down = Assert.Single(steps[^1].Diagnoses);
        Assert.Equal((DiagnosisCode.NodeDown, "west-es-0"), (down.Code, down.Node));
    }

    [Fact]
    public void RegionDown_HidesTheRegionsNodesMissing()
    {
        // The node-count alert says west's cluster still answered the exporter; probe and peer say it is down now.
        var steps = Run(Every(0, 10, (t, v) => v == "alerts"
            ? Alerts(t, WestFewerNodes, (AlertRules.EndpointProbeDown, "west"))
            : Healthy(t, v).RegionDown("west"), "alerts", "peer", "probe"));

        var down = Assert.Single(steps[^1].Diagnoses);
        Assert.Equal((DiagnosisCode.RegionDown, "west"), (down.Code, down.Region));
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
