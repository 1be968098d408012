using System.Text.Json.Serialization;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>
/// Alertmanager's webhook body, version 4
/// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
/// Every member is nullable so that validation, not deserialization, names what is missing.
/// </summary>
internal sealed record AlertmanagerPayload(
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("groupKey")] string? GroupKey,
    [property: JsonPropertyName("truncatedAlerts")] int? TruncatedAlerts,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("receiver")] string? Receiver,
    [property: JsonPropertyName("groupLabels")] IReadOnlyDictionary<string, string>? GroupLabels,
    [property: JsonPropertyName("commonLabels")] IReadOnlyDictionary<string, string>? CommonLabels,
    [property: JsonPropertyName("commonAnnotations")] IReadOnlyDictionary<string, string>? CommonAnnotations,
    [property: JsonPropertyName("externalURL")] string? ExternalUrl,
    [property: JsonPropertyName("alerts")] IReadOnlyList<AlertmanagerAlert?>? Alerts);

/// <summary>One alert of a version-4 payload.</summary>
internal sealed record AlertmanagerAlert(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string>? Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset? StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset? EndsAt,
    [property: JsonPropertyName("generatorURL")] string? GeneratorUrl,
    [property: JsonPropertyName("fingerprint")] string? Fingerprint);

/// <summary>A validated alert handed to the background pipeline.</summary>
internal sealed record AlertReceived(
    string Fingerprint,
    string AlertName,
    string Status,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    string? GeneratorUrl,
    string? GroupKey,
    string? Receiver,
    DateTimeOffset ReceivedAt);

/// <summary>The body of every 4xx/5xx answer: what is wrong and, where known, which field.</summary>
internal sealed record WebhookError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("field")] string? Field);

/// <summary>The body of a 202 answer.</summary>
internal sealed record WebhookAccepted(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("alerts")] int Alerts,
    [property: JsonPropertyName("enqueued")] int Enqueued);

// Duplicate keys are refused (400), not resolved last-wins: Alertmanager's encoder never writes them, and two
// "status" or "alertname" members would let the same body mean different things to different readers.
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(AlertmanagerPayload))]
[JsonSerializable(typeof(WebhookError))]
[JsonSerializable(typeof(WebhookAccepted))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
