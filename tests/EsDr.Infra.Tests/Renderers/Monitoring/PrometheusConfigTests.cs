using EsDr.Infra.Renderers.Monitoring;
using YamlDotNet.RepresentationModel;
using static EsDr.Infra.Tests.Renderers.Monitoring.MonitoringSamples;

namespace EsDr.Infra.Tests.Renderers.Monitoring;

public class PrometheusConfigTests
{
    private static YamlMappingNode Root(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Job(string config, string name) =>
        ((YamlSequenceNode)Root(config)["scrape_configs"]).Cast<YamlMappingNode>()
            .Single(j => ((YamlScalarNode)j["job_name"]).Value == name);

    /// <summary>Each static target group as (target, labels).</summary>
    private static (string Target, Dictionary<string, string> Labels)[] Groups(YamlMappingNode job) =>
        ((YamlSequenceNode)job["static_configs"]).Cast<YamlMappingNode>().Select(g => (
            ((YamlScalarNode)((YamlSequenceNode)g["targets"]).Single()).Value!,
            g.Children.ContainsKey("labels")
                ? ((YamlMappingNode)g["labels"]).Children.ToDictionary(l => ((YamlScalarNode)l.Key).Value!, l => ((YamlScalarNode)l.Value).Value!)
                : [])).ToArray();

    [Fact]
    public async Task Render_WithItsRulesBeside_PassesPromtoolCheckConfig()
    {
        using var dir = new TempDir();
        var rules = dir.Write("esdr.rules.yml", Rules());
        var config = dir.Write("prometheus.yml", PrometheusConfig.Render(Prometheus(rules)));

        var (exitCode, output) = await RealTool.RunAsync("promtool", "check", "config", config);

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 1 rule files found", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EachCluster_IsScrapedThroughItsOwnExporterWithItsExpectedNodeCount()
    {
        var groups = Groups(Job(PrometheusConfig.Render(Prometheus("r.yml")), "elasticsearch"));

        Assert.Equal(
            [
                ("127.0.0.1:9114", new Dictionary<string, string> { ["region"] = "fra", ["cluster"] = "fra-es", ["expected_nodes"] = "3" }),
                ("127.0.0.1:9116", new Dictionary<string, string> { ["region"] = "ams", ["cluster"] = "ams-es", ["expected_nodes"] = "5" }),
                ("127.0.0.1:9117", new Dictionary<string, string> { ["region"] = "lon", ["cluster"] = "lon-es", ["expected_nodes"] = "3" }),
            ],
            groups);
    }

    [Fact]
    public void Render_EachDatabase_CarriesItsRegionAndRole()
    {
        var groups = Groups(Job(PrometheusConfig.Render(Prometheus("r.yml")), "mysqld"));

        Assert.Equal(
            [
                ("10.0.0.20:9104", new Dictionary<string, string> { ["region"] = "fra", ["role"] = "primary" }),
                ("10.1.0.20:9104", new Dictionary<string, string> { ["region"] = "ams", ["role"] = "replica" }),
            ],
            groups);
    }

    [Fact]
    public void Render_Probes_GoThroughBlackboxWithTheUrlAsTargetAndInstance()
    {
        var job = Job(PrometheusConfig.Render(Prometheus("r.yml")), "blackbox");

        Assert.Equal("/probe", ((YamlScalarNode)job["metrics_path"]).Value);
        Assert.Equal("http_2xx", ((YamlScalarNode)((YamlSequenceNode)((YamlMappingNode)job["params"])["module"]).Single()).Value);
        var relabels = ((YamlSequenceNode)job["relabel_configs"]).Cast<YamlMappingNode>()
            .Select(r => string.Join(" ", r.Children.Select(c => $"{c.Key}={(c.Value is YamlSequenceNode s ? string.Join(",", s) : c.Value)}")))
            .ToArray();
        Assert.Equal(
            [
                "source_labels=__address__ target_label=__param_target",
                "source_labels=__param_target target_label=instance",
                "target_label=__address__ replacement=127.0.0.1:9115",
            ],
            relabels);
        Assert.Equal(3, Groups(job).Length);
        Assert.Equal(["fra", "ams", "ams"], Groups(job).Select(g => g.Labels["region"]));
        Assert.StartsWith("https://search-fra.example.com:9200/_cluster/health?wait_for_status=yellow", Groups(job)[0].Target, StringComparison.Ordinal);
    }

    /// <summary>
    /// watch and serve answer POST /alerts and GET /metrics on one listener, so Prometheus scrapes the origin
    /// Alertmanager posts to — scheme, host and port (written out), the alert path's sibling — and nothing else.
    /// </summary>
    [Theory]
    [InlineData("https://recovery.example.com/alerts", "https", "recovery.example.com:443", "/metrics")]
    [InlineData("https://recovery.example.com:9095/alerts", "https", "recovery.example.com:9095", "/metrics")]
    [InlineData("https://ops.example.com/esdr/alerts/", "https", "ops.example.com:443", "/esdr/metrics")]
    [InlineData("http://127.0.0.1:9095/alerts", "http", "127.0.0.1:9095", "/metrics")]
    public void Render_RecoveryJob_ScrapesMetricsBesideTheWebhook_WithItsSchemeHostAndPort(string webhookUrl, string scheme, string target, string path)
    {
        var job = Job(PrometheusConfig.Render(Prometheus("r.yml") with { Recovery = RecoveryScrape.Beside(webhookUrl) }), "esdr_recovery");

        Assert.Equal(scheme, ((YamlScalarNode)job["scheme"]).Value);
        Assert.Equal(target, Groups(job).Single().Target);
        Assert.Equal(path, ((YamlScalarNode)job["metrics_path"]).Value);
        Assert.Empty(Groups(job).Single().Labels); // the daemon's series carry their own region and cluster
    }

    /// <summary>
    /// The same TLS as the webhook: the daemon serves plain HTTP behind the terminator the webhook URL names, and
    /// Alertmanager's webhook verifies that terminator against the system's CAs (no tls_config); so does the scrape.
    /// A ca_file (the stack CA) would replace those CAs and refuse the terminator's certificate. /metrics takes no token.
    /// </summary>
    [Fact]
    public void Render_RecoveryJob_TrustsTheTerminatorAsAlertmanagersWebhookDoes_AndSendsNoToken()
    {
        var job = Job(PrometheusConfig.Render(Prometheus("r.yml")), "esdr_recovery");
        var webhook = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)Root(AlertmanagerConfig.Render(
            new AlertmanagerSettings(WebhookUrl, "/etc/prometheus/alertmanager-webhook.token")))["receivers"])[0])["webhook_configs"])[0];

        Assert.False(((YamlMappingNode)webhook["http_config"]).Children.ContainsKey("tls_config"));
        Assert.Equal(
            ["job_name", "scheme", "metrics_path", "static_configs"],
            job.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
    }

    /// <summary>
    /// elasticsearch_exporter labels its cluster series with the cluster's own name (<c>cluster</c>), the same name the
    /// target label gives; honoured, the series keep one <c>cluster</c> label instead of a renamed <c>exported_cluster</c>.
    /// </summary>
    [Fact]
    public void Render_ElasticsearchJob_HonoursTheExportersClusterLabel_SoNoExportedClusterAppears()
    {
        var job = Job(PrometheusConfig.Render(Prometheus("r.yml")), "elasticsearch");

        Assert.Equal("true", ((YamlScalarNode)job["honor_labels"]).Value);
    }

    [Theory]
    [InlineData("recovery.example.com/alerts")]
    [InlineData("ftp://recovery.example.com/alerts")]
    public void RecoveryScrape_BesideAnythingButAnHttpUrl_Throws(string webhookUrl) =>
        Assert.Throws<ArgumentException>(() => RecoveryScrape.Beside(webhookUrl));

    [Fact]
    public void Render_SendsAlertsToTheLocalAlertmanagerAndLoadsTheRules()
    {
        var config = PrometheusConfig.Render(Prometheus("/etc/prometheus/esdr.rules.yml"));

        Assert.Contains("rule_files:\n  - \"/etc/prometheus/esdr.rules.yml\"\n", config, StringComparison.Ordinal);
        Assert.Contains("alertmanagers:\n    - static_configs:\n        - targets:\n            - \"localhost:9093\"\n", config, StringComparison.Ordinal);
        Assert.Contains("  scrape_interval: \"15s\"\n  evaluation_interval: \"15s\"\n", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LiteralInputs_NeverContainPulumiInterpolation() =>
        Assert.DoesNotContain("${", PrometheusConfig.Render(Prometheus("r.yml")), StringComparison.Ordinal);

    [Fact]
    public void Render_PulumiReferenceInAnAddress_IsPlacedVerbatim()
    {
        var settings = Prometheus("r.yml") with { Databases = [new("ams", DatabaseRole.Replica, "${ams-db-1.privateIp}:9104")] };

        Assert.Equal("${ams-db-1.privateIp}:9104", Groups(Job(PrometheusConfig.Render(settings), "mysqld")).Single().Target);
    }

    [Fact]
    public void Render_TwoClustersOnOneExporterPort_Throws()
    {
        var settings = Prometheus("r.yml") with { Clusters = [new("fra", "fra-es", 9114, 3), new("ams", "ams-es", 9114, 3)] };

        Assert.Contains("9114", Assert.Throws<ArgumentException>(() => PrometheusConfig.Render(settings)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(70000, 3)]
    [InlineData(9114, 0)]
    public void Render_ImpossibleCluster_Throws(int port, int expectedNodes) =>
        Assert.Throws<ArgumentException>(() => PrometheusConfig.Render(Prometheus("r.yml") with { Clusters = [new("fra", "fra-es", port, expectedNodes)] }));
}
