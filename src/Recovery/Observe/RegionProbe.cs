using EsDr.Infra.Replication;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Observe;

/// <summary>
/// One region's full live probe (vantage <see cref="Vantage"/>), as the daemon's loop takes it
/// (<see cref="IRegionProbe"/>) and as <c>status</c> and the action commands use it: the cluster through the
/// region's balancer endpoint (health, nodes, followers), the region's MySQL server when the stack has one
/// there, and the endpoint, healthy when the cluster answers through it with an elected master — what the
/// balancer's own <c>/_cluster/health</c> check sees. It never throws for an unhealthy region: a probe that
/// gets an answer it cannot use (a 401, a 500, malformed JSON) reports the cluster unreachable and hands the
/// reason to <c>onProblem</c>.
/// </summary>
internal sealed class RegionProbe(
    string region, ElasticsearchObserver? elasticsearch, MySqlObserver? mysql, MySqlEndpoint? database,
    Action<string, string>? onProblem = null) : IRegionProbe
{
    public const string Vantage = "probe";

    public string Region { get; } = region;

    public async Task<RegionObservation> ProbeAsync(CancellationToken cancellationToken)
    {
        var clusterTask = ClusterAsync(cancellationToken);
        var databaseTask = mysql is not null && database is not null ? mysql.ObserveAsync(database, cancellationToken) : null;
        var cluster = await clusterTask.ConfigureAwait(false);
        var db = databaseTask is null ? null : await databaseTask.ConfigureAwait(false);
        return new RegionObservation(cluster, db, cluster is null ? null : new EndpointObservation(Region, cluster.Reachable && cluster.HasMaster));
    }

    /// <summary>Observations of several regions taken at <paramref name="at"/>, as one snapshot of this vantage.</summary>
    public static HealthSnapshot Snapshot(DateTimeOffset at, IEnumerable<RegionObservation> observations)
    {
        var list = observations.ToList();
        return new HealthSnapshot(at, Vantage,
            list.Select(o => o.Cluster).OfType<ClusterObservation>().ToList(),
            list.Select(o => o.Database).OfType<DatabaseObservation>().ToList(),
            list.Select(o => o.Endpoint).OfType<EndpointObservation>().ToList());
    }

    private async Task<ClusterObservation?> ClusterAsync(CancellationToken cancellationToken)
    {
        if (elasticsearch is null) return null;
        try
        {
            return await elasticsearch.ObserveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ElasticsearchRequestException or System.Text.Json.JsonException or InvalidOperationException)
        {
            onProblem?.Invoke(Region, e.Message);
            return new ClusterObservation(Region, Reachable: false, null, HasMaster: false, [], []);
        }
    }
}
