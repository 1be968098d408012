using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Observe.Webhook;

namespace EsDr.Recovery.Watch;

/// <summary>
/// The alerts that fire now, as Alertmanager last told us: a firing alert is kept (by fingerprint) until it is
/// resolved or its <c>endsAt</c> has passed, or a read of Alertmanager's active alerts no longer lists it
/// (<see cref="Reconcile"/>). Bounded: past <see cref="MaxAlerts"/> the oldest are forgotten. Not thread-safe: only
/// the watch loop's round touches it (the webhook hands alerts over through a queue).
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

    /// <summary>
    /// Takes Alertmanager's list of active alerts as the whole truth at the moment it was asked: each listed alert
    /// fires (replacing what was held under its fingerprint), every held alert it does not list is resolved. Returns
    /// how many were added and how many resolved.
    /// </summary>
    public (int Added, int Resolved) Reconcile(IReadOnlyList<AlertReceived> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        var listed = active.Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var gone = firing.Keys.Where(f => !listed.Contains(f)).ToList();
        foreach (var fingerprint in gone)
            firing.Remove(fingerprint);
        var added = 0;
        foreach (var alert in active)
        {
            if (!firing.ContainsKey(alert.Fingerprint)) added++;
            Apply(alert);
        }
        return (added, gone.Count);
    }

    /// <summary>The alerts firing at <paramref name="now"/>; expired ones are dropped.</summary>
    public IReadOnlyList<AlertReceived> At(DateTimeOffset now)
    {
        foreach (var expired in firing.Values.Where(a => a.EndsAt is { } end && end > a.StartsAt && end <= now).ToList())
            firing.Remove(expired.Fingerprint);
        return [.. firing.Values];
    }
}

/// <summary>What one alert of the stack's rules says about its region's Elasticsearch, MySQL replica or endpoint.</summary>
internal enum AlertMeaning
{
    /// <summary>blackbox_exporter's probe of the endpoint fails: the endpoint (balancer, network, cluster behind it) is unreachable.</summary>
    EndpointUnreachable,

    /// <summary>elasticsearch_exporter read the cluster's health and it is red: the cluster answers.</summary>
    ClusterRed,

    /// <summary>elasticsearch_exporter read the health and it has been yellow too long: the cluster answers.</summary>
    ClusterYellow,

    /// <summary>elasticsearch_exporter read the health and counted fewer nodes than expected (not which): the cluster answers.</summary>
    FewerNodes,

    ReplicaIoThreadStopped,
    ReplicaSqlThreadStopped,

    /// <summary>Prometheus cannot see the cluster (its exporter unscraped, or the exporter cannot reach it): unknown.</summary>
    ClusterUnseen,

    /// <summary>Prometheus cannot see the endpoint (the blackbox target unscraped): unknown.</summary>
    EndpointUnseen,

    /// <summary>Prometheus cannot see the replica (its exporter unscraped or cut off, or its status series gone): unknown.</summary>
    DatabaseUnseen,
}

/// <summary>
/// The one table from the renderer's alert names (<see cref="AlertRules"/>'s constants, never copied strings) to
/// what they mean for diagnosis. Alerts not listed (lag alerts, which carry no number to compare) are not read.
/// </summary>
internal static class AlertMeanings
{
    public static IReadOnlyDictionary<string, AlertMeaning> ByAlertName { get; } = new Dictionary<string, AlertMeaning>(StringComparer.Ordinal)
    {
        [AlertRules.EndpointProbeDown] = AlertMeaning.EndpointUnreachable,
        [AlertRules.ElasticsearchClusterRed] = AlertMeaning.ClusterRed,
        [AlertRules.ElasticsearchClusterYellowTooLong] = AlertMeaning.ClusterYellow,
        [AlertRules.ElasticsearchFewerNodesThanExpected] = AlertMeaning.FewerNodes,
        [AlertRules.MysqlReplicaIoThreadStopped] = AlertMeaning.ReplicaIoThreadStopped,
        [AlertRules.MysqlReplicaSqlThreadStopped] = AlertMeaning.ReplicaSqlThreadStopped,
        [AlertRules.ElasticsearchClusterUnreachable] = AlertMeaning.ClusterUnseen,
        [AlertRules.MysqlServerUnreachable] = AlertMeaning.DatabaseUnseen,
        [AlertRules.MysqlReplicaStatusMissing] = AlertMeaning.DatabaseUnseen,
    };

    /// <summary>
    /// <see cref="AlertRules.ScrapeTargetDown"/> hides what its job reports on; the recovery program's own job and
    /// Prometheus's have no region.
    /// </summary>
    public static IReadOnlyDictionary<string, AlertMeaning> UnscrapedJob { get; } = new Dictionary<string, AlertMeaning>(StringComparer.Ordinal)
    {
        [MonitoringLabels.ElasticsearchJob] = AlertMeaning.ClusterUnseen,
        [MonitoringLabels.BlackboxJob] = AlertMeaning.EndpointUnseen,
        [MonitoringLabels.MysqldJob] = AlertMeaning.DatabaseUnseen,
    };

    /// <summary>What one alert means, or null for an alert diagnosis does not read.</summary>
    public static AlertMeaning? Of(AlertReceived alert) =>
        alert.AlertName == AlertRules.ScrapeTargetDown
            ? alert.Labels.TryGetValue(MonitoringLabels.Job, out var job) && UnscrapedJob.TryGetValue(job, out var byJob) ? byJob : null
            : ByAlertName.TryGetValue(alert.AlertName, out var meaning) ? meaning : null;

    /// <summary>
    /// The exporter raises these only from a health answer it got, so while one fires the cluster answers: a failing
    /// endpoint probe beside it is the endpoint's problem (or the red cluster's), not a region down.
    /// </summary>
    public static bool ClusterAnswered(AlertMeaning meaning) =>
        meaning is AlertMeaning.ClusterRed or AlertMeaning.ClusterYellow or AlertMeaning.FewerNodes;
}

/// <summary>
/// Turns the firing alerts (the rules of <see cref="AlertRules"/>, labelled by <c>region</c>, read through
/// <see cref="AlertMeanings"/>) into the "alerts" vantage's snapshot: every alert of one Prometheus is one vantage.
/// Prometheus reports on every region it monitors, so every expected region gets an observation: an alert that does
/// not fire means that check is fine. It sees, per region: the cluster's colour (red, yellow too long, else green);
/// whether nodes are missing — <see cref="AlertRules.ElasticsearchFewerNodesThanExpected"/> says some node is missing
/// but never which, so it is observed as a count (<see cref="ClusterFacets.NodeCount"/>), not as a list of members;
/// that the cluster answers, while a health alert fires (<see cref="AlertMeanings.ClusterAnswered"/>); the endpoint
/// (<see cref="AlertRules.EndpointProbeDown"/>); the MySQL replica's threads. Unreachability, the master, which nodes
/// are members, CCR and lag are not observed (lag alerts carry no number to compare).
/// A missing series fires nothing, so "no alert" means "fine" only while Prometheus can see the component: the
/// visibility alerts (<see cref="AlertRules.ScrapeTargetDown"/>, <see cref="AlertRules.ElasticsearchClusterUnreachable"/>,
/// <see cref="AlertRules.MysqlServerUnreachable"/>, <see cref="AlertRules.MysqlReplicaStatusMissing"/>) make that
/// component unknown: a cluster observed with no facet and no status, an endpoint or database left out. Unknown is
/// neither healthy nor a failure: the analysis rules yield nothing for it, so it neither confirms nor clears.
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
            var meanings = MeaningsIn(region.Name, firing);
            bool Says(AlertMeaning meaning) => meanings.Contains(meaning);

            if (Says(AlertMeaning.ClusterUnseen))
            {
                clusters.Add(UnknownCluster(region.Name));
            }
            else
            {
                var status = Says(AlertMeaning.ClusterRed) ? ClusterStatus.Red
                    : Says(AlertMeaning.ClusterYellow) ? ClusterStatus.Yellow
                    : ClusterStatus.Green;
                // Silence says nothing about reachability (a cluster the exporter cannot reach raises no health alert).
                var facets = ClusterFacets.Status | ClusterFacets.NodeCount
                    | (meanings.Any(AlertMeanings.ClusterAnswered) ? ClusterFacets.Reachability : ClusterFacets.None);
                clusters.Add(new ClusterObservation(region.Name, Reachable: true, status, HasMaster: true, [], [], facets)
                {
                    FewerNodesThanExpected = Says(AlertMeaning.FewerNodes),
                });
            }
            if (!Says(AlertMeaning.EndpointUnseen))
                endpoints.Add(new EndpointObservation(region.Name, Healthy: !Says(AlertMeaning.EndpointUnreachable)));
            if (region.Name == expected.MySqlReplicaRegion && !Says(AlertMeaning.DatabaseUnseen))
            {
                databases.Add(new DatabaseObservation(region.Name, Reachable: true, ReadOnly: true, IsReplica: true,
                    IoThreadRunning: !Says(AlertMeaning.ReplicaIoThreadStopped),
                    SqlThreadRunning: !Says(AlertMeaning.ReplicaSqlThreadStopped),
                    SecondsBehind: null, GtidPosition: null));
            }
        }
        // An alert fires only after its rule's for: has held: one round that sees it is a confirmed observation.
        return new HealthSnapshot(at, Name, clusters, databases, endpoints) { ConfirmedAtSource = true };
    }

    /// <summary>
    /// Kept in the snapshot, so the region still shows a cluster, with no status ("unknown"); observing no facet,
    /// it gives the analysis rules nothing to judge: not green, not red, and not unreachable (no RegionDown evidence).
    /// </summary>
    private static ClusterObservation UnknownCluster(string region) =>
        new(region, Reachable: true, Status: null, HasMaster: true, [], [], ClusterFacets.None);

    /// <summary>What the alerts firing for <paramref name="region"/> mean, however many of them say the same.</summary>
    private static HashSet<AlertMeaning> MeaningsIn(string region, IReadOnlyList<AlertReceived> firing) =>
        [.. firing
            .Where(a => a.Labels.TryGetValue(MonitoringLabels.Region, out var r) && r == region)
            .Select(AlertMeanings.Of)
            .OfType<AlertMeaning>()];
}
