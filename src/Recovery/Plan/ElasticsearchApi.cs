using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Cluster;
using Elastic.Clients.Elasticsearch.CrossClusterReplication;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Transport;
using Elastic.Transport.Products.Elasticsearch;

namespace EsDr.Recovery.Plan;

/// <summary>
/// One Elasticsearch call of a recovery as a typed request of the official client, with the method, path and body
/// the client itself produces for it. <see cref="Send"/> is what the step runner sends.
/// </summary>
internal sealed record TypedElasticsearchCall(
    string Method, string Path, string? Body, Func<ElasticsearchClient, CancellationToken, Task<ElasticsearchResponse>> Send);

/// <summary>
/// The typed calls recovery's plans make, in one place. A plan shows and stores the method, path and body the client
/// renders for each request — rendered offline, through an in-memory transport, so planning sends nothing — and the
/// step runner sends the same typed request: printer and sender share one definition and cannot drift apart.
/// </summary>
internal static class ElasticsearchApi
{
    public const string ExcludeByName = "cluster.routing.allocation.exclude._name";

    // Answers every rendering with an empty, valid Elasticsearch answer; the product header is what a real server sends.
    private static readonly ElasticsearchClient Offline = new(
        new ElasticsearchClientSettings(new InMemoryRequestInvoker(
                Encoding.UTF8.GetBytes("{}"), 200, null, "application/json",
                new Dictionary<string, IEnumerable<string>> { ["x-elastic-product"] = ["Elasticsearch"] }))
            .DisableDirectStreaming());

    public static TypedElasticsearchCall PauseFollow(string index) =>
        Render(async (c, ct) => await c.CrossClusterReplication.PauseFollowAsync(new PauseFollowRequest(index), ct).ConfigureAwait(false));

    public static TypedElasticsearchCall Close(string index) =>
        Render(async (c, ct) => await c.Indices.CloseAsync(new CloseIndexRequest(index), ct).ConfigureAwait(false));

    public static TypedElasticsearchCall Unfollow(string index) =>
        Render(async (c, ct) => await c.CrossClusterReplication.UnfollowAsync(new UnfollowRequest(index), ct).ConfigureAwait(false));

    public static TypedElasticsearchCall Open(string index) =>
        Render(async (c, ct) => await c.Indices.OpenAsync(new OpenIndexRequest(index), ct).ConfigureAwait(false));

    /// <summary>The index setting that makes an index refuse writes (documents, mappings) while reads go on.</summary>
    public const string WriteBlockSetting = "index.blocks.write";

    /// <summary>
    /// Sets <c>index.blocks.write</c> on one index: true fences it (every write is refused with 403
    /// cluster_block_exception; searches, and a follower reading its history, go on), false lets writes in again.
    /// An explicit false, not null: the client leaves a null property out, which would send an empty change.
    /// <c>ignore_unavailable</c>: an index that is gone or closed takes no writes as it is, and a failover must not stall
    /// on it (a re-run would stall the same way); the answer then lists nothing for it.
    /// </summary>
    public static TypedElasticsearchCall WriteBlock(string index, bool blocked) =>
        Render(async (c, ct) => await c.Indices.PutSettingsAsync(
            new PutIndicesSettingsRequest(index, new IndexSettings { Blocks = new IndexSettingBlocks { Write = blocked } })
            {
                IgnoreUnavailable = true,
                RequestConfiguration = WithBodyInCallDetails,
            }, ct).ConfigureAwait(false));

    /// <summary>One persistent cluster setting; null resets it to its default.</summary>
    public static TypedElasticsearchCall PersistentSetting(string key, string? value) =>
        Render(async (c, ct) => await c.Cluster.PutSettingsAsync(
            new PutClusterSettingsRequest
            {
                Persistent = new Dictionary<string, object> { [key] = value! },
                RequestConfiguration = WithBodyInCallDetails,
            }, ct).ConfigureAwait(false));

    // Buffers the request body so that the call details carry it (the audit records the body sent); only for
    // requests that have one, which are small.
    internal static readonly RequestConfiguration WithBodyInCallDetails = new() { DisableDirectStreaming = true };

    /// <summary>
    /// The typed call a planned (possibly stored) call stands for, only when the client renders exactly that method,
    /// path and body today; null otherwise (then the step is sent as planned, through the transport).
    /// </summary>
    public static TypedElasticsearchCall? Matching(string method, string path, string? body)
    {
        var typed = Candidate(method, path, body);
        return typed is not null && typed.Method == method && typed.Path == path && typed.Body == body ? typed : null;
    }

    private static TypedElasticsearchCall? Candidate(string method, string path, string? body)
    {
        var segments = path.Split('?')[0].Trim('/').Split('/');
        var index = segments.Length > 0 ? Uri.UnescapeDataString(segments[0]) : "";
        return (method, segments) switch
        {
            ("POST", [_, "_ccr", "pause_follow"]) => PauseFollow(index),
            ("POST", [_, "_close"]) => Close(index),
            ("POST", [_, "_ccr", "unfollow"]) => Unfollow(index),
            ("POST", [_, "_open"]) => Open(index),
            ("PUT", [_, "_settings"]) when WriteBlockValue(body) is { } blocked => WriteBlock(index, blocked),
            ("PUT", ["_cluster", "settings"]) when SingleStringSetting(body) is { } setting => PersistentSetting(setting.Key, setting.Value),
            _ => null,
        };
    }

    /// <summary>The value of a body that sets <c>index.blocks.write</c> and nothing else, as <see cref="WriteBlock"/> renders it.</summary>
    private static bool? WriteBlockValue(string? body) =>
        body is null ? null
            : WriteBlock("x", true).Body == body ? true
            : WriteBlock("x", false).Body == body ? false
            : null;

    /// <summary><c>{"persistent":{key: "value" | null}}</c> and nothing else.</summary>
    private static KeyValuePair<string, string?>? SingleStringSetting(string? body)
    {
        if (body is null) return null;
        try
        {
            if (JsonNode.Parse(body) is not JsonObject { Count: 1 } root || root["persistent"] is not JsonObject { Count: 1 } persistent) return null;
            var (key, value) = persistent.First();
            if (value is null) return new(key, null);
            return value.GetValueKind() == JsonValueKind.String ? new(key, value.GetValue<string>()) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The typed call with the method, path and body the client renders for it (nothing is sent).</summary>
    internal static TypedElasticsearchCall Render(Func<ElasticsearchClient, CancellationToken, Task<ElasticsearchResponse>> send)
    {
        // The in-memory transport completes at once; nothing leaves the process.
        var details = send(Offline, CancellationToken.None).GetAwaiter().GetResult().ApiCallDetails;
        var body = details.RequestBodyInBytes is { Length: > 0 } bytes ? Encoding.UTF8.GetString(bytes) : null;
        return new TypedElasticsearchCall(details.HttpMethod.ToString().ToUpperInvariant(), details.Uri!.PathAndQuery, body, send);
    }
}
