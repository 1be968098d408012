using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Clients.Elasticsearch.CrossClusterReplication;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Observe.Elasticsearch;

/// <summary>
/// Probes one region's cluster through the official client: cluster health (status, and whether a master is
/// elected), node names, and the CCR followers with their lag and fatal errors. No answer at all means the cluster
/// is unreachable; a 503 or 408 from health, or a timeout, means it answers but has no elected master; any other
/// error status is an error (never a status: a failed health response would read as green with no nodes).
/// </summary>
internal sealed class ElasticsearchObserver(ElasticsearchConnection es, string region)
{
    public async Task<ClusterObservation> ObserveAsync(CancellationToken cancellationToken = default)
    {
        HealthResponse health;
        try
        {
            health = await es.CallAsync((c, ct) => c.Cluster.HealthAsync(ct), cancellationToken).ConfigureAwait(false);
        }
        catch (ElasticsearchRequestException e) when (e.TimedOut || e.StatusCode is 503 or 408)
        {
            return NoMaster();
        }
        catch (ElasticsearchRequestException e) when (e.Unreachable)
        {
            return new ClusterObservation(region, Reachable: false, null, HasMaster: false, [], []);
        }

        var status = ParseStatus(health.Status);
        var nodes = await NodeNamesAsync(cancellationToken).ConfigureAwait(false);
        var followers = await FollowersAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterObservation(region, Reachable: true, status, HasMaster: true, nodes ?? [], followers,
            nodes is null ? ClusterFacets.All & ~ClusterFacets.Nodes : ClusterFacets.All);
    }

    // No node list was read: its empty list must not count as every node gone.
    private ClusterObservation NoMaster() =>
        new(region, Reachable: true, null, HasMaster: false, [], [], ClusterFacets.Reachability | ClusterFacets.Master);

    private static ClusterStatus? ParseStatus(HealthStatus status) => status switch
    {
        HealthStatus.Green => ClusterStatus.Green,
        HealthStatus.Yellow => ClusterStatus.Yellow,
        HealthStatus.Red => ClusterStatus.Red,
        _ => null,
    };

    /// <summary>
    /// The member nodes' names; null when the answer is not the list <c>_cat/nodes</c> gives (then nothing was seen).
    /// Through the client's transport: the .NET client has no cat APIs, and nodes info would list what the node
    /// answering knows of, not the cluster's members as the wait steps and the analyser read them.
    /// </summary>
    private async Task<IReadOnlyList<string>?> NodeNamesAsync(CancellationToken cancellationToken)
    {
        var nodes = await es.GetJsonAsync("/_cat/nodes?format=json&h=name", cancellationToken).ConfigureAwait(false);
        return nodes is JsonArray rows
            ? rows.Select(r => r?["name"]?.GetValue<string>()).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : null;
    }

    /// <summary>
    /// Every follower index (from follow info) with its status; lag and fatal error from the CCR stats of the
    /// active ones (paused followers have no shard follow tasks, so no stats: lag 0). Alone, it is what
    /// <c>serve</c> samples for <c>/metrics</c> (<see cref="Watch.FollowerSampler"/>).
    /// </summary>
    public async Task<IReadOnlyList<FollowerObservation>> FollowersAsync(CancellationToken cancellationToken)
    {
        var info = await es.CallAsync((c, ct) => c.CrossClusterReplication.FollowInfoAsync(new FollowInfoRequest(Indices.All), ct), cancellationToken).ConfigureAwait(false);
        var followers = (info.FollowerIndices ?? [])
            .Where(f => f.FollowerIndexValue is not null)
            .Select(f => (Index: f.FollowerIndexValue, Active: f.Status == FollowerIndexStatus.Active, Leader: f.LeaderIndex))
            .ToList();
        if (followers.Count == 0) return [];

        var stats = await es.CallAsync((c, ct) => c.CrossClusterReplication.StatsAsync(ct), cancellationToken).ConfigureAwait(false);
        var byIndex = new Dictionary<string, (long Lag, string? Fatal)>(StringComparer.Ordinal);
        foreach (var index in stats.FollowStats?.Indices ?? [])
        {
            if (index.Index is null) continue;
            long lag = 0;
            string? fatal = null;
            foreach (var shard in index.Shards ?? [])
            {
                lag += Math.Max(0, shard.LeaderGlobalCheckpoint - shard.FollowerGlobalCheckpoint);
                if (shard.FatalException is { } error)
                    fatal ??= error.Reason ?? error.Type ?? "fatal exception";
            }
            byIndex[index.Index] = (lag, fatal);
        }
        return followers
            .Select(f => byIndex.TryGetValue(f.Index, out var s)
                ? new FollowerObservation(f.Index, f.Active, s.Lag, s.Fatal, f.Leader)
                : new FollowerObservation(f.Index, f.Active, 0, null, f.Leader))
            .OrderBy(f => f.Index, StringComparer.Ordinal)
            .ToList();
    }
}
