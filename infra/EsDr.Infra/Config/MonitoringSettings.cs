namespace EsDr.Infra.Config;

/// <summary>
/// <c>es-dr:monitoring</c>: one monitoring host (Prometheus, Alertmanager and the exporters) in a location
/// of its own, outside every Elasticsearch region, so it sees a region's loss instead of sharing it.
/// Alertmanager posts every alert to <see cref="WebhookUrl"/> with the secret <c>es-dr:alertWebhookToken</c>, and
/// Prometheus scrapes the recovery program's <c>/metrics</c> beside it (<c>Renderers.Monitoring.RecoveryScrape</c>).
/// </summary>
/// <param name="Zone">The availability zone of the host's subnet (AWS only).</param>
/// <param name="AlertmanagerUrl">
/// Where the recovery program reads Alertmanager's active alerts (<c>GET /api/v2/alerts</c>); the compiler emits
/// nothing from it. Default <see cref="MonitoringDefaults.AlertmanagerUrl"/>: recovery runs on the monitoring host.
/// </param>
public sealed record MonitoringSettings(
    Cloud Cloud,
    string Location,
    string Size,
    string? Image,
    string? Zone,
    string NetworkCidr,
    string WebhookUrl,
    string AlertmanagerUrl,
    MonitoringThresholds Thresholds);

/// <summary>
/// <c>monitoring.alerts</c>: how bad and for how long before an alert fires. Durations are Prometheus
/// durations (<c>90s</c>, <c>5m</c>, <c>1h</c>); null keeps the renderer's default.
/// </summary>
public sealed record MonitoringThresholds(
    TimeSpan? RedFor = null,
    TimeSpan? YellowFor = null,
    TimeSpan? NodesMissingFor = null,
    long? CcrLagOperations = null,
    TimeSpan? CcrLagFor = null,
    int? ReplicaLagSeconds = null,
    TimeSpan? ReplicaLagFor = null,
    TimeSpan? ProbeFor = null);

/// <summary>Fixed facts of the monitoring host that config does not choose.</summary>
public static class MonitoringDefaults
{
    public const int PrometheusPort = 9090;
    public const int AlertmanagerPort = 9093;

    /// <summary>
    /// Where the recovery program reads Alertmanager's API unless <c>monitoring.alertmanagerUrl</c> says otherwise:
    /// the monitoring host's own Alertmanager, from the host itself (its public port admits only <c>ssh.allowedCidrs</c>).
    /// </summary>
    public static readonly string AlertmanagerUrl = $"http://127.0.0.1:{AlertmanagerPort}";

    /// <summary>
    /// The most alerts Alertmanager puts in one notification to the recovery webhook (<c>max_alerts</c>), which is
    /// also the most the webhook accepts: a larger group arrives truncated rather than refused.
    /// </summary>
    public const int WebhookMaxAlerts = 1000;
}
