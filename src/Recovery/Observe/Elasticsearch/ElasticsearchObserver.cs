using System.Text.Json.Nodes;
using EsDr.Recovery.Replication;

namespace EsDr.Recovery.Observe.Elasticsearch;

/// <summary>
/// Probes one region's cluster over its REST API: cluster health (status, and whether a master is elected),
/// node names, and the CCR followers with their lag and fatal errors. A connection failure means the cluster
/// is unreachable; a 503 or 408 from health, or a timeout, means it answers but has no elected master.
/// </summary>
internal sealed class ElasticsearchObserver(ElasticsearchHttp http, string region)
{
    public async Task<ClusterObservation> ObserveAsync(CancellationToken cancellationToken = default)
    {
        ElasticsearchResponse health;
        try
        {
            health = await http.SendAsync("GET", "/_cluster/health", null, cancellationToken).ConfigureAwait(false);
        }
        catch (ElasticsearchRequestException e) when (e.InnerException is TaskCanceledException)
        {
            return NoMaster();
        }
        catch (ElasticsearchRequestException)
        {
            return new ClusterObservation(region, Reachable: false, null, HasMaster: false, [], []);
        }
        if (health.StatusCode is 503 or 408) return NoMaster();
        if (!health.IsSuccess)
            throw new ElasticsearchRequestException($"GET /_cluster/health in {region} answered {health.Summary()}");

        var status = ParseStatus(JsonNode.Parse(health.Body)?["status"]?.GetValue<string>());
        var nodes = await NodeNamesAsync(cancellationToken).ConfigureAwait(false);
        var followers = await FollowersAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterObservation(region, Reachable: true, status, HasMaster: true, nodes ?? [], followers,
            nodes is null ? ClusterFacets.All & ~ClusterFacets.Nodes : ClusterFacets.All);
    }

    // No node list was read: its empty list must not count as every node gone.
    private ClusterObservation NoMaster() =>
        new(region, Reachable: true, null, HasMaster: false, [], [], ClusterFacets.Reachability | ClusterFacets.Master);

    private static ClusterStatus? ParseStatus(string? status) => status switch
    {
        "green" => ClusterStatus.Green,
        "yellow" => ClusterStatus.Yellow,
        "red" => ClusterStatus.Red,
        _ => null,
    };

    /// <summary>The member nodes' names; null when the answer is not the list <c>_cat/nodes</c> gives (then nothing was seen).</summary>
    private async Task<IReadOnlyList<string>?> NodeNamesAsync(CancellationToken cancellationToken)
    {
        var nodes = await http.GetJsonAsync("/_cat/nodes?format=json&h=name", cancellationToken).ConfigureAwait(false);
        return nodes is JsonArray rows
            ? rows.Select(r => r?["name"]?.GetValue<string>()).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : null;
    }

    /// <summary>
    /// Every follower index (from follow info) with its status; lag and fatal error from the CCR stats of the
    /// active ones (paused followers have no shard follow tasks, so no stats: lag 0).
    /// </summary>
    private async Task<IReadOnlyList<FollowerObservation>> FollowersAsync(CancellationToken cancellationToken)
    {
        var info = await http.GetJsonAsync("/_all/_ccr/info", cancellationToken).ConfigureAwait(false);
        var followers = (info["follower_indices"] as JsonArray ?? [])
            .Select(f => (Index: f?["follower_index"]?.GetValue<string>(), Active: f?["status"]?.GetValue<string>() == "active"))
            .Where(f => f.Index is not null)
            .ToList();
        if (followers.Count == 0) return [];

        var stats = await http.GetJsonAsync("/_ccr/stats", cancellationToken).ConfigureAwait(false);
        var byIndex = new Dictionary<string, (long Lag, string? Fatal)>(StringComparer.Ordinal);
        foreach (var index in stats["follow_stats"]?["indices"] as JsonArray ?? [])
        {
            var name = index?["index"]?.GetValue<string>();
            if (name is null) continue;
            long lag = 0;
            string? fatal = null;
            foreach (var shard in index!["shards"] as JsonArray ?? [])
            {
                if (shard is null) continue;
                var leader = shard["leader_global_checkpoint"]?.GetValue<long>() ?? 0;
                var follower = shard["follower_global_checkpoint"]?.GetValue<long>() ?? 0;
                lag += Math.Max(0, leader - follower);
                if (shard["fatal_exception"] is JsonObject error)
                    fatal ??= error["reason"]?.GetValue<string>() ?? error["type"]?.GetValue<string>() ?? "fatal exception";
            }
            byIndex[name] = (lag, fatal);
        }
        return followers
            .Select(f => byIndex.TryGetValue(f.Index!, out var s)
                ? new FollowerObservation(f.Index!, f.Active, s.Lag, s.Fatal)
                : new FollowerObservation(f.Index!, f.Active, 0, null))
            .OrderBy(f => f.Index, StringComparer.Ordinal)
            .ToList();
    }
}
