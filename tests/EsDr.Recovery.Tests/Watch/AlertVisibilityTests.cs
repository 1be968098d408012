using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Watch;

/// <summary>
/// A missing series fires no alert, so the alerts vantage must not read silence as health: the visibility alerts
/// make the component they speak of unknown (a cluster with no facet and no status, an endpoint or database left out).
/// </summary>
public sealed class AlertVisibilityTests
{
    private static readonly DateTimeOffset At = WatchWorld.T0;

    [Fact]
    public void ClusterUnreachableByItsExporter_IsUnknown_NotGreenAndNotUnreachable()
    {
        var snapshot = AlertVantage.Snapshot(At, [Alert(AlertRules.ElasticsearchClusterUnreachable, "dub")], WatchWorld.Topology);

        var dub = snapshot.Clusters.Single(c => c.Region == "dub");
        Assert.Null(dub.Status);
        Assert.Equal(ClusterFacets.None, dub.Observed);
        Assert.False(dub.Saw(ClusterFacets.Reachability));
        Assert.Equal(ClusterStatus.Green, snapshot.Clusters.Single(c => c.Region == "fra").Status);
        Assert.True(snapshot.Endpoints.Single(e => e.Region == "dub").Healthy);
    }

    [Fact]
    public void ClusterUnreachable_OutweighsAStaleRedAlert()
    {
        var snapshot = AlertVantage.Snapshot(At,
            [Alert(AlertRules.ElasticsearchClusterRed, "dub", "red"), Alert(AlertRules.ElasticsearchClusterUnreachable, "dub", "up")],
            WatchWorld.Topology);

        Assert.Null(snapshot.Clusters.Single(c => c.Region == "dub").Status);
    }

    [Theory]
    [InlineData(AlertRules.MysqlServerUnreachable)]
    [InlineData(AlertRules.MysqlReplicaStatusMissing)]
    public void ReplicaServerUnreachableOrWithoutStatus_LeavesTheReplicaUnknown_NotRunning(string alertName)
    {
        var snapshot = AlertVantage.Snapshot(At, [Alert(alertName, "dub")], WatchWorld.Topology);

        Assert.Empty(snapshot.Databases);
        Assert.All(snapshot.Clusters, c => Assert.Equal(ClusterStatus.Green, c.Status));
    }

    [Fact]
    public void UnscrapedEsExporter_MakesTheClusterUnknown()
    {
        var snapshot = AlertVantage.Snapshot(At, [TargetDown(MonitoringLabels.ElasticsearchJob, "dub")], WatchWorld.Topology);

        Assert.Null(snapshot.Clusters.Single(c => c.Region == "dub").Status);
        Assert.Equal(2, snapshot.Endpoints.Count);
        Assert.Single(snapshot.Databases);
    }

    [Fact]
    public void UnscrapedProbe_LeavesTheEndpointOut_SoItIsNeitherHealthyNorUnhealthy()
    {
        var snapshot = AlertVantage.Snapshot(At, [TargetDown(MonitoringLabels.BlackboxJob, "dub")], WatchWorld.Topology);

        Assert.Equal(["fra"], snapshot.Endpoints.Select(e => e.Region));
        Assert.All(snapshot.Clusters, c => Assert.Equal(ClusterStatus.Green, c.Status));
    }

    [Fact]
    public void UnscrapedMysqldExporter_LeavesTheReplicaOut()
    {
        var snapshot = AlertVantage.Snapshot(At, [TargetDown(MonitoringLabels.MysqldJob, "dub")], WatchWorld.Topology);

        Assert.Empty(snapshot.Databases);
    }

    [Fact]
    public void UnscrapedTarget_WithoutARegion_ChangesNoRegion()
    {
        var recovery = Alert(AlertRules.ScrapeTargetDown, region: null) with
        {
            Labels = new Dictionary<string, string> { ["alertname"] = AlertRules.ScrapeTargetDown, [MonitoringLabels.Job] = MonitoringLabels.RecoveryJob },
        };

        var snapshot = AlertVantage.Snapshot(At, [recovery], WatchWorld.Topology);

        Assert.Equal(AlertVantage.Snapshot(At, [], WatchWorld.Topology).Clusters, snapshot.Clusters);
        Assert.Equal(2, snapshot.Endpoints.Count);
        Assert.Single(snapshot.Databases);
    }

    [Fact]
    public void VisibilityAlertInFra_LeavesDubAsItWas()
    {
        var snapshot = AlertVantage.Snapshot(At, [Alert(AlertRules.ElasticsearchClusterUnreachable, "fra")], WatchWorld.Topology);

        Assert.Equal(ClusterStatus.Green, snapshot.Clusters.Single(c => c.Region == "dub").Status);
    }

    private static AlertReceived TargetDown(string job, string region) => Alert(AlertRules.ScrapeTargetDown, region) with
    {
        Labels = new Dictionary<string, string>
        {
            ["alertname"] = AlertRules.ScrapeTargetDown, [MonitoringLabels.Job] = job, [MonitoringLabels.Region] = region,
        },
    };

    private static AlertReceived Alert(string name, string? region, string fingerprint = "fp") =>
        new(fingerprint, name, "firing", At.AddMinutes(-10), null,
            region is null
                ? new Dictionary<string, string> { ["alertname"] = name }
                : new Dictionary<string, string> { ["alertname"] = name, [MonitoringLabels.Region] = region },
            new Dictionary<string, string>(), null, null, "es-dr", At);
}
