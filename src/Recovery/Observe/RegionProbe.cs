using EsDr.Recovery.Observe.Elasticsearch;
using EsDr.Recovery.Observe.MySql;

namespace EsDr.Recovery.Observe;

/// <summary>
/// One region's live probe, as this program sees it (vantage <see cref="RegionProbe.Vantage"/>): its cluster,
/// its database and its public endpoint in one <see cref="HealthSnapshot"/>. <c>status</c> runs each once; the
/// daemon runs them on its timer and feeds the snapshots to analysis.
/// </summary>
internal interface IRegionProbe
{
    string Region { get; }

    /// <summary>Never throws for an unhealthy region: what cannot be reached is reported unreachable.</summary>
    Task<HealthSnapshot> ProbeAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Probes a region through its balancer's endpoint (cluster health, nodes, followers) and its MySQL server
/// (when the stack has one there). The endpoint counts healthy when the cluster answers through it with an
/// elected master — what the balancer's own <c>/_cluster/health</c> check sees. A probe that fails with an
/// answer (401, a 500) is reported unreachable and its reason handed to <c>onProblem</c>.
/// </summary>
internal sealed class RegionProbe(
    string region, ElasticsearchObserver? elasticsearch, MySqlObserver? mysql, MySqlEndpoint? database, TimeProvider time,
    Action<string, string>? onProblem = null) : IRegionProbe
{
    public const string Vantage = "probe";

    public string Region { get; } = region;

    public async Task<HealthSnapshot> ProbeAsync(CancellationToken cancellationToken = default)
    {
        var clusterTask = ClusterAsync(cancellationToken);
        var databaseTask = mysql is not null && database is not null ? mysql.ObserveAsync(database, cancellationToken) : null;
        var cluster = await clusterTask.ConfigureAwait(false);
        var db = databaseTask is null ? null : await databaseTask.ConfigureAwait(false);
        IReadOnlyList<ClusterObservation> clusters = cluster is null ? [] : [cluster];
        IReadOnlyList<EndpointObservation> endpoints = cluster is null ? [] : [new EndpointObservation(Region, cluster.Reachable && cluster.HasMaster)];
        return new HealthSnapshot(time.GetUtcNow(), Vantage, clusters, db is null ? [] : [db], endpoints);
    }

    private async Task<ClusterObservation?> ClusterAsync(CancellationToken cancellationToken)
    {
        if (elasticsearch is null) return null;
        try
        {
            return await elasticsearch.ObserveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EsDr.Infra.Replication.ElasticsearchRequestException or System.Text.Json.JsonException or InvalidOperationException)
        {
            onProblem?.Invoke(Region, e.Message);
            return new ClusterObservation(Region, Reachable: false, null, HasMaster: false, [], []);
        }
    }
}
