using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EsDr.Recovery.Tests.Support;
using EsDr.TestSupport;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>One request as the stand-in received it.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, string? Body, string? Authorization)
{
    public override string ToString() => Body is null ? $"{Method} {PathAndQuery}" : $"{Method} {PathAndQuery} {Body}";
}

/// <summary>
/// The transport addresses stand-ins answer on, so that a remote cluster's configured seeds or proxy
/// address decide which stand-in it reaches — as they would decide which real cluster. One per test.
/// </summary>
internal sealed class StandInNetwork
{
    private readonly Dictionary<string, CcrStandIn> byAddress = new(StringComparer.Ordinal);

    /// <summary>One lock for every stand-in of the network: requests touch leader and follower together.</summary>
    public object Sync { get; } = new();

    public void Register(CcrStandIn cluster, IEnumerable<string> transportAddresses)
    {
        lock (Sync) foreach (var a in transportAddresses) byAddress[a] = cluster;
    }

    public CcrStandIn? Reach(IEnumerable<string> addresses)
    {
        lock (Sync) return addresses.Select(a => byAddress.GetValueOrDefault(a)).FirstOrDefault(c => c is not null);
    }

    public IEnumerable<CcrStandIn> Clusters
    {
        get { lock (Sync) return byAddress.Values.Distinct().ToList(); }
    }
}

/// <summary>
/// A loopback stand-in for one Elasticsearch cluster, for exactly the endpoints es-dr's replication set-up
/// uses: license get and start_trial, cluster health and put_settings, remote_info, ccr auto_follow (get,
/// put, delete, pause, resume), ccr follow, resume_follow, pause_follow and follow info, and cat indices.
/// It answers with the shapes of the specification's examples (Examples/), keeps state (a follow shows up
/// in follow info, a remote in remote_info, a new leader index is auto-followed by matching patterns),
/// requires basic auth, and refuses what Elasticsearch refuses: body fields or query parameters outside
/// the specification's request types, wrong JSON types, missing required fields, unknown remotes and
/// indices, and CCR calls without a licence that includes CCR.
/// </summary>
internal sealed partial class CcrStandIn : IDisposable
{
    private readonly StandInNetwork network;
    private readonly string clusterName;
    private readonly string user;
    private readonly string password;
    private readonly HttpListener listener;
    private readonly Task loop;
    private readonly List<RecordedRequest> requests = [];
    private readonly List<string?> acceptHeaders = [];
    private readonly Dictionary<string, JsonNode> persistent = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Pattern> patterns = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Index> indices = new(StringComparer.Ordinal);
    private bool trialUsed;

    public CcrStandIn(StandInNetwork network, string clusterName, IReadOnlyList<string> transportAddresses,
        string user = "elastic", string password = "s3cret-Pa55", string license = "trial")
    {
        this.network = network;
        this.clusterName = clusterName;
        this.user = user;
        this.password = password;
        LicenseType = license;
        trialUsed = license == "trial";
        TransportAddresses = transportAddresses;
        network.Register(this, transportAddresses);
        (listener, Url) = Loopback.StartHttpListener();
        loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }
    public IReadOnlyList<string> TransportAddresses { get; }
    public string LicenseType { get; private set; }
    public string LicenseStatus { get; set; } = "active";

    /// <summary>The cluster health status answered (green, yellow or red).</summary>
    public string HealthStatus { get; set; } = "green";

    /// <summary>How many health checks still answer 503 (no master yet), as a cluster still forming does.</summary>
    public int HealthUnavailableCount { get; set; }

    /// <summary>
    /// Whether answers carry <c>X-Elastic-Product: Elasticsearch</c>, as every real server's do; off, it plays
    /// something else on the port (a proxy, another product), which the client's product check must refuse.
    /// </summary>
    public bool SendsProductHeader { get; set; } = true;

    /// <summary>The Accept header of every request, in order.</summary>
    public IReadOnlyList<string?> AcceptHeaders
    {
        get { lock (network.Sync) return acceptHeaders.ToList(); }
    }

    /// <summary>Answer this instead for matching requests (method, path and query) — to inject failures.</summary>
    public Func<string, string, (int Status, string Body)?>? Override { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (network.Sync) return requests.ToList(); }
    }

    public void ClearRequests()
    {
        lock (network.Sync) requests.Clear();
    }

    public IReadOnlyDictionary<string, JsonNode> PersistentSettings
    {
        get { lock (network.Sync) return new Dictionary<string, JsonNode>(persistent); }
    }

    public IReadOnlyList<string> IndexNames
    {
        get { lock (network.Sync) return indices.Keys.ToList(); }
    }

    /// <summary>(follower index, remote, leader index, active) of every follower index.</summary>
    public IReadOnlyList<(string Index, string Remote, string Leader, bool Active)> Followers
    {
        get
        {
            lock (network.Sync)
                return indices.Values.Where(i => i.Following is not null)
                    .Select(i => (i.Name, i.Following!.Remote, i.Following.LeaderIndex, i.Following.Active)).ToList();
        }
    }

    public IReadOnlyList<string> PatternNames
    {
        get { lock (network.Sync) return patterns.Keys.ToList(); }
    }

    /// <summary>Creates a regular index, as an application would; followers auto-follow it where a pattern matches.</summary>
    public void CreateIndex(string name, bool open = true)
    {
        lock (network.Sync)
        {
            indices[name] = new Index(name) { Open = open };
            foreach (var other in network.Clusters.Where(c => c != this)) other.AutoFollow(this, name);
        }
    }

    /// <summary>Test set-up: a follower index as a follow request would have made it.</summary>
    public void AddFollower(string name, string remote, string leaderIndex, bool active = true)
    {
        lock (network.Sync) indices[name] = new Index(name) { Following = new Follow(remote, leaderIndex) { Active = active } };
    }

    /// <summary>Test set-up: an auto-follow pattern as a put request would have made it.</summary>
    public void AddPattern(string name, string remote, IReadOnlyList<string> leaderPatterns, string followPattern = "{{leader_index}}", bool active = true)
    {
        lock (network.Sync) patterns[name] = new Pattern(remote, leaderPatterns.ToList(), [], followPattern, []) { Active = active };
    }

    /// <summary>Test set-up: persistent cluster settings as a put_settings request would have made them.</summary>
    public void SetPersistent(string key, JsonNode value)
    {
        lock (network.Sync) persistent[key] = value;
    }

    private bool disposed;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            listener.Stop();
        }
        catch (HttpListenerException)
        {
            // Linux's managed HttpListener can report a racing port re-use while it unregisters; it is stopped either way.
        }
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the listener's pending accept fails when it is stopped
        }
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
            try
            {
                string? body = null;
                if (context.Request.HasEntityBody)
                {
                    using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                    body = await reader.ReadToEndAsync();
                }
                var accept = context.Request.Headers["Accept"];
                lock (network.Sync) acceptHeaders.Add(accept);
                var contentType = ElasticsearchWire.ContentTypeFor(accept);
                var (status, answer) = contentType is null
                    ? (400, ElasticsearchWire.MediaTypeError(accept!))
                    : Handle(context.Request.HttpMethod, context.Request.Url!, body, context.Request.Headers["Authorization"]);
                var bytes = Encoding.UTF8.GetBytes(answer);
                context.Response.StatusCode = status;
                context.Response.ContentType = contentType ?? "application/json";
                if (SendsProductHeader) context.Response.AddHeader(ElasticsearchWire.ProductHeader, ElasticsearchWire.Product);
                if (status == 401) context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"security\", charset=\"UTF-8\"");
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // the client went away
            }
        }
    }

    private (int, string) Handle(string method, Uri url, string? body, string? authorization)
    {
        var pathAndQuery = url.PathAndQuery;
        lock (network.Sync) requests.Add(new RecordedRequest(method, pathAndQuery, string.IsNullOrEmpty(body) ? null : body, authorization));

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        if (authorization != expected)
            return Error(401, "security_exception", $"missing authentication credentials for REST request [{pathAndQuery}]");
        if (Override?.Invoke(method, pathAndQuery) is { } forced) return forced;

        var segments = url.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var query = ParseQuery(url.Query);
        lock (network.Sync)
        {
            return (method, segments) switch
            {
                ("GET", ["_license"]) => Checked(query, SpecShapes.LicenseGetQuery, body, null, _ => GetLicense()),
                ("POST", ["_license", "start_trial"]) => Checked(query, SpecShapes.StartTrialQuery, body, null, _ => StartTrial(query)),
                ("GET", ["_cluster", "health"]) => Checked(query, SpecShapes.ClusterHealthQuery, body, null, _ => Health()),
                ("PUT", ["_cluster", "settings"]) => Checked(query, SpecShapes.ClusterPutSettingsQuery, body, SpecShapes.PutClusterSettings, PutSettings),
                ("GET", ["_remote", "info"]) => Checked(query, [], body, null, _ => RemoteInfo()),
                ("GET", ["_cat", "indices"]) => Checked(query, SpecShapes.CatIndicesQuery, body, null, _ => CatIndices(null, query)),
                ("GET", ["_cat", "indices", var expr]) => Checked(query, SpecShapes.CatIndicesQuery, body, null, _ => CatIndices(expr, query)),
                ("GET", ["_ccr", "auto_follow"]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, null, _ => GetPatterns(null))),
                ("GET", ["_ccr", "auto_follow", var name]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, null, _ => GetPatterns(name))),
                ("PUT", ["_ccr", "auto_follow", var name]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, SpecShapes.PutAutoFollowPattern, b => PutPattern(name, b!))),
                ("DELETE", ["_ccr", "auto_follow", var name]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, null, _ => DeletePattern(name))),
                ("POST", ["_ccr", "auto_follow", var name, "resume"]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, null, _ => SetPatternActive(name, true))),
                ("POST", ["_ccr", "auto_follow", var name, "pause"]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, null, _ => SetPatternActive(name, false))),
                ("PUT", [var index, "_ccr", "follow"]) => Ccr(() => Checked(query, SpecShapes.FollowQuery, body, SpecShapes.Follow, b => PutFollow(index, b!))),
                ("POST", [var index, "_ccr", "resume_follow"]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, SpecShapes.ResumeFollow, _ => SetFollowActive(index, true), bodyOptional: true)),
                ("POST", [var index, "_ccr", "pause_follow"]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, null, _ => SetFollowActive(index, false))),
                ("GET", [var expr, "_ccr", "info"]) => Ccr(() => Checked(query, SpecShapes.MasterTimeoutQuery, body, null, _ => FollowInfo(expr))),
                _ => (400, new JsonObject { ["error"] = $"no handler found for uri [{url.AbsolutePath}] and method [{method}]" }.ToJsonString()),
            };
        }
    }

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "", StringComparer.Ordinal);

    /// <summary>Query parameters and body against the specification's request type, then the handler.</summary>
    private static (int, string) Checked(Dictionary<string, string> query, string[] allowed, string? body, BodyShape? shape,
        Func<JsonObject?, (int, string)> handler, bool bodyOptional = false)
    {
        foreach (var key in query.Keys.Where(k => !allowed.Contains(k) && !SpecShapes.CommonQuery.Contains(k)))
            return Error(400, "illegal_argument_exception", $"request contains unrecognized parameter: [{key}]");
        if (shape is null)
        {
            return string.IsNullOrEmpty(body)
                ? handler(null)
                : Error(400, "illegal_argument_exception", "request does not support having a body");
        }
        if (string.IsNullOrEmpty(body))
            return bodyOptional ? handler(null) : Error(400, "parse_exception", "request body is required");
        JsonObject? parsed;
        try
        {
            parsed = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException e)
        {
            return Error(400, "x_content_parse_exception", e.Message);
        }
        if (parsed is null) return Error(400, "x_content_parse_exception", $"[{shape.ParserName}] expected an object");
        return shape.Check(parsed) is { } refused ? Error(refused.Status, refused.Type, refused.Reason) : handler(parsed);
    }

    private (int, string) Ccr(Func<(int, string)> handler) =>
        LicenseStatus == "active" && LicenseType is "trial" or "platinum" or "enterprise"
            ? handler()
            : Error(403, "security_exception", "current license is non-compliant for [ccr]");

    private static (int, string) Error(int status, string type, string reason)
    {
        var cause = new JsonObject { ["type"] = type, ["reason"] = reason };
        return (status, new JsonObject
        {
            ["error"] = new JsonObject { ["root_cause"] = new JsonArray(cause.DeepClone()), ["type"] = type, ["reason"] = reason },
            ["status"] = status,
        }.ToJsonString());
    }

    private static (int, string) Ok(JsonNode body) => (200, body.ToJsonString());

    private static (int, string) Acknowledged(string example) => Ok(SpecExamples.Load(example));

    // ---- license

    private (int, string) GetLicense()
    {
        var example = SpecExamples.Load("license.get.response.json");
        example["license"]!["type"] = LicenseType;
        example["license"]!["status"] = LicenseStatus;
        return Ok(example);
    }

    private (int, string) StartTrial(Dictionary<string, string> query)
    {
        if (query.GetValueOrDefault("acknowledge") != "true")
            return Ok(new JsonObject { ["acknowledged"] = false, ["trial_was_started"] = false, ["error_message"] = "Operation failed: Needs acknowledgement." });
        if (trialUsed)
            return (403, new JsonObject { ["acknowledged"] = true, ["trial_was_started"] = false, ["error_message"] = "Operation failed: Trial was already activated." }.ToJsonString());
        trialUsed = true;
        LicenseType = "trial";
        LicenseStatus = "active";
        return Ok(SpecExamples.Load("license.post_start_trial.response.json"));
    }

    // ---- cluster

    private (int, string) Health()
    {
        if (HealthUnavailableCount > 0)
        {
            HealthUnavailableCount--;
            return Error(503, "master_not_discovered_exception", "no master node");
        }
        var example = SpecExamples.Load("cluster.health.response.json");
        example["cluster_name"] = clusterName;
        example["status"] = HealthStatus;
        return HealthStatus == "red" ? (408, example.ToJsonString()) : Ok(example);
    }

    [GeneratedRegex(@"^cluster\.remote\.([^.]+)\.(mode|seeds|proxy_address|server_name|skip_unavailable|node_connections|proxy_socket_connections|transport\.ping_schedule|transport\.compress)$")]
    private static partial Regex RemoteSetting();

    /// <summary>Other settings the stand-in knows: those of the specification's put_settings examples.</summary>
    private static readonly string[] OtherSettings = ["indices.recovery.max_bytes_per_sec", "action.auto_create_index"];

    private (int, string) PutSettings(JsonObject? body)
    {
        var next = new Dictionary<string, JsonNode>(persistent, StringComparer.Ordinal);
        foreach (var scope in new[] { "persistent", "transient" })
        {
            if (body![scope] is not JsonObject settings) continue;
            foreach (var (key, value) in settings)
            {
                var remote = RemoteSetting().Match(key);
                if (!remote.Success && !OtherSettings.Contains(key))
                    return Error(400, "illegal_argument_exception", $"{scope} setting [{key}], not recognized");
                var kind = value?.GetValueKind() ?? JsonValueKind.Null;
                var fits = remote.Groups[2].Value switch
                {
                    "seeds" => kind is JsonValueKind.Null or JsonValueKind.String || (value is JsonArray a && a.All(s => s?.GetValueKind() == JsonValueKind.String)),
                    "mode" => kind == JsonValueKind.Null || value!.ToString() is "sniff" or "proxy",
                    _ => kind is JsonValueKind.Null or JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False,
                };
                if (!fits) return Error(400, "illegal_argument_exception", $"illegal value for setting [{key}]: {value?.ToJsonString()}");
                if (value is null) next.Remove(key);
                else next[key] = value.DeepClone();
            }
        }
        foreach (var alias in Aliases(next))
        {
            var prefix = $"cluster.remote.{alias}.";
            var mode = next.GetValueOrDefault(prefix + "mode")?.ToString() ?? "sniff";
            var wrong = mode == "proxy" ? new[] { "seeds", "node_connections" } : ["proxy_address", "server_name", "proxy_socket_connections"];
            foreach (var w in wrong.Where(w => next.ContainsKey(prefix + w)))
                return Error(400, "illegal_argument_exception",
                    $"Setting \"{prefix}{w}\" cannot be used with the configured \"{prefix}mode\" [required={(mode == "proxy" ? "SNIFF" : "PROXY")}, configured={mode.ToUpperInvariant()}]");
        }
        persistent.Clear();
        foreach (var (k, v) in next) persistent[k] = v;
        return Ok(new JsonObject
        {
            ["acknowledged"] = true,
            ["persistent"] = body!["persistent"]?.DeepClone() ?? new JsonObject(),
            ["transient"] = body["transient"]?.DeepClone() ?? new JsonObject(),
        });
    }

    private static IEnumerable<string> Aliases(IReadOnlyDictionary<string, JsonNode> settings) =>
        settings.Keys.Select(k => RemoteSetting().Match(k)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal);

    private IEnumerable<string> RemoteAddresses(string alias)
    {
        var prefix = $"cluster.remote.{alias}.";
        return persistent.GetValueOrDefault(prefix + "mode")?.ToString() == "proxy"
            ? [persistent.GetValueOrDefault(prefix + "proxy_address")?.ToString() ?? ""]
            : (persistent.GetValueOrDefault(prefix + "seeds") as JsonArray)?.Select(s => s!.ToString()) ?? [];
    }

    private bool IsConfigured(string alias) =>
        RemoteAddresses(alias).Any(a => a.Length > 0);

    private CcrStandIn? Resolve(string alias) => network.Reach(RemoteAddresses(alias));

    /// <summary>The shape of cluster/remote_info/ClusterRemoteInfoResponse.ts (the specification has no example).</summary>
    private (int, string) RemoteInfo()
    {
        var info = new JsonObject();
        foreach (var alias in Aliases(persistent).Where(IsConfigured))
        {
            var prefix = $"cluster.remote.{alias}.";
            var connected = Resolve(alias) is not null;
            var skip = persistent.GetValueOrDefault(prefix + "skip_unavailable")?.GetValue<bool>() ?? false;
            info[alias] = persistent.GetValueOrDefault(prefix + "mode")?.ToString() == "proxy"
                ? new JsonObject
                {
                    ["connected"] = connected,
                    ["mode"] = "proxy",
                    ["proxy_address"] = persistent[prefix + "proxy_address"].ToString(),
                    ["server_name"] = persistent.GetValueOrDefault(prefix + "server_name")?.ToString() ?? "",
                    ["num_proxy_sockets_connected"] = connected ? 18 : 0,
                    ["max_proxy_socket_connections"] = 18,
                    ["initial_connect_timeout"] = "30s",
                    ["skip_unavailable"] = skip,
                }
                : new JsonObject
                {
                    ["connected"] = connected,
                    ["mode"] = "sniff",
                    ["seeds"] = persistent[prefix + "seeds"].DeepClone(),
                    ["num_nodes_connected"] = connected ? 3 : 0,
                    ["max_connections_per_cluster"] = 3,
                    ["initial_connect_timeout"] = "30s",
                    ["skip_unavailable"] = skip,
                };
        }
        return Ok(info);
    }

    // ---- cat indices

    private (int, string) CatIndices(string? expression, Dictionary<string, string> query)
    {
        if (query.GetValueOrDefault("format") != "json")
            return Error(400, "illegal_argument_exception", "the stand-in answers format=json only");
        var expand = query.GetValueOrDefault("expand_wildcards", "all").Split(',');
        var wantOpen = expand.Contains("all") || expand.Contains("open");
        var wantClosed = expand.Contains("all") || expand.Contains("closed");
        var template = (JsonObject)SpecExamples.Load("cat.indices.response.json")[0]!;
        var columns = query.TryGetValue("h", out var h) ? h.Split(',') : template.Select(p => p.Key).ToArray();
        var rows = new JsonArray();
        foreach (var index in Select(expression).Where(i => i.Open ? wantOpen : wantClosed))
        {
            var row = (JsonObject)template.DeepClone();
            row["index"] = index.Name;
            row["status"] = index.Open ? "open" : "close";
            row["uuid"] = index.Uuid;
            row["health"] = "green";
            row["docs.count"] = "0";
            var kept = new JsonObject();
            foreach (var c in columns)
            {
                if (!row.ContainsKey(c)) return Error(400, "illegal_argument_exception", $"header [{c}] not found");
                kept[c] = row[c]!.DeepClone();
            }
            rows.Add(kept);
        }
        return Ok(rows);
    }

    private IEnumerable<Index> Select(string? expression)
    {
        if (expression is null or "_all" or "*") return indices.Values;
        var parts = expression.Split(',');
        return indices.Values.Where(i => parts.Any(p => EsDr.Recovery.Replication.SimplePattern.Matches(p, i.Name)));
    }

    // ---- auto-follow patterns

    private (int, string) GetPatterns(string? name)
    {
        if (name is not null && !patterns.ContainsKey(name))
            return Error(404, "resource_not_found_exception", $"auto-follow pattern [{name}] is missing");
        var list = new JsonArray();
        foreach (var (n, p) in patterns.Where(p => name is null || p.Key == name))
        {
            var shown = new JsonObject
            {
                ["active"] = p.Active,
                ["remote_cluster"] = p.Remote,
                ["leader_index_patterns"] = Strings(p.LeaderPatterns),
                ["leader_index_exclusion_patterns"] = Strings(p.ExclusionPatterns),
            };
            if (p.FollowPattern is not null) shown["follow_index_pattern"] = p.FollowPattern;
            list.Add(new JsonObject { ["name"] = n, ["pattern"] = shown });
        }
        var example = SpecExamples.Load("ccr.get_auto_follow_pattern.response.json");
        example["patterns"] = list;
        return Ok(example);
    }

    private (int, string) PutPattern(string name, JsonObject body)
    {
        var remote = body["remote_cluster"]!.ToString();
        if (!IsConfigured(remote)) return Error(404, "no_such_remote_cluster_exception", $"no such remote cluster: [{remote}]");
        if (Resolve(remote) is not { } leader) return Error(500, "connect_transport_exception", $"unable to connect to remote cluster [{remote}]");
        var leaderPatterns = StringList(body["leader_index_patterns"]);
        if (leaderPatterns.Count == 0)
            return Error(400, "action_request_validation_exception", "Validation Failed: 1: leader_index_patterns is missing;");
        // As Elasticsearch does: indices that exist now are never auto-followed, only those created later.
        var seen = leader.indices.Keys.ToList();
        var active = !patterns.TryGetValue(name, out var old) || old.Active;
        patterns[name] = new Pattern(remote, leaderPatterns, StringList(body["leader_index_exclusion_patterns"]), body["follow_index_pattern"]?.ToString(), seen) { Active = active };
        return Acknowledged("ccr.put_auto_follow_pattern.response.json");
    }

    private (int, string) DeletePattern(string name) =>
        patterns.Remove(name)
            ? Acknowledged("ccr.delete_auto_follow_pattern.response.json")
            : Error(404, "resource_not_found_exception", $"auto-follow pattern [{name}] is missing");

    private (int, string) SetPatternActive(string name, bool active)
    {
        if (!patterns.TryGetValue(name, out var p))
            return Error(404, "resource_not_found_exception", $"auto-follow pattern [{name}] is missing");
        p.Active = active;
        return Acknowledged("ccr.resume_auto_follow_pattern.response.json");
    }

    private void AutoFollow(CcrStandIn leader, string leaderIndex)
    {
        foreach (var (_, p) in patterns)
        {
            if (!p.Active || p.Seen.Contains(leaderIndex) || Resolve(p.Remote) != leader) continue;
            if (!p.LeaderPatterns.Any(x => EsDr.Recovery.Replication.SimplePattern.Matches(x, leaderIndex))) continue;
            if (p.ExclusionPatterns.Any(x => EsDr.Recovery.Replication.SimplePattern.Matches(x, leaderIndex))) continue;
            var name = (p.FollowPattern ?? "{{leader_index}}").Replace("{{leader_index}}", leaderIndex, StringComparison.Ordinal);
            if (!indices.ContainsKey(name)) indices[name] = new Index(name) { Following = new Follow(p.Remote, leaderIndex) };
        }
    }

    // ---- followers

    private (int, string) PutFollow(string index, JsonObject body)
    {
        var remote = body["remote_cluster"]!.ToString();
        var leaderIndex = body["leader_index"]!.ToString();
        if (!IsConfigured(remote)) return Error(404, "no_such_remote_cluster_exception", $"no such remote cluster: [{remote}]");
        if (Resolve(remote) is not { } leader) return Error(500, "connect_transport_exception", $"unable to connect to remote cluster [{remote}]");
        if (!leader.indices.TryGetValue(leaderIndex, out var source)) return Error(404, "index_not_found_exception", $"no such index [{leaderIndex}]");
        if (!source.Open) return Error(400, "illegal_argument_exception", $"leader index [{leaderIndex}] is closed");
        if (indices.TryGetValue(index, out var existing))
            return Error(400, "resource_already_exists_exception", $"index [{index}/{existing.Uuid}] already exists");
        indices[index] = new Index(index) { Following = new Follow(remote, leaderIndex) };
        return Ok(SpecExamples.Load("ccr.follow.response.json"));
    }

    private (int, string) SetFollowActive(string index, bool active)
    {
        if (!indices.TryGetValue(index, out var i)) return Error(404, "index_not_found_exception", $"no such index [{index}]");
        if (i.Following is null) return Error(400, "illegal_argument_exception", $"follow index [{index}] does not have ccr metadata");
        if (i.Following.Active == active)
            return Error(400, "illegal_argument_exception", active ? $"follower index [{index}] is already following" : $"no shard follow tasks for [{index}]");
        i.Following.Active = active;
        return Acknowledged(active ? "ccr.resume_follow.response.json" : "ccr.resume_auto_follow_pattern.response.json");
    }

    private (int, string) FollowInfo(string expression)
    {
        var active = (JsonObject)SpecExamples.Load("ccr.follow_info.response.active.json")["follower_indices"]![0]!;
        var list = new JsonArray();
        foreach (var i in Select(expression).Where(i => i.Following is not null))
        {
            var entry = (JsonObject)active.DeepClone();
            entry["follower_index"] = i.Name;
            entry["remote_cluster"] = i.Following!.Remote;
            entry["leader_index"] = i.Following.LeaderIndex;
            entry["status"] = i.Following.Active ? "active" : "paused";
            if (!i.Following.Active) entry.Remove("parameters");
            list.Add(entry);
        }
        return Ok(new JsonObject { ["follower_indices"] = list });
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static List<string> StringList(JsonNode? node) => (node as JsonArray)?.Select(n => n!.ToString()).ToList() ?? [];

    private sealed class Index(string name)
    {
        public string Name { get; } = name;
        public string Uuid { get; } = Guid.NewGuid().ToString("N")[..22];
        public bool Open { get; set; } = true;
        public Follow? Following { get; init; }
    }

    private sealed record Follow(string Remote, string LeaderIndex)
    {
        public bool Active { get; set; } = true;
    }

    private sealed record Pattern(string Remote, List<string> LeaderPatterns, List<string> ExclusionPatterns, string? FollowPattern, List<string> Seen)
    {
        public bool Active { get; set; } = true;
    }
}
