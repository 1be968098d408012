using System.Text.Json;
using System.Text.Json.Nodes;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>The official examples copied into Examples/ (see its README), read from the repository.</summary>
internal static class SpecExamples
{
    private static readonly string Folder = Path.Combine(ExampleStacks.Root, "tests", "EsDr.Recovery.Tests", "Replication", "Examples");

    public static JsonNode Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file))) ?? throw new InvalidOperationException($"{file} is null");

    public static string Text(string file) => File.ReadAllText(Path.Combine(Folder, file));
}

/// <summary>The JSON kinds the specification's field types allow.</summary>
internal enum FieldType
{
    /// <summary><c>string</c>, <c>IndexName</c>, <c>IndexPattern</c>, <c>Name</c>.</summary>
    String,

    /// <summary><c>IndexPatterns</c> (<c>IndexPattern[]</c>).</summary>
    StringArray,

    /// <summary><c>integer</c>, <c>long</c>.</summary>
    Number,

    /// <summary><c>ByteSize</c> (<c>long | string</c>) and <c>Duration</c> (<c>string | -1 | 0</c>).</summary>
    NumberOrString,

    /// <summary><c>IndexSettings</c>, <c>Dictionary&lt;string, UserDefinedValue&gt;</c>.</summary>
    Object,
}

/// <summary>
/// One request body type of the specification: its fields and their types, its required fields, and the
/// name Elasticsearch's parser gives in its errors.
/// </summary>
internal sealed record BodyShape(string ParserName, IReadOnlyDictionary<string, FieldType> Fields, IReadOnlyList<string> Required)
{
    /// <summary>
    /// Null when <paramref name="body"/> fits; otherwise the status, error type and reason Elasticsearch
    /// answers with: an unknown field or a wrong type is <c>x_content_parse_exception</c>, a missing
    /// required field <c>action_request_validation_exception</c>.
    /// </summary>
    public (int Status, string Type, string Reason)? Check(JsonObject body)
    {
        foreach (var (name, value) in body)
        {
            if (!Fields.TryGetValue(name, out var type))
                return (400, "x_content_parse_exception", $"[1:2] [{ParserName}] unknown field [{name}]");
            if (!Fits(type, value))
                return (400, "x_content_parse_exception", $"[1:2] [{ParserName}] failed to parse field [{name}]");
        }
        var missing = Required.Where(r => body[r] is null).ToList();
        if (missing.Count > 0)
            return (400, "action_request_validation_exception",
                "Validation Failed: " + string.Join("", missing.Select((m, i) => $"{i + 1}: [{m}] is missing;")));
        return null;
    }

    private static bool Fits(FieldType type, JsonNode? value)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        return type switch
        {
            FieldType.String => kind == JsonValueKind.String,
            FieldType.Number => kind == JsonValueKind.Number,
            FieldType.NumberOrString => kind is JsonValueKind.Number or JsonValueKind.String,
            FieldType.Object => kind == JsonValueKind.Object,
            FieldType.StringArray => value is JsonArray a && a.All(e => e?.GetValueKind() == JsonValueKind.String),
            _ => false,
        };
    }
}

/// <summary>
/// The request types the stand-in accepts, field for field from the specification's TypeScript
/// (../shared/es-api-spec at commit 9d9b9a52): anything else is refused as Elasticsearch refuses it.
/// </summary>
internal static class SpecShapes
{
    private const FieldType S = FieldType.String;
    private const FieldType N = FieldType.Number;
    private const FieldType NS = FieldType.NumberOrString;

    /// <summary>The follow parameters shared by put_follow, put_auto_follow_pattern and resume_follow.</summary>
    private static readonly Dictionary<string, FieldType> FollowParameters = new()
    {
        ["max_outstanding_read_requests"] = N,
        ["max_outstanding_write_requests"] = N,
        ["max_read_request_operation_count"] = N,
        ["max_read_request_size"] = NS,
        ["max_retry_delay"] = NS,
        ["max_write_buffer_count"] = N,
        ["max_write_buffer_size"] = NS,
        ["max_write_request_operation_count"] = N,
        ["max_write_request_size"] = NS,
        ["read_poll_timeout"] = NS,
    };

    /// <summary>ccr/follow/CreateFollowIndexRequest.ts, <c>body</c>.</summary>
    public static readonly BodyShape Follow = new("put_follow_request",
        With(FollowParameters, ("data_stream_name", S), ("leader_index", S), ("remote_cluster", S), ("settings", FieldType.Object)),
        ["remote_cluster", "leader_index"]);

    /// <summary>ccr/put_auto_follow_pattern/PutAutoFollowPatternRequest.ts, <c>body</c>.</summary>
    public static readonly BodyShape PutAutoFollowPattern = new("put_auto_follow_pattern_request",
        With(FollowParameters, ("remote_cluster", S), ("follow_index_pattern", S), ("leader_index_patterns", FieldType.StringArray),
            ("leader_index_exclusion_patterns", FieldType.StringArray), ("settings", FieldType.Object)),
        ["remote_cluster"]);

    /// <summary>ccr/resume_follow/ResumeFollowIndexRequest.ts, <c>body?</c>.</summary>
    public static readonly BodyShape ResumeFollow = new("resume_follow_request", FollowParameters, []);

    /// <summary>cluster/put_settings/ClusterPutSettingsRequest.ts, <c>body</c>.</summary>
    public static readonly BodyShape PutClusterSettings = new("cluster_update_settings_request",
        new Dictionary<string, FieldType> { ["persistent"] = FieldType.Object, ["transient"] = FieldType.Object }, []);

    /// <summary>Query parameters every request takes (_types/Base.ts, RequestBase).</summary>
    public static readonly string[] CommonQuery = ["error_trace", "filter_path", "human", "pretty"];

    /// <summary>cat/indices/CatIndicesRequest.ts, with the cat APIs' common format, help and v.</summary>
    public static readonly string[] CatIndicesQuery =
        ["format", "help", "v", "h", "s", "expand_wildcards", "health", "include_unloaded_segments", "pri", "master_timeout"];

    public static readonly string[] ClusterHealthQuery =
        ["expand_wildcards", "level", "local", "master_timeout", "timeout", "wait_for_active_shards", "wait_for_events",
         "wait_for_nodes", "wait_for_no_initializing_shards", "wait_for_no_relocating_shards", "wait_for_status"];

    public static readonly string[] FollowQuery = ["master_timeout", "wait_for_active_shards"];
    public static readonly string[] MasterTimeoutQuery = ["master_timeout"];
    public static readonly string[] ClusterPutSettingsQuery = ["flat_settings", "master_timeout", "timeout"];
    public static readonly string[] LicenseGetQuery = ["accept_enterprise", "local"];
    public static readonly string[] StartTrialQuery = ["acknowledge", "type", "master_timeout"];

    private static Dictionary<string, FieldType> With(Dictionary<string, FieldType> common, params (string Name, FieldType Type)[] more)
    {
        var all = new Dictionary<string, FieldType>(common);
        foreach (var (name, type) in more) all[name] = type;
        return all;
    }
}
