using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;

namespace EsDr.Recovery.Watch;

/// <summary>
/// The alerts that fire now, as Alertmanager last told us: a firing alert is kept (by fingerprint) until it is
/// resolved or its <c>endsAt</c> has passed. Bounded: past <see cref="MaxAlerts"/> the oldest are forgotten.
/// </summary>
internal sealed class FiringAlerts(int maxAlerts = 10_000)
{
    private readonly Dictionary<string, AlertReceived> firing = new(StringComparer.Ordinal);

    public int MaxAlerts { get; } = maxAlerts > 0 ? maxAlerts : throw new ArgumentOutOfRangeException(nameof(maxAlerts));

    public int Count => firing.Count;

    public void Apply(AlertReceived alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Status == "resolved")
        {
            firing.Remove(alert.Fingerprint);
            return;
        }
        firing[alert.Fingerprint] = alert;
        if (firing.Count > MaxAlerts)
            firing.Remove(firing.Values.MinBy(a => a.ReceivedAt)!.Fingerprint);
    }

    /// <summary>The alerts firing at <paramref name="now"/>; expired ones are dropped.</summary>
    public IReadOnlyList<AlertReceived> At(DateTimeOffset now)
    {
        foreach (var expired in firing.Values.Where(a => a.EndsAt is { } end && end > a.StartsAt && end <= now).ToList())
            firing.Remove(expired.Fingerprint);
        return [.. firing.Values];
    }
}

/// <summary>
/// Turns the firing alerts (the rules of <see cref="AlertRules"/>, labelled by <c>region</c>) into the "alerts"
/// vantage's snapshot. Prometheus reports on every region it monitors, so every expected region gets an
/// observation: an alert that does not fire means that check is fine. It sees, per region:
/// the cluster's colour (red, yellow too long, else green); whether nodes are missing —
/// <see cref="AlertRules.ElasticsearchFewerNodesThanExpected"/> says some node is missing but never which, so it is
/// observed as a count (<see cref="ClusterFacets.NodeCount"/>), not as a list of members; the endpoint
/// (<see cref="AlertRules.EndpointProbeDown"/>); the MySQL replica's threads. Reachability, the master, which nodes
/// are members, CCR and lag are not observed (lag alerts carry no number to compare).
/// </summary>
internal static class AlertVantage
{
    public const string Name = "alerts";

    public static HealthSnapshot Snapshot(DateTimeOffset at, IReadOnlyList<AlertReceived> firing, ExpectedTopology expected)
    {
        ArgumentNullException.ThrowIfNull(firing);
        ArgumentNullException.ThrowIfNull(expected);
        var clusters = new List<ClusterObservation>();
        var endpoints = new List<EndpointObservation>();
        var databases = new List<DatabaseObservation>();
        foreach (var region in expected.Regions)
        {
            bool Fires(string alertName) => firing.Any(a => a.AlertName == alertName
                && a.Labels.TryGetValue(MonitoringLabels.Region, out var r) && r == region.Name);

            var status = Fires(AlertRules.ElasticsearchClusterRed) ? ClusterStatus.Red
                : Fires(AlertRules.ElasticsearchClusterYellowTooLong) ? ClusterStatus.Yellow
                : ClusterStatus.Green;
            clusters.Add(new ClusterObservation(region.Name, Reachable: true, status, HasMaster: true, [], [],
                ClusterFacets.Status | ClusterFacets.NodeCount)
            {
                FewerNodesThanExpected = Fires(AlertRules.ElasticsearchFewerNodesThanExpected),
            });
            endpoints.Add(new EndpointObservation(region.Name, Healthy: !Fires(AlertRules.EndpointProbeDown)));
            if (region.Name == expected.MySqlReplicaRegion)
            {
                databases.Add(new DatabaseObservation(region.Name, Reachable: true, ReadOnly: true, IsReplica: true,
                    IoThreadRunning: !Fires(AlertRules.MysqlReplicaIoThreadStopped),
                    SqlThreadRunning: !Fires(AlertRules.MysqlReplicaSqlThreadStopped),
                    SecondsBehind: null, GtidPosition: null));
            }
        }
        return new HealthSnapshot(at, Name, clusters, databases, endpoints);
    }
}
