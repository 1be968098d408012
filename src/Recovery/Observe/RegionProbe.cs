using EsDr.Recovery.Replication;
using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Observe.MySql;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Observe;

/// <summary>
/// One region's full live probe (vantage <see cref="Vantage"/>), as the daemon's loop takes it
/// (<see cref="IRegionProbe"/>) and as <c>status</c> and the action commands use it: the region's own cluster
/// (health, nodes, followers), its MySQL server when the stack has one there, and its public endpoint —
/// checked with its own <c>GET /_cluster/health</c> when it is not the cluster's address (a HAProxy region's
/// endpoint follows the active region), otherwise healthy when the cluster answers through it with an elected
/// master (what the balancer's health check sees). It never throws for an unhealthy region: a probe that
/// gets an answer it cannot use (a 401, a 500, malformed JSON) reports the cluster unreachable and hands the
/// reason to <c>onProblem</c>.
/// </summary>
internal sealed class RegionProbe(
    string region, ElasticsearchObserver? elasticsearch, MySqlObserver? mysql, MySqlEndpoint? database,
    Action<string, string>? onProblem = null, ElasticsearchConnection? separateEndpoint = null) : IRegionProbe
{
    public const string Vantage = "probe";

    public string Region { get; } = region;

    public async Task<RegionObservation> ProbeAsync(CancellationToken cancellationToken)
    {
        var clusterTask = ClusterAsync(cancellationToken);
        var databaseTask = mysql is not null && database is not null ? mysql.ObserveAsync(database, cancellationToken) : null;
        var endpointTask = separateEndpoint is null ? null : EndpointAnswersAsync(separateEndpoint, cancellationToken);
        var cluster = await clusterTask.ConfigureAwait(false);
        var db = databaseTask is null ? null : await databaseTask.ConfigureAwait(false);
        EndpointObservation? endpoint = endpointTask is not null ? new EndpointObservation(Region, await endpointTask.ConfigureAwait(false))
            : cluster is null ? null : new EndpointObservation(Region, cluster.Reachable && cluster.HasMaster);
        return new RegionObservation(cluster, db, endpoint);
    }

    /// <summary>The endpoint answers health with a valid response (what the balancer's own health check sees).</summary>
    private static async Task<bool> EndpointAnswersAsync(ElasticsearchConnection endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await endpoint.CallAsync((c, ct) => c.Cluster.HealthAsync(ct), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ElasticsearchRequestException)
        {
            return false;
        }
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
