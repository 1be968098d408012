using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;
using EsDr.Recovery.Watch;
using static EsDr.Recovery.Tests.Analyse.Timeline;

namespace EsDr.Recovery.Tests.Analyse;

/// <summary>
/// What Prometheus cannot see is unknown: it neither raises a diagnosis (an unreachable exporter is not a lost
/// region) nor clears one (silence is not health).
/// </summary>
public sealed class UnknownObservationTests
{
    private static HealthSnapshot Alerts(double seconds, params string[] firingInWest) =>
        AlertVantage.Snapshot(At(seconds), [.. firingInWest.Select(a => Alert(a, At(seconds)))], Topology);

    private static AlertReceived Alert(string name, DateTimeOffset at) =>
        new("fp-" + name, name, "firing", T0, null,
            new Dictionary<string, string> { ["alertname"] = name, [MonitoringLabels.Region] = "west" },
            new Dictionary<string, string>(), null, null, "es-dr", at);

    [Fact]
    public void ExportersUnableToReachWest_RaiseNoDiagnosis_NotEvenRegionDown()
    {
        var steps = Run(Every(0, 60, (t, _) => Alerts(t, AlertRules.ElasticsearchClusterUnreachable, AlertRules.MysqlServerUnreachable), "alerts"));

        Assert.Empty(steps.SelectMany(s => s.Raised));
    }

    [Fact]
    public void ConfirmedRed_ThenTheExporterLosesTheCluster_StaysConfirmed_ForSilenceIsNotGreen()
    {
        var steps = Run(
        [
            .. Every(0, 40, (t, _) => Alerts(t, AlertRules.ElasticsearchClusterRed), "alerts"),
            .. Every(40, 60, (t, _) => Alerts(t, AlertRules.ElasticsearchClusterUnreachable), "alerts"),
        ]);

        Assert.Contains(steps[39].Diagnoses, d => d.Code == DiagnosisCode.ClusterRed && d.Region == "west");
        Assert.Contains(steps[^1].Diagnoses, d => d.Code == DiagnosisCode.ClusterRed && d.Region == "west");
        Assert.Empty(steps.SelectMany(s => s.Cleared));
    }

    [Fact]
    public void ConfirmedBrokenReplica_ThenItsServerUnreachable_StaysConfirmed()
    {
        var steps = Run(
        [
            .. Every(0, 10, (t, _) => Alerts(t, AlertRules.MysqlReplicaIoThreadStopped), "alerts"),
            .. Every(10, 30, (t, _) => Alerts(t, AlertRules.MysqlServerUnreachable), "alerts"),
        ]);

        Assert.Contains(steps[9].Diagnoses, d => d.Code == DiagnosisCode.ReplicaBroken);
        Assert.Contains(steps[^1].Diagnoses, d => d.Code == DiagnosisCode.ReplicaBroken);
    }
}
