using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EsDr.Recovery.Tests.Support;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Observe.Elasticsearch;

/// <summary>The official response examples, as copied into Examples/ (see its README).</summary>
internal static class EsExamples
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "EsDr.Recovery.Tests", "Observe", "Elasticsearch", "Examples");
            if (System.IO.Directory.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "EsDr.Recovery.Tests.csproj")))
                return Path.Combine(dir.FullName, "Observe", "Elasticsearch", "Examples");
        }
        throw new DirectoryNotFoundException("Observe/Elasticsearch/Examples not found above " + AppContext.BaseDirectory);
    });

    public static JsonNode Load(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Directory.Value, name)))!;
}

/// <summary>One index of the stand-in cluster: a follower (active or paused) or a regular index, open or closed.</summary>
internal sealed class StandInIndex
{
    public bool Open { get; set; } = true;

    /// <summary>"active" or "paused" for a follower; null for a regular index.</summary>
    public string? Follow { get; set; }

    public long LeaderGlobalCheckpoint { get; set; } = 1024;
    public long FollowerGlobalCheckpoint { get; set; } = 768;
    public string? FatalError { get; set; }

    /// <summary>Index settings set through <c>PUT /{index}/_settings</c>, by flat key (<c>index.blocks.write</c>).</summary>
    public Dictionary<string, bool> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether the index refuses writes (<c>index.blocks.write</c> true).</summary>
    public bool WriteBlocked => Settings.GetValueOrDefault("index.blocks.write");
}

/// <summary>
/// A loopback stand-in (plain HTTP on 127.0.0.1) for the Elasticsearch endpoints recovery observes and the
/// promotion and fencing calls it makes. It answers with the shapes of the official examples, keeps per-index state, and
/// refuses what Elasticsearch refuses: pausing a non-follower or a paused follower, unfollowing an index
/// that is not a paused, closed follower (400 illegal_argument_exception), and an index settings update with a query
/// parameter outside the specification's (indices/put_settings) or a setting other than the block settings it knows
/// (only the <c>index.blocks.*</c> booleans, in any of the body's three spellings). Every request is recorded.
/// </summary>
internal sealed partial class EsPromotionStandIn : IDisposable
{
    private readonly HttpListener listener;
    private readonly Task loop;
    private readonly object sync = new();
    private readonly List<string> requests = [];

    public EsPromotionStandIn()
    {
        (listener, Url) = Loopback.StartHttpListener();
        loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public SortedDictionary<string, StandInIndex> Indices { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> NodeNames { get; set; } = ["es-dub-0", "es-dub-1", "es-dub-2"];

    /// <summary>green, yellow or red.</summary>
    public string HealthStatus { get; set; } = "green";

    /// <summary>Health answers 503 master_not_discovered_exception, as a cluster without an elected master does.</summary>
    public bool NoMaster { get; set; }

    /// <summary>Health answers only after this long (to make a client time out).</summary>
    public TimeSpan HealthDelay { get; set; }

    /// <summary>Persistent cluster settings set through <c>PUT /_cluster/settings</c> (a null value removes one).</summary>
    public Dictionary<string, string> PersistentSettings { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether answers carry <c>X-Elastic-Product: Elasticsearch</c> (every real server's do).</summary>
    public bool SendsProductHeader { get; set; } = true;

    /// <summary>Answer this instead for a matching (method, path): to play a failing server.</summary>
    public Func<string, string, (int Status, JsonNode Body)?>? Override { get; set; }

    /// <summary>"METHOD /path?query[ body]" of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (sync) return requests.ToList(); }
    }

    public void ClearRequests()
    {
        lock (sync) requests.Clear();
    }

    public void Dispose()
    {
        listener.Close();
        try { loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var url = context.Request.Url!;
            var pathAndQuery = url.PathAndQuery;
            var accept = context.Request.Headers["Accept"];
            var contentType = ElasticsearchWire.ContentTypeFor(accept);
            if (url.AbsolutePath == "/_cluster/health" && HealthDelay > TimeSpan.Zero)
                await Task.Delay(HealthDelay);
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
                body = await reader.ReadToEndAsync();
            lock (sync) requests.Add(body.Length == 0 ? $"{context.Request.HttpMethod} {pathAndQuery}" : $"{context.Request.HttpMethod} {pathAndQuery} {body}");
            (int Status, JsonNode Body) answer;
            if (contentType is null) answer = (400, JsonNode.Parse(ElasticsearchWire.MediaTypeError(accept!))!);
            else if (Override?.Invoke(context.Request.HttpMethod, url.AbsolutePath) is { } forced) answer = forced;
            else lock (sync) answer = (context.Request.HttpMethod, IndexSettingsPath().Match(url.AbsolutePath)) switch
            {
                ("PUT", _) when url.AbsolutePath == "/_cluster/settings" => PutSettings(body),
                ("PUT", { Success: true } m) => PutIndexSettings(Uri.UnescapeDataString(m.Groups["index"].Value), Query(url), body),
                _ => Handle(context.Request.HttpMethod, url.AbsolutePath, Query(url)),
            };
            var bytes = Encoding.UTF8.GetBytes(answer.Body.ToJsonString());
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = contentType ?? "application/json";
            if (SendsProductHeader) context.Response.AddHeader(ElasticsearchWire.ProductHeader, ElasticsearchWire.Product);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
        {
            // the client went away or the stand-in is stopping
        }
    }

    private static Dictionary<string, string> Query(Uri url) =>
        url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);

    private (int, JsonNode) Handle(string method, string path, Dictionary<string, string> query)
    {
        if (method == "GET" && path == "/_cluster/health") return Health();
        if (method == "GET" && path == "/_cat/nodes") return CatNodes(query);
        if (method == "GET" && path == "/_ccr/stats") return CcrStats();
        if (method == "GET" && path == "/_all/_ccr/info") return FollowInfo(Indices.Keys);
        var cat = CatIndicesPath().Match(path);
        if (method == "GET" && cat.Success) return CatIndices(cat.Groups["index"].Value, query);
        var m = IndexActionPath().Match(path);
        if (!m.Success) return Error(400, "illegal_argument_exception", $"no handler found for uri [{path}] and method [{method}]");
        var name = m.Groups["index"].Value;
        if (!Indices.TryGetValue(name, out var index))
            return Error(404, "index_not_found_exception", $"no such index [{name}]");
        return (method, m.Groups["action"].Value) switch
        {
            ("GET", "_ccr/info") => FollowInfo([name]),
            ("POST", "_ccr/pause_follow") => PauseFollow(name, index),
            ("POST", "_close") => Close(name, index),
            ("POST", "_ccr/unfollow") => Unfollow(name, index),
            ("POST", "_open") => OpenIndex(index),
            _ => Error(405, "illegal_argument_exception", $"Incorrect HTTP method for uri [{path}] and method [{method}]"),
        };
    }

    private (int, JsonNode) Health()
    {
        if (NoMaster) return Error(503, "master_not_discovered_exception", null);
        var body = EsExamples.Load("cluster.health.response.json");
        body["status"] = HealthStatus;
        body["number_of_nodes"] = NodeNames.Count;
        body["number_of_data_nodes"] = NodeNames.Count;
        return (200, body);
    }

    private (int, JsonNode) CatNodes(Dictionary<string, string> query)
    {
        var template = (JsonObject)EsExamples.Load("cat.nodes.response.json")[0]!;
        var rows = new JsonArray();
        foreach (var name in NodeNames)
        {
            var row = (JsonObject)template.DeepClone();
            row["name"] = name;
            rows.Add(Columns(row, query));
        }
        return (200, rows);
    }

    private (int, JsonNode) CatIndices(string name, Dictionary<string, string> query)
    {
        if (!Indices.TryGetValue(name, out var index))
            return Error(404, "index_not_found_exception", $"no such index [{name}]");
        var row = (JsonObject)EsExamples.Load("cat.indices.response.json")[0]!.DeepClone();
        row["index"] = name;
        row["status"] = index.Open ? "open" : "close";
        if (!index.Open) row["health"] = null;
        return (200, new JsonArray(Columns(row, query)));
    }

    /// <summary>Keeps only the <c>h=</c> columns, as the cat APIs do.</summary>
    private static JsonObject Columns(JsonObject row, Dictionary<string, string> query)
    {
        if (!query.TryGetValue("h", out var h)) return row;
        var wanted = h.Split(',');
        var kept = new JsonObject();
        foreach (var column in wanted) kept[column] = row[column]?.DeepClone();
        return kept;
    }

    private (int, JsonNode) FollowInfo(IEnumerable<string> names)
    {
        var active = EsExamples.Load("ccr.follow_info.active.response.json")["follower_indices"]![0]!;
        var paused = EsExamples.Load("ccr.follow_info.paused.response.json")["follower_indices"]![0]!;
        var list = new JsonArray();
        foreach (var name in names)
        {
            var index = Indices[name];
            if (index.Follow is null) continue;
            var entry = (index.Follow == "active" ? active : paused).DeepClone();
            entry["follower_index"] = name;
            entry["leader_index"] = name;
            list.Add(entry);
        }
        return (200, new JsonObject { ["follower_indices"] = list });
    }

    private (int, JsonNode) CcrStats()
    {
        var body = EsExamples.Load("ccr.stats.response.json");
        var template = body["follow_stats"]!["indices"]![0]!;
        var list = new JsonArray();
        foreach (var (name, index) in Indices.Where(i => i.Value.Follow == "active"))
        {
            var entry = template.DeepClone();
            entry["index"] = name;
            entry["total_global_checkpoint_lag"] = index.LeaderGlobalCheckpoint - index.FollowerGlobalCheckpoint;
            var shard = entry["shards"]![0]!;
            shard["follower_index"] = name;
            shard["leader_index"] = name;
            shard["leader_global_checkpoint"] = index.LeaderGlobalCheckpoint;
            shard["follower_global_checkpoint"] = index.FollowerGlobalCheckpoint;
            if (index.FatalError is not null)
                shard["fatal_exception"] = new JsonObject { ["type"] = "illegal_state_exception", ["reason"] = index.FatalError };
            list.Add(entry);
        }
        body["follow_stats"]!["indices"] = list;
        return (200, body);
    }

    /// <summary>The response shape of the specification's ClusterPutSettingsResponse: acknowledged, and the settings as given.</summary>
    private (int, JsonNode) PutSettings(string body)
    {
        if (JsonNode.Parse(body)?["persistent"] is not JsonObject persistent)
            return Error(400, "action_request_validation_exception", "Validation Failed: 1: no settings to update;");
        foreach (var (key, value) in persistent)
        {
            if (value is null) PersistentSettings.Remove(key);
            else PersistentSettings[key] = value.ToString();
        }
        return (200, new JsonObject { ["acknowledged"] = true, ["persistent"] = persistent.DeepClone(), ["transient"] = new JsonObject() });
    }

    /// <summary>indices/put_settings/IndicesPutSettingsRequest.ts: its query parameters, plus the common ones.</summary>
    private static readonly string[] PutIndexSettingsQuery =
        ["allow_no_indices", "expand_wildcards", "flat_settings", "ignore_unavailable", "master_timeout", "preserve_existing", "reopen", "timeout",
         "error_trace", "filter_path", "human", "pretty"];

    private static readonly string[] BlockSettings =
        ["index.blocks.write", "index.blocks.read", "index.blocks.read_only", "index.blocks.read_only_allow_delete", "index.blocks.metadata"];

    /// <summary>
    /// Sets index settings as Elasticsearch does: the body is the settings, nested (<c>{"index":{"blocks":{"write":true}}}</c>),
    /// without the <c>index.</c> prefix (<c>{"blocks":{"write":true}}</c>) or flat (<c>{"index.blocks.write":true}</c>).
    /// Answers the specification's AcknowledgedResponseBase.
    /// </summary>
    private (int, JsonNode) PutIndexSettings(string name, Dictionary<string, string> query, string body)
    {
        if (query.Keys.FirstOrDefault(k => !PutIndexSettingsQuery.Contains(k)) is { } unknown)
            return Error(400, "illegal_argument_exception", $"request [/{name}/_settings] contains unrecognized parameter: [{unknown}]");
        if (JsonNode.Parse(body) is not JsonObject settings || settings.Count == 0)
            return Error(400, "action_request_validation_exception", "Validation Failed: 1: no settings to update;");
        var flat = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        Flatten("", settings, flat);
        var changes = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (key, value) in flat)
        {
            var full = key.StartsWith("index.", StringComparison.Ordinal) ? key : "index." + key;
            if (!BlockSettings.Contains(full))
                return Error(400, "illegal_argument_exception", $"unknown setting [{full}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings");
            if (value?.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
                return Error(400, "illegal_argument_exception", $"Failed to parse value [{value?.ToJsonString()}] as only [true] or [false] are allowed.");
            changes[full] = value.GetValue<bool>();
        }
        // ignore_unavailable: a missing or closed concrete index is left out, and an empty target set is accepted.
        var ignoreUnavailable = query.GetValueOrDefault("ignore_unavailable") == "true";
        if (!Indices.TryGetValue(name, out var index))
            return ignoreUnavailable ? (200, new JsonObject { ["acknowledged"] = true })
                : Error(404, "index_not_found_exception", $"no such index [{name}]");
        if (!index.Open)
            return ignoreUnavailable ? (200, new JsonObject { ["acknowledged"] = true })
                : Error(400, "index_closed_exception", $"closed [{name}]");
        foreach (var (key, value) in changes) index.Settings[key] = value;
        return (200, new JsonObject { ["acknowledged"] = true });
    }

    private static void Flatten(string prefix, JsonObject node, Dictionary<string, JsonNode?> into)
    {
        foreach (var (key, value) in node)
        {
            if (value is JsonObject inner) Flatten(prefix + key + ".", inner, into);
            else into[prefix + key] = value;
        }
    }

    private static (int, JsonNode) PauseFollow(string name, StandInIndex index)
    {
        if (index.Follow is null) return Error(400, "illegal_argument_exception", $"index [{name}] is not a follower index");
        if (index.Follow != "active") return Error(400, "illegal_argument_exception", $"no shard follow tasks for [{name}]");
        index.Follow = "paused";
        return (200, EsExamples.Load("ccr.pause_follow.response.json"));
    }

    private static (int, JsonNode) Close(string name, StandInIndex index)
    {
        index.Open = false;
        var body = EsExamples.Load("indices.close.response.json");
        body["indices"] = new JsonObject { [name] = new JsonObject { ["closed"] = true } };
        return (200, body);
    }

    private static (int, JsonNode) Unfollow(string name, StandInIndex index)
    {
        if (index.Follow is null) return Error(400, "illegal_argument_exception", $"index [{name}] is not a follower index");
        if (index.Follow == "active")
            return Error(400, "illegal_argument_exception", $"cannot convert the follower index [{name}] to a non-follower, because it has not been paused");
        if (index.Open)
            return Error(400, "illegal_argument_exception", $"cannot convert the follower index [{name}] to a non-follower, because it has not been closed");
        index.Follow = null;
        return (200, EsExamples.Load("ccr.unfollow.response.json"));
    }

    private static (int, JsonNode) OpenIndex(StandInIndex index)
    {
        index.Open = true;
        return (200, EsExamples.Load("indices.open.response.json"));
    }

    private static (int, JsonNode) Error(int status, string type, string? reason)
    {
        var cause = new JsonObject { ["type"] = type, ["reason"] = reason };
        return (status, new JsonObject
        {
            ["error"] = new JsonObject { ["root_cause"] = new JsonArray(cause.DeepClone()), ["type"] = type, ["reason"] = reason },
            ["status"] = status,
        });
    }

    [GeneratedRegex(@"^/(?<index>[^/_][^/]*)/_settings$", RegexOptions.CultureInvariant)]
    private static partial Regex IndexSettingsPath();

    [GeneratedRegex(@"^/_cat/indices/(?<index>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex CatIndicesPath();

    [GeneratedRegex(@"^/(?<index>[^/_][^/]*)/(?<action>_ccr/info|_ccr/pause_follow|_close|_ccr/unfollow|_open)$", RegexOptions.CultureInvariant)]
    private static partial Regex IndexActionPath();
}
