using System.Globalization;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>Checks a deserialized payload; the first problem found is returned with the field it concerns.</summary>
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
}
