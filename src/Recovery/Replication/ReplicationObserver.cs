using System.Text.Json;
using System.Text.Json.Nodes;

namespace EsDr.Recovery.Replication;

/// <summary>Reads one cluster's replication state with GETs only (see <see cref="ReplicationRequests"/>).</summary>
public sealed class ReplicationObserver(ElasticsearchHttp http)
{
    public async Task<ObservedCluster> ObserveAsync(CancellationToken cancellationToken)
    {
        var license = ObservationParser.License(await http.GetJsonAsync(ReplicationRequests.License, cancellationToken).ConfigureAwait(false));
        var remotes = ObservationParser.Remotes(await http.GetJsonAsync(ReplicationRequests.RemoteInfo, cancellationToken).ConfigureAwait(false));
        var indices = ObservationParser.Indices(await http.GetJsonAsync(ReplicationRequests.Indices, cancellationToken).ConfigureAwait(false));
        if (!license.AllowsCcr)
        {
            // CCR's APIs answer 403 without a licence that includes CCR; nothing can follow anything yet.
            return new ObservedCluster(remotes, [], [], indices, license);
        }
        var patterns = ObservationParser.AutoFollowPatterns(await http.GetJsonAsync(ReplicationRequests.AutoFollowPatterns, cancellationToken).ConfigureAwait(false));
        var followers = ObservationParser.Followers(await http.GetJsonAsync(ReplicationRequests.FollowInfo, cancellationToken).ConfigureAwait(false));
        return new ObservedCluster(remotes, patterns, followers, indices, license);
    }
}

/// <summary>
/// Pure parsers of the responses the observer reads, following the specification's response types
/// (cluster/remote_info, ccr/get_auto_follow_pattern, ccr/follow_info, cat/indices, license/get).
/// A missing required field is an error naming the response and field.
/// </summary>
public static class ObservationParser
{
    /// <summary><c>GET /_remote/info</c>: a dictionary alias → sniff or proxy info, tagged by <c>mode</c>.</summary>
    public static IReadOnlyList<ObservedRemote> Remotes(JsonNode response) =>
        Object(response, "_remote/info")
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p =>
            {
                var info = Object(p.Value, $"_remote/info.{p.Key}");
                var mode = Str(info, "mode", "_remote/info") switch
                {
                    "sniff" => RemoteMode.Sniff,
                    "proxy" => RemoteMode.Proxy,
                    var m => throw new FormatException($"_remote/info.{p.Key}.mode: unknown mode '{m}'"),
                };
                return new ObservedRemote(
                    p.Key,
                    mode,
                    mode == RemoteMode.Sniff ? Strings(info["seeds"], $"_remote/info.{p.Key}.seeds") : [],
                    mode == RemoteMode.Proxy ? OptionalStr(info, "proxy_address") : null,
                    mode == RemoteMode.Proxy ? OptionalStr(info, "server_name") : null,
                    info["connected"]?.GetValue<bool>() ?? false);
            })
            .ToList();

    /// <summary><c>GET /_ccr/auto_follow</c>: <c>{ patterns: [{ name, pattern: {...} }] }</c>.</summary>
    public static IReadOnlyList<ObservedAutoFollowPattern> AutoFollowPatterns(JsonNode response) =>
        Array(Object(response, "_ccr/auto_follow")["patterns"], "_ccr/auto_follow.patterns")
            .Select(item =>
            {
                var entry = Object(item, "_ccr/auto_follow.patterns[]");
                var name = Str(entry, "name", "_ccr/auto_follow.patterns[]");
                var where = $"_ccr/auto_follow.patterns[{name}].pattern";
                var p = Object(entry["pattern"], where);
                return new ObservedAutoFollowPattern(
                    name,
                    Str(p, "remote_cluster", where),
                    Strings(p["leader_index_patterns"], where + ".leader_index_patterns"),
                    p["leader_index_exclusion_patterns"] is null ? [] : Strings(p["leader_index_exclusion_patterns"], where + ".leader_index_exclusion_patterns"),
                    OptionalStr(p, "follow_index_pattern"),
                    p["active"]?.GetValue<bool>() ?? true);
            })
            .ToList();

    /// <summary><c>GET /&lt;index&gt;/_ccr/info</c>: <c>{ follower_indices: [...] }</c>, status active or paused.</summary>
    public static IReadOnlyList<ObservedFollower> Followers(JsonNode response) =>
        Array(Object(response, "_ccr/info")["follower_indices"], "_ccr/info.follower_indices")
            .Select(item =>
            {
                var f = Object(item, "_ccr/info.follower_indices[]");
                const string where = "_ccr/info.follower_indices[]";
                return new ObservedFollower(
                    Str(f, "follower_index", where),
                    Str(f, "remote_cluster", where),
                    Str(f, "leader_index", where),
                    Str(f, "status", where) == "active");
            })
            .ToList();

    /// <summary><c>GET /_cat/indices?format=json</c>: an array of rows; <c>status</c> is open or close.</summary>
    public static IReadOnlyList<ObservedIndex> Indices(JsonNode response) =>
        Array(response, "_cat/indices")
            .Select(item =>
            {
                var row = Object(item, "_cat/indices[]");
                return new ObservedIndex(Str(row, "index", "_cat/indices[]"), OptionalStr(row, "status") != "close");
            })
            .ToList();

    /// <summary><c>GET /_license</c>: <c>{ license: { type, status, ... } }</c>.</summary>
    public static ObservedLicense License(JsonNode response)
    {
        var license = Object(Object(response, "_license")["license"], "_license.license");
        return new ObservedLicense(Str(license, "type", "_license.license"), Str(license, "status", "_license.license"));
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

    private static List<string> Strings(JsonNode? node, string where) =>
        Array(node, where).Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : throw new FormatException($"{where}: expected strings")).ToList();
}
