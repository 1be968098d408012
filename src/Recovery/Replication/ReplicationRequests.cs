using System.Text.Json.Nodes;

namespace EsDr.Recovery.Replication;

/// <summary>
/// The exact requests es-dr sends, in one place. Bodies carry only fields of the official request types
/// (elasticsearch-specification: cluster/put_settings, ccr/put_auto_follow_pattern, ccr/follow).
/// </summary>
public static class ReplicationRequests
{
    // Observation (GET only).
    public const string License = "/_license";
    public const string RemoteInfo = "/_remote/info";
    public const string AutoFollowPatterns = "/_ccr/auto_follow";
    public const string FollowInfo = "/_all/_ccr/info";

    /// <summary>Open and closed indices, hidden ones (system, data stream backing) left out.</summary>
    public const string Indices = "/_cat/indices?format=json&h=index,status&expand_wildcards=open,closed";

    public const string Health = "/_cluster/health?wait_for_status=yellow&timeout=10s";

    /// <summary>The follow index pattern that keeps the leader's index name on the follower.</summary>
    public const string KeepLeaderName = "{{leader_index}}";

    internal static ReplicationStep StartTrial(ClusterRole target, string currentType) =>
        new(StepKind.StartTrial, target, "POST", "/_license/start_trial?acknowledge=true", null,
            $"start the trial licence CCR needs (the cluster is on '{currentType}')");

    /// <summary>
    /// Persistent <c>cluster.remote.&lt;alias&gt;.*</c> for <paramref name="remote"/>. Settings of the
    /// other mode are reset to null when the current remote uses it, since Elasticsearch refuses
    /// e.g. <c>seeds</c> next to <c>mode: proxy</c>.
    /// </summary>
    internal static ReplicationStep ConfigureRemote(ClusterRole target, ClusterDescription remote, ObservedRemote? current)
    {
        var prefix = $"cluster.remote.{remote.Alias}.";
        var persistent = new JsonObject { [prefix + "mode"] = remote.Mode == RemoteMode.Sniff ? "sniff" : "proxy" };
        if (remote.Mode == RemoteMode.Sniff)
        {
            persistent[prefix + "seeds"] = new JsonArray(remote.Seeds.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
            if (current?.Mode == RemoteMode.Proxy)
            {
                persistent[prefix + "proxy_address"] = null;
                persistent[prefix + "server_name"] = null;
            }
        }
        else
        {
            persistent[prefix + "proxy_address"] = remote.ProxyAddress;
            if (remote.ServerName is not null) persistent[prefix + "server_name"] = remote.ServerName;
            else if (!string.IsNullOrEmpty(current?.ServerName)) persistent[prefix + "server_name"] = null;
            if (current?.Mode == RemoteMode.Sniff) persistent[prefix + "seeds"] = null;
        }
        var how = remote.Mode == RemoteMode.Sniff
            ? $"sniff, seeds {string.Join(", ", remote.Seeds)}"
            : $"proxy, {remote.ProxyAddress}" + (remote.ServerName is null ? "" : $", server name {remote.ServerName}");
        var verb = current is null ? "add" : "update";
        return new(StepKind.ConfigureRemote, target, "PUT", "/_cluster/settings",
            new JsonObject { ["persistent"] = persistent }.ToJsonString(),
            $"{verb} remote cluster '{remote.Alias}' ({how})");
    }

    internal static ReplicationStep DeleteAutoFollow(ClusterRole target, ObservedAutoFollowPattern pattern) =>
        new(StepKind.RemoveStaleAutoFollow, target, "DELETE", $"/_ccr/auto_follow/{Escape(pattern.Name)}", null,
            $"delete es-dr auto-follow pattern '{pattern.Name}' (follows '{pattern.RemoteCluster}'; this cluster now leads)");

    internal static ReplicationStep PutAutoFollow(ReplicationSpec spec, bool exists)
    {
        var body = new JsonObject
        {
            ["remote_cluster"] = spec.Leader.Alias,
            ["leader_index_patterns"] = new JsonArray(spec.IndexPatterns.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
            ["follow_index_pattern"] = KeepLeaderName,
        };
        return new(StepKind.PutAutoFollow, ClusterRole.Follower, "PUT", $"/_ccr/auto_follow/{Escape(spec.AutoFollowName)}", body.ToJsonString(),
            $"{(exists ? "update" : "create")} auto-follow pattern '{spec.AutoFollowName}' for new '{spec.Leader.Alias}' indices matching {string.Join(", ", spec.IndexPatterns)}");
    }

    internal static ReplicationStep ResumeAutoFollow(string name) =>
        new(StepKind.ResumeAutoFollow, ClusterRole.Follower, "POST", $"/_ccr/auto_follow/{Escape(name)}/resume", null,
            $"resume paused auto-follow pattern '{name}'");

    internal static ReplicationStep Follow(string leaderAlias, string index)
    {
        var body = new JsonObject { ["remote_cluster"] = leaderAlias, ["leader_index"] = index };
        return new(StepKind.Follow, ClusterRole.Follower, "PUT", $"/{Escape(index)}/_ccr/follow?wait_for_active_shards=1", body.ToJsonString(),
            $"follow existing index '{index}' of '{leaderAlias}'");
    }

    internal static ReplicationStep ResumeFollow(string leaderAlias, string index) =>
        new(StepKind.ResumeFollow, ClusterRole.Follower, "POST", $"/{Escape(index)}/_ccr/resume_follow", null,
            $"resume paused follower '{index}' of '{leaderAlias}'");

    private static string Escape(string name) => Uri.EscapeDataString(name);
}
