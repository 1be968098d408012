using System.Globalization;
using System.Text;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>
/// Checks a deserialized payload: <see cref="Validate"/> its shape (answered 400), then <see cref="Exceeds"/> the
/// webhook's limits (413). The first problem found is returned with the field it concerns.
/// </summary>
internal static class PayloadValidator
{
    public const string SupportedVersion = "4";

    public static WebhookError? Validate(AlertmanagerPayload? payload)
    {
        if (payload is null)
        {
            return new WebhookError("body must be a JSON object", null);
        }

        if (payload.Version is null)
        {
            return new WebhookError("missing required field", "version");
        }

        if (payload.Version != SupportedVersion)
        {
            return new WebhookError($"unsupported payload version; expected \"{SupportedVersion}\"", "version");
        }

        if (payload.Status is not null && !IsStatus(payload.Status))
        {
            return new WebhookError("must be \"firing\" or \"resolved\"", "status");
        }

        if (payload.Alerts is null || payload.Alerts.Count == 0)
        {
            return new WebhookError("missing or empty", "alerts");
        }

        for (var i = 0; i < payload.Alerts.Count; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"alerts[{i}]");
            var alert = payload.Alerts[i];
            if (alert is null)
            {
                return new WebhookError("must be an object", prefix);
            }

            if (alert.Labels is null || !alert.Labels.TryGetValue("alertname", out var name) || string.IsNullOrWhiteSpace(name))
            {
                return new WebhookError("missing required label", prefix + ".labels.alertname");
            }

            if (string.IsNullOrWhiteSpace(alert.Fingerprint))
            {
                return new WebhookError("missing required field", prefix + ".fingerprint");
            }

            if (alert.Status is null || !IsStatus(alert.Status))
            {
                return new WebhookError("must be \"firing\" or \"resolved\"", prefix + ".status");
            }

            if (alert.StartsAt is null)
            {
                return new WebhookError("missing required field", prefix + ".startsAt");
            }
        }

        return null;
    }

    private static bool IsStatus(string status) => status is "firing" or "resolved";
    /// <summary>The first of <paramref name="limits"/> a valid payload exceeds, with the field it concerns; null when within them.</summary>
    public static WebhookError? Exceeds(AlertmanagerPayload payload, WebhookLimits limits)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(limits);
        var alerts = payload.Alerts!;
        if (alerts.Count > limits.MaxAlertsPerNotification)
        {
            return new WebhookError(
                Invariant($"{alerts.Count} alerts in one notification; at most {limits.MaxAlertsPerNotification} are accepted (set max_alerts: {limits.MaxAlertsPerNotification} in Alertmanager's webhook_config)"),
                "alerts");
        }

        for (var i = 0; i < alerts.Count; i++)
        {
            if (AlertExceeds(payload, alerts[i]!, limits) is { } problem)
            {
                return problem with { Field = Invariant($"alerts[{i}]{problem.Field}") };
            }
        }

        return null;
    }

    /// <summary>
    /// UTF-8 bytes of the text kept of an alert: its label and annotation names and values, fingerprint and
    /// generatorURL, and its notification's groupKey and receiver (each kept alert holds them as long as it lives).
    /// </summary>
    public static long KeptBytes(AlertmanagerPayload payload, AlertmanagerAlert alert)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(alert);
        return Bytes(alert.Fingerprint) + Bytes(alert.GeneratorUrl) + Bytes(alert.Labels) + Bytes(alert.Annotations)
            + Bytes(payload.GroupKey) + Bytes(payload.Receiver);
    }

    /// <summary>What the alert counts against the queue (<see cref="WebhookLimits.Footprint"/>).</summary>
    public static long Footprint(AlertmanagerPayload payload, AlertmanagerAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return WebhookLimits.Footprint(KeptBytes(payload, alert), alert.Labels!.Count + (alert.Annotations?.Count ?? 0));
    }

    private static WebhookError? AlertExceeds(AlertmanagerPayload payload, AlertmanagerAlert alert, WebhookLimits limits)
    {
        if (alert.Fingerprint!.Length > limits.MaxFingerprintLength)
        {
            return new WebhookError(Invariant($"longer than {limits.MaxFingerprintLength} characters"), ".fingerprint");
        }

        if (alert.Labels!.Count > limits.MaxPairsPerAlert)
        {
            return new WebhookError(Invariant($"{alert.Labels.Count} labels; at most {limits.MaxPairsPerAlert}"), ".labels");
        }

        if (alert.Annotations?.Count > limits.MaxPairsPerAlert)
        {
            return new WebhookError(Invariant($"{alert.Annotations.Count} annotations; at most {limits.MaxPairsPerAlert}"), ".annotations");
        }

        var bytes = KeptBytes(payload, alert);
        return bytes > limits.MaxAlertBytes
            ? new WebhookError(Invariant($"{bytes} bytes of labels, annotations, fingerprint, generatorURL, groupKey and receiver; at most {limits.MaxAlertBytes}"), "")
            : null;
    }

    private static long Bytes(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);

    private static long Bytes(IReadOnlyDictionary<string, string>? pairs) =>
        pairs is null ? 0 : pairs.Sum(p => Bytes(p.Key) + Bytes(p.Value));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
