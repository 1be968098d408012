using EsDr.Infra.Renderers.Monitoring;

namespace EsDr.Infra.Tests.Renderers.Monitoring;

/// <summary>Monitoring renderer inputs shared by the tests. Each call builds fresh instances.</summary>
internal static class MonitoringSamples
{
    public const string BearerToken = "s3cr3t-webhook-token-Zq81";

    /// <summary>Three regions; ams runs five nodes, so two node-count rules are rendered.</summary>
    public static MonitoredCluster[] Clusters() =>
    [
        new("fra", "fra-es", 9114, 3),
        new("ams", "ams-es", 9116, 5),
        new("lon", "lon-es", 9117, 3),
    ];

    public static PrometheusSettings Prometheus(string ruleFile) => new(
        Clusters: Clusters(),
        Databases:
        [
            new("fra", DatabaseRole.Primary, "10.0.0.20:9104"),
            new("ams", DatabaseRole.Replica, "10.1.0.20:9104"),
        ],
        Probes:
        [
            new("fra", "https://search-fra.example.com:9200/_cluster/health?wait_for_status=yellow&timeout=1s"),
            new("ams", "https://search-ams.example.com:9200/_cluster/health?wait_for_status=yellow&timeout=1s"),
            new("ams", "https://app-ams.example.com/healthz"),
        ],
        RuleFilePath: ruleFile,
        Recovery: RecoveryScrape.Beside(WebhookUrl));

    /// <summary>The recovery program's alert endpoint, as <c>monitoring.webhookUrl</c> gives it.</summary>
    public const string WebhookUrl = "https://recovery.example.com/alerts";

    /// <summary>Thresholds the promtool unit tests are written against (deliberately not the defaults).</summary>
    public static AlertThresholds Thresholds() => new()
    {
        RedFor = TimeSpan.FromMinutes(2),
        YellowFor = TimeSpan.FromMinutes(30),
        NodesMissingFor = TimeSpan.FromMinutes(5),
        CcrLagOperations = 1000,
        CcrLagFor = TimeSpan.FromMinutes(5),
        CcrFatalFor = TimeSpan.FromMinutes(1),
        ReplicaLagSeconds = 30,
        ReplicaLagFor = TimeSpan.FromMinutes(2),
        ReplicaThreadFor = TimeSpan.FromMinutes(1),
        ProbeFor = TimeSpan.FromMinutes(1),
    };

    public static string Rules() => AlertRules.Render(Clusters(), Thresholds());

    public static AlertmanagerSettings Alertmanager() =>
        new("https://recovery.internal.example.com:9095/alerts", "/etc/prometheus/alertmanager/recovery.token");
}
