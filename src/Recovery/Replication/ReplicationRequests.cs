using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Clients.Elasticsearch.CrossClusterReplication;
using Elastic.Clients.Elasticsearch.LicenseManagement;
using Elastic.Transport;
using Elastic.Transport.Products.Elasticsearch;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Replication;

/// <summary>
/// The requests es-dr sends, in one place, as typed requests of the official client. Each step's method, path and
/// body are the client's own rendering of its request (offline, see <see cref="ElasticsearchApi.Render"/>): what the
/// dry run prints is what the applier sends. Bodies carry only fields of the official request types.
/// </summary>
public static class ReplicationRequests
{
    // Observation (GET only) is typed (ReplicationObserver) but for this: the .NET client has no cat APIs.

    /// <summary>Open and closed indices, hidden ones (system, data stream backing) left out.</summary>
    public const string Indices = "/_cat/indices?format=json&h=index,status&expand_wildcards=open,closed";

    /// <summary>The follow index pattern that keeps the leader's index name on the follower.</summary>
    public const string KeepLeaderName = "{{leader_index}}";

    internal static ReplicationStep StartTrial(ClusterRole target, string currentType) =>
        Step(StepKind.StartTrial, target, $"start the trial licence CCR needs (the cluster is on '{currentType}')",
            async (c, ct) => await c.LicenseManagement.PostStartTrialAsync(
                new PostStartTrialRequest { Acknowledge = true, RequestConfiguration = Buffered }, ct).ConfigureAwait(false));

    /// <summary>
    /// Persistent <c>cluster.remote.&lt;alias&gt;.*</c> for <paramref name="remote"/>. Settings of the
    /// other mode are reset to null when the current remote uses it, since Elasticsearch refuses
    /// e.g. <c>seeds</c> next to <c>mode: proxy</c>.
    /// </summary>
    internal static ReplicationStep ConfigureRemote(ClusterRole target, ClusterDescription remote, ObservedRemote? current)
    {
        var prefix = $"cluster.remote.{remote.Alias}.";
        // Insertion order is the body's order; null resets a setting.
        var persistent = new Dictionary<string, object> { [prefix + "mode"] = remote.Mode == RemoteMode.Sniff ? "sniff" : "proxy" };
        if (remote.Mode == RemoteMode.Sniff)
        {
            persistent[prefix + "seeds"] = remote.Seeds.ToArray();
            if (current?.Mode == RemoteMode.Proxy)
            {
                persistent[prefix + "proxy_address"] = null!;
                persistent[prefix + "server_name"] = null!;
            }
        }
        else
        {
            persistent[prefix + "proxy_address"] = remote.ProxyAddress!;
            if (remote.ServerName is not null) persistent[prefix + "server_name"] = remote.ServerName;
            else if (!string.IsNullOrEmpty(current?.ServerName)) persistent[prefix + "server_name"] = null!;
            if (current?.Mode == RemoteMode.Sniff) persistent[prefix + "seeds"] = null!;
        }
        var how = remote.Mode == RemoteMode.Sniff
            ? $"sniff, seeds {string.Join(", ", remote.Seeds)}"
            : $"proxy, {remote.ProxyAddress}" + (remote.ServerName is null ? "" : $", server name {remote.ServerName}");
        var verb = current is null ? "add" : "update";
        return Step(StepKind.ConfigureRemote, target, $"{verb} remote cluster '{remote.Alias}' ({how})",
            async (c, ct) => await c.Cluster.PutSettingsAsync(
                new PutClusterSettingsRequest { Persistent = persistent, RequestConfiguration = Buffered }, ct).ConfigureAwait(false));
    }

    internal static ReplicationStep DeleteAutoFollow(ClusterRole target, ObservedAutoFollowPattern pattern) =>
        Step(StepKind.RemoveStaleAutoFollow, target,
            $"delete es-dr auto-follow pattern '{pattern.Name}' (follows '{pattern.RemoteCluster}'; this cluster now leads)",
            async (c, ct) => await c.CrossClusterReplication.DeleteAutoFollowPatternAsync(
                new DeleteAutoFollowPatternRequest(pattern.Name) { RequestConfiguration = Buffered }, ct).ConfigureAwait(false));

    internal static ReplicationStep PutAutoFollow(ReplicationSpec spec, bool exists) =>
        Step(StepKind.PutAutoFollow, ClusterRole.Follower,
            $"{(exists ? "update" : "create")} auto-follow pattern '{spec.AutoFollowName}' for new '{spec.Leader.Alias}' indices matching {string.Join(", ", spec.IndexPatterns)}",
            async (c, ct) => await c.CrossClusterReplication.PutAutoFollowPatternAsync(
                new PutAutoFollowPatternRequest(spec.AutoFollowName, spec.Leader.Alias)
                {
                    LeaderIndexPatterns = spec.IndexPatterns.ToList(),
                    FollowIndexPattern = KeepLeaderName,
                    RequestConfiguration = Buffered,
                }, ct).ConfigureAwait(false));

    internal static ReplicationStep ResumeAutoFollow(string name) =>
        Step(StepKind.ResumeAutoFollow, ClusterRole.Follower, $"resume paused auto-follow pattern '{name}'",
            async (c, ct) => await c.CrossClusterReplication.ResumeAutoFollowPatternAsync(
                new ResumeAutoFollowPatternRequest(name) { RequestConfiguration = Buffered }, ct).ConfigureAwait(false));

    internal static ReplicationStep Follow(string leaderAlias, string index) =>
        Step(StepKind.Follow, ClusterRole.Follower, $"follow existing index '{index}' of '{leaderAlias}'",
            async (c, ct) => await c.CrossClusterReplication.FollowAsync(
                new FollowRequest(index, index, leaderAlias) { WaitForActiveShards = 1, RequestConfiguration = Buffered },
                ct).ConfigureAwait(false));

    internal static ReplicationStep ResumeFollow(string leaderAlias, string index) =>
        Step(StepKind.ResumeFollow, ClusterRole.Follower, $"resume paused follower '{index}' of '{leaderAlias}'",
            async (c, ct) => await c.CrossClusterReplication.ResumeFollowAsync(
                new ResumeFollowRequest(index) { RequestConfiguration = Buffered }, ct).ConfigureAwait(false));

    // Request and answer bodies stay in the call details: the applier reports the request sent and reads refusals
    // (acknowledged: false, trial_was_started: false) from the answer. Bodies are small.
    private static readonly RequestConfiguration Buffered = new() { DisableDirectStreaming = true };

    /// <summary>A step whose method, path and body are the client's own rendering of <paramref name="send"/>.</summary>
    private static ReplicationStep Step(StepKind kind, ClusterRole target, string description,
        Func<ElasticsearchClient, CancellationToken, Task<ElasticsearchResponse>> send)
    {
        var typed = ElasticsearchApi.Render(send);
        return new ReplicationStep(kind, target, typed.Method, typed.Path, typed.Body, description) { Typed = typed };
    }
}
