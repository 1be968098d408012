using YamlDotNet.RepresentationModel;
using static EsDr.Infra.Renderers.Monitoring.MonitoringLabels;

namespace EsDr.Infra.Renderers.Monitoring;

/// <summary>Where Alertmanager sends every alert: the recovery program's webhook.</summary>
/// <param name="WebhookUrl">The recovery program's alert endpoint.</param>
/// <param name="CredentialsFile">
/// File holding the bearer token the webhook requires. The caller writes the (secret) token there;
/// only the path is rendered, so alertmanager.yml itself carries no secret.
/// </param>
public sealed record AlertmanagerSettings(string WebhookUrl, string CredentialsFile)
{
    /// <summary>Short: the first notification of a new failure should reach recovery quickly.</summary>
    public TimeSpan GroupWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How soon changes to an already notified group (new or resolved alerts) are sent.</summary>
    public TimeSpan GroupInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Re-sends still-firing alerts, so a restarted recovery program learns the current state.</summary>
    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Renders alertmanager.yml: a single route to the recovery webhook, grouped per alert, region,
/// cluster and scrape target so each cluster's or target's trouble arrives as its own notification, and
/// resolved alerts are sent too so recovery can see a problem clear.
/// </summary>
public static class AlertmanagerConfig
{
    public const string ReceiverName = "esdr-recovery";

    // The target (job, instance) too: alerts without a cluster label (a lost mysqld_exporter or blackbox target) of
    // one region otherwise shared a group, and a second lost target waited group_interval (1m) behind the first
    // instead of group_wait (10s) — delivered 137 s after the fault in the real-chain test.
    internal static readonly string[] GroupBy = ["alertname", Region, Cluster, "job", "instance"];

    public static string Render(AlertmanagerSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);

        return Yaml.Serialize(Yaml.Map(
        [
            Yaml.Entry("route", Yaml.Map(
            [
                Yaml.Entry("receiver", Yaml.Str(ReceiverName)),
                Yaml.Entry("group_by", Yaml.List(GroupBy)),
                Yaml.Entry("group_wait", Yaml.Str(PromDuration.Format(s.GroupWait))),
                Yaml.Entry("group_interval", Yaml.Str(PromDuration.Format(s.GroupInterval))),
                Yaml.Entry("repeat_interval", Yaml.Str(PromDuration.Format(s.RepeatInterval))),
            ])),
            Yaml.Entry("receivers", Yaml.List([Receiver(s)])),
            Yaml.Entry("inhibit_rules", Yaml.List([RedInhibitsYellow()])),
        ]));
    }

    private static YamlMappingNode Receiver(AlertmanagerSettings s) => Yaml.Map(
    [
        Yaml.Entry("name", Yaml.Str(ReceiverName)),
        Yaml.Entry("webhook_configs", Yaml.List(
        [
            Yaml.Map(
            [
                Yaml.Entry("url", Yaml.Str(s.WebhookUrl)),
                Yaml.Entry("send_resolved", Yaml.Bool(true)),
                // The receiver refuses a larger notification (413); truncated, the group still arrives (webhook.go truncateAlerts).
                Yaml.Entry("max_alerts", Yaml.Int(EsDr.Infra.Config.MonitoringDefaults.WebhookMaxAlerts)),
                Yaml.Entry("http_config", Yaml.Map(
                [
                    Yaml.Entry("authorization", Yaml.Map(
                    [
                        Yaml.Entry("type", Yaml.Str("Bearer")),
                        Yaml.Entry("credentials_file", Yaml.Str(s.CredentialsFile)),
                    ])),
                ])),
            ]),
        ])),
    ]);

    /// <summary>A red cluster is already being handled; its yellow-too-long alert would only be noise.</summary>
    private static YamlMappingNode RedInhibitsYellow() => Yaml.Map(
    [
        Yaml.Entry("source_matchers", Yaml.List([$"alertname=\"{AlertRules.ElasticsearchClusterRed}\""])),
        Yaml.Entry("target_matchers", Yaml.List([$"alertname=\"{AlertRules.ElasticsearchClusterYellowTooLong}\""])),
        Yaml.Entry("equal", Yaml.List([Region, Cluster])),
    ]);
}
