using System.Globalization;
using YamlDotNet.RepresentationModel;
using static EsDr.Infra.Renderers.Monitoring.MonitoringLabels;

namespace EsDr.Infra.Renderers.Monitoring;

/// <summary>
/// Where Prometheus scrapes the recovery program's <c>/metrics</c>, which exposes the CCR series
/// (<see cref="AlertRules.CcrLagMetric"/>, <see cref="AlertRules.CcrFatalMetric"/>) no exporter provides: beside its
/// alert endpoint. <c>watch</c> and <c>serve</c> serve <c>POST /alerts</c> and <c>GET /metrics</c> on one listener
/// (<c>--listen</c>), so the origin Alertmanager posts to serves the metrics at the sibling path, through the same TLS
/// terminator and trusted the same way (Alertmanager's webhook and this job both verify it against the system's CAs).
/// <c>/metrics</c> needs no token.
/// </summary>
/// <param name="Scheme">The webhook URL's scheme: <c>https</c> for every stack (a config rule).</param>
/// <param name="Address">host:port, the port always written (443 when the URL leaves it out).</param>
/// <param name="MetricsPath">The webhook path's last segment replaced by <c>metrics</c>: <c>/alerts</c> → <c>/metrics</c>.</param>
public sealed record RecoveryScrape(string Scheme, string Address, string MetricsPath)
{
    public const string MetricsSegment = "metrics";

    /// <summary>The scrape beside <paramref name="webhookUrl"/>, e.g. <c>https://r.example.com/alerts</c> → https, r.example.com:443, /metrics.</summary>
    public static RecoveryScrape Beside(string webhookUrl)
    {
        ArgumentNullException.ThrowIfNull(webhookUrl);
        if (!Uri.TryCreate(webhookUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            throw new ArgumentException($"the recovery webhook URL '{webhookUrl}' is not an http(s) URL", nameof(webhookUrl));
        // A trailing slash still names the alert endpoint (/alerts/ is routed as /alerts), not a folder of it.
        var path = uri.AbsolutePath.TrimEnd('/');
        var metricsPath = path[..(path.LastIndexOf('/') + 1)] + MetricsSegment;
        return new RecoveryScrape(uri.Scheme, $"{uri.Host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}", metricsPath);
    }
}

/// <summary>What the monitoring host's Prometheus scrapes and where its rules and Alertmanager are.</summary>
/// <param name="RuleFilePath">The file <see cref="AlertRules.Render"/> is written to.</param>
/// <param name="Recovery">Where the recovery program's <c>/metrics</c> is scraped (<see cref="RecoveryScrape.Beside"/>).</param>
public sealed record PrometheusSettings(
    IReadOnlyList<MonitoredCluster> Clusters,
    IReadOnlyList<MonitoredDatabase> Databases,
    IReadOnlyList<ProbeEndpoint> Probes,
    string RuleFilePath,
    RecoveryScrape Recovery)
{
    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>blackbox_exporter on the monitoring host.</summary>
    public string BlackboxAddress { get; init; } = "127.0.0.1:9115";

    /// <summary>
    /// The blackbox module probing <see cref="ProbeEndpoint.Url"/>: an HTTP module that expects 2xx and
    /// trusts the stack's CA (defined in blackbox.yml, not here).
    /// </summary>
    public string ProbeModule { get; init; } = "http_2xx";
}

/// <summary>
/// Renders prometheus.yml: global intervals, the rules file, the local Alertmanager, then one job per
/// kind of target (Prometheus itself, elasticsearch_exporter, mysqld_exporter, blackbox probes, the
/// recovery program), each target group carrying the labels the alert rules and routing rely on.
/// </summary>
public static class PrometheusConfig
{
    /// <summary>Alertmanager runs beside Prometheus on the monitoring host.</summary>
    public const string AlertmanagerAddress = "localhost:9093";

    internal const string SelfAddress = "localhost:9090";
    internal const string BlackboxMetricsPath = "/probe";

    public static string Render(PrometheusSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        Validate(s);

        return Yaml.Serialize(Yaml.Map(
        [
            Yaml.Entry("global", Yaml.Map(
            [
                Yaml.Entry("scrape_interval", Yaml.Str(PromDuration.Format(s.ScrapeInterval))),
                Yaml.Entry("evaluation_interval", Yaml.Str(PromDuration.Format(s.EvaluationInterval))),
            ])),
            Yaml.Entry("rule_files", Yaml.List([s.RuleFilePath])),
            Yaml.Entry("alerting", Yaml.Map(
            [
                Yaml.Entry("alertmanagers", Yaml.List([StaticConfigs(Group(AlertmanagerAddress))])),
            ])),
            Yaml.Entry("scrape_configs", Yaml.List(
            [
                Job(PrometheusJob, [Group(SelfAddress)]),
                Elasticsearch(s.Clusters),
                Mysqld(s.Databases),
                Blackbox(s),
                Recovery(s.Recovery),
            ])),
        ]));
    }

    /// <summary>
    /// One job, one target group per cluster (job names must be unique). The exporter reports no node
    /// count target, so the expected count rides along as a label for the alert to select on.
    /// <c>honor_labels</c>: the exporter labels its cluster series <c>cluster</c> with the name Elasticsearch reports
    /// (the stack's cluster name, <c>cluster.name</c>), and that label is kept as it is instead of being renamed
    /// <c>exported_cluster</c> under the target's; the target's <c>cluster</c> labels the series that carry none
    /// (<c>up</c>, <c>elasticsearch_cluster_health_up</c>), so every alert of a cluster names it by one label.
    /// The exporter sets no other label the targets set (region, expected_nodes, job, instance).
    /// </summary>
    private static YamlMappingNode Elasticsearch(IReadOnlyList<MonitoredCluster> clusters) =>
        Job(ElasticsearchJob, clusters.Select(c => Group(
            $"127.0.0.1:{Num(c.ExporterPort)}",
            (Region, c.Region),
            (Cluster, c.ClusterName),
            (ExpectedNodes, Num(c.ExpectedNodes)))),
            [Yaml.Entry("honor_labels", Yaml.Bool(true))]);

    /// <summary>The recovery program's <c>/metrics</c>, beside its webhook: that URL's scheme, host:port and sibling path.</summary>
    private static YamlMappingNode Recovery(RecoveryScrape r) =>
        Job(RecoveryJob, [Group(r.Address)],
        [
            Yaml.Entry("scheme", Yaml.Str(r.Scheme)),
            Yaml.Entry("metrics_path", Yaml.Str(r.MetricsPath)),
        ]);

    private static YamlMappingNode Mysqld(IReadOnlyList<MonitoredDatabase> databases) =>
        Job(MysqldJob, databases.Select(d => Group(d.ExporterAddress, (Region, d.Region), (Role, RoleValue(d.Role)))));

    /// <summary>
    /// The standard blackbox pattern: the configured URL becomes the probe's <c>target</c> parameter and
    /// the <c>instance</c> label, and the scrape itself goes to the exporter. An HTTP probe of the health
    /// URL rather than tcp_connect, because it sees what clients see: a listening balancer in front of a
    /// red or masterless cluster still accepts TCP connections.
    /// </summary>
    private static YamlMappingNode Blackbox(PrometheusSettings s) =>
        Job(BlackboxJob, s.Probes.Select(p => Group(p.Url, (Region, p.Region))),
        [
            Yaml.Entry("metrics_path", Yaml.Str(BlackboxMetricsPath)),
            Yaml.Entry("params", Yaml.Map([Yaml.Entry("module", Yaml.List([s.ProbeModule]))])),
            Yaml.Entry("relabel_configs", Yaml.List(
            [
                Relabel(source: "__address__", target: "__param_target"),
                Relabel(source: "__param_target", target: Instance),
                Yaml.Map([Yaml.Entry("target_label", Yaml.Str("__address__")), Yaml.Entry("replacement", Yaml.Str(s.BlackboxAddress))]),
            ])),
        ]);

    private static YamlMappingNode Relabel(string source, string target) => Yaml.Map(
    [
        Yaml.Entry("source_labels", Yaml.List([source])),
        Yaml.Entry("target_label", Yaml.Str(target)),
    ]);

    private static YamlMappingNode Job(
        string name,
        IEnumerable<YamlMappingNode> groups,
        IEnumerable<KeyValuePair<string, YamlNode>>? extra = null) =>
        Yaml.Map(
            new[] { Yaml.Entry("job_name", Yaml.Str(name)) }
                .Concat(extra ?? [])
                .Append(Yaml.Entry("static_configs", Yaml.List(groups))));

    private static YamlMappingNode StaticConfigs(YamlMappingNode group) =>
        Yaml.Map([Yaml.Entry("static_configs", Yaml.List([group]))]);

    private static YamlMappingNode Group(string target, params (string Name, string Value)[] labels)
    {
        var entries = new List<KeyValuePair<string, YamlNode>> { Yaml.Entry("targets", Yaml.List([target])) };
        if (labels.Length > 0)
        {
            entries.Add(Yaml.Entry("labels", Yaml.Map(labels.Select(l => Yaml.Entry(l.Name, Yaml.Str(l.Value))))));
        }
        return Yaml.Map(entries);
    }

    private static void Validate(PrometheusSettings s)
    {
        // Each cluster's exporter needs its own port on the one monitoring host.
        var clashingPort = s.Clusters.GroupBy(c => c.ExporterPort).FirstOrDefault(g => g.Count() > 1);
        if (clashingPort is not null)
        {
            throw new ArgumentException($"Exporter port {Num(clashingPort.Key)} is used by more than one cluster.", nameof(s));
        }
        foreach (var c in s.Clusters)
        {
            if (c.ExporterPort is < 1 or > 65535)
            {
                throw new ArgumentException($"Cluster {c.ClusterName}: exporter port {Num(c.ExporterPort)} is not a TCP port.", nameof(s));
            }
            if (c.ExpectedNodes < 1)
            {
                throw new ArgumentException($"Cluster {c.ClusterName}: expected nodes must be at least 1.", nameof(s));
            }
        }
        var repeated = s.Clusters.GroupBy(c => c.ClusterName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new ArgumentException($"Cluster {repeated.Key} is listed more than once.", nameof(s));
        }
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
