using System.Text.Json;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Clients.Elasticsearch.CrossClusterReplication;
using Elastic.Clients.Elasticsearch.LicenseManagement;

namespace EsDr.Recovery.Replication;

/// <summary>
/// Reads one cluster's replication state with GETs only, through the official client: typed calls for the licence,
/// remote info, auto-follow patterns and follow info; <c>_cat/indices</c> through the client's transport, since the
/// .NET client has no cat APIs.
/// </summary>
public sealed class ReplicationObserver(ElasticsearchConnection es)
{
    public async Task<ObservedCluster> ObserveAsync(CancellationToken cancellationToken)
    {
        var license = ObservationParser.License(await es.CallAsync((c, ct) => c.LicenseManagement.GetAsync(ct), cancellationToken).ConfigureAwait(false));
        var remotes = ObservationParser.Remotes(await es.CallAsync((c, ct) => c.Cluster.RemoteInfoAsync(ct), cancellationToken).ConfigureAwait(false));
        var indices = ObservationParser.Indices(await es.GetJsonAsync(ReplicationRequests.Indices, cancellationToken).ConfigureAwait(false));
        if (!license.AllowsCcr)
        {
            // CCR's APIs answer 403 without a licence that includes CCR; nothing can follow anything yet.
            return new ObservedCluster(remotes, [], [], indices, license);
        }
        var patterns = ObservationParser.AutoFollowPatterns(
            await es.CallAsync((c, ct) => c.CrossClusterReplication.GetAutoFollowPatternAsync(ct), cancellationToken).ConfigureAwait(false));
        var followers = ObservationParser.Followers(
            await es.CallAsync((c, ct) => c.CrossClusterReplication.FollowInfoAsync(new FollowInfoRequest(Indices.All), ct), cancellationToken).ConfigureAwait(false));
        return new ObservedCluster(remotes, patterns, followers, indices, license);
    }
}

/// <summary>
/// Pure readers of the responses the observer gets: the client's typed responses (cluster/remote_info,
/// ccr/get_auto_follow_pattern, ccr/follow_info, license/get) and the JSON of cat/indices.
/// A missing required field is an error naming the response and field.
/// </summary>
public static class ObservationParser
{
    /// <summary><c>GET /_remote/info</c>: alias → sniff or proxy info (the client picks the type by <c>mode</c>).</summary>
    public static IReadOnlyList<ObservedRemote> Remotes(RemoteInfoResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Infos
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Value switch
            {
                ClusterRemoteSniffInfo sniff => new ObservedRemote(p.Key, RemoteMode.Sniff, (sniff.Seeds ?? []).ToList(), null, null, sniff.Connected),
                ClusterRemoteProxyInfo proxy => new ObservedRemote(p.Key, RemoteMode.Proxy, [], proxy.ProxyAddress, proxy.ServerName, proxy.Connected),
                var other => throw new FormatException($"_remote/info.{p.Key}: unknown mode ({other?.GetType().Name ?? "null"})"),
            })
            .ToList();
    }

    /// <summary><c>GET /_ccr/auto_follow</c>: <c>{ patterns: [{ name, pattern: {...} }] }</c>.</summary>
    public static IReadOnlyList<ObservedAutoFollowPattern> AutoFollowPatterns(GetAutoFollowPatternResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return (response.Patterns ?? throw new FormatException("_ccr/auto_follow.patterns: missing"))
            .Select(entry =>
            {
                var name = entry.Name ?? throw new FormatException("_ccr/auto_follow.patterns[].name: missing");
                var p = entry.Pattern ?? throw new FormatException($"_ccr/auto_follow.patterns[{name}].pattern: missing");
                return new ObservedAutoFollowPattern(
                    name,
                    p.RemoteCluster ?? throw new FormatException($"_ccr/auto_follow.patterns[{name}].pattern.remote_cluster: missing"),
                    (p.LeaderIndexPatterns ?? []).ToList(),
                    (p.LeaderIndexExclusionPatterns ?? []).ToList(),
                    p.FollowIndexPattern,
                    p.Active);
            })
            .ToList();
    }

    /// <summary><c>GET /&lt;index&gt;/_ccr/info</c>: <c>{ follower_indices: [...] }</c>, status active or paused.</summary>
    public static IReadOnlyList<ObservedFollower> Followers(FollowInfoResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        const string where = "_ccr/info.follower_indices[]";
        return (response.FollowerIndices ?? throw new FormatException("_ccr/info.follower_indices: missing"))
            .Select(f => new ObservedFollower(
                f.FollowerIndexValue ?? throw new FormatException($"{where}.follower_index: missing"),
                f.RemoteCluster ?? throw new FormatException($"{where}.remote_cluster: missing"),
                f.LeaderIndex ?? throw new FormatException($"{where}.leader_index: missing"),
                f.Status == FollowerIndexStatus.Active))
            .ToList();
    }

    /// <summary><c>GET /_cat/indices?format=json</c>: an array of rows; <c>status</c> is open or close.</summary>
    public static IReadOnlyList<ObservedIndex> Indices(JsonNode response) =>
        Array(response, "_cat/indices")
            .Select(item =>
            {
                var row = Object(item, "_cat/indices[]");
                return new ObservedIndex(Str(row, "index", "_cat/indices[]"), OptionalStr(row, "status") != "close");
            })
            .ToList();

    /// <summary><c>GET /_license</c>: <c>{ license: { type, status, ... } }</c>, as the API spells them (<c>trial</c>, <c>active</c>).</summary>
    public static ObservedLicense License(GetLicenseResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var license = response.License ?? throw new FormatException("_license.license: missing");
        return new ObservedLicense(license.Type.ToString().ToLowerInvariant(), license.Status.ToString().ToLowerInvariant());
    }

    private static JsonObject Object(JsonNode? node, string where) =>
        node as JsonObject ?? throw new FormatException($"{where}: expected an object");

    private static JsonArray Array(JsonNode? node, string where) =>
        node as JsonArray ?? throw new FormatException($"{where}: expected an array");

    private static string Str(JsonObject o, string field, string where) =>
        OptionalStr(o, field) ?? throw new FormatException($"{where}.{field}: missing");

    private static string? OptionalStr(JsonObject o, string field)
    {
        var node = o[field];
        if (node is null) return null;
        return node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw new FormatException($"{field}: expected a string");
    }
}
