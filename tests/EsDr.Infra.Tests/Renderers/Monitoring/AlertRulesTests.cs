using System.Text.RegularExpressions;
using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Monitoring;
using YamlDotNet.RepresentationModel;
using static EsDr.Infra.Tests.Renderers.Monitoring.MonitoringSamples;

namespace EsDr.Infra.Tests.Renderers.Monitoring;

public partial class AlertRulesTests
{
    private const string RuleFile = "esdr.rules.yml";

    public static TheoryData<string> CaseNames => new(AlertCases.All.Keys);

    public static TheoryData<string> AlertNames => new(AlertRules.AlertNames);

    [Fact]
    public async Task Render_PassesPromtoolCheckRules()
    {
        using var dir = new TempDir();
        var rules = dir.Write(RuleFile, Rules());

        var (exitCode, output) = await RealTool.RunAsync("promtool", "check", "rules", rules);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"SUCCESS: {AlertRules.AlertNames.Count} rules found", output, StringComparison.Ordinal);
    }

    /// <summary>The heart of the monitoring tests: promtool evaluates the rendered rules over time.</summary>
    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Render_PromtoolUnitTest_FiresExactlyWhenItShould(string caseName)
    {
        var rules = Rules();
        using var dir = new TempDir();
        dir.Write(RuleFile, rules);
        var test = dir.Write("test.yml", UnitTest(AlertCases.All[caseName], rules));

        var (exitCode, output) = await RealTool.RunAsync("promtool", "test", "rules", test);

        Assert.True(exitCode == 0, $"{caseName}\n{File.ReadAllText(test)}\n{output}");
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void EveryAlert_HasAFiringAndASilentCase(string alert)
    {
        var cases = AlertCases.All.Values.Where(c => c.Alert == alert).ToList();

        Assert.Contains(cases, c => c.Fires);
        Assert.Contains(cases, c => !c.Fires);
    }

    [Theory]
    [MemberData(nameof(AlertNames))]
    public void EveryAlert_HasASeverityAndSaysWhatItMeansAndWhatRecoveryDoes(string alert)
    {
        var rule = Assert.Single(RenderedRules(Rules()), r => Scalar(r, "alert") == alert);

        Assert.Contains(Scalar((YamlMappingNode)rule["labels"], "severity"), new[] { AlertRules.Critical, AlertRules.Warning });
        var annotations = (YamlMappingNode)rule["annotations"];
        Assert.False(string.IsNullOrWhiteSpace(Scalar(annotations, "summary")));
        Assert.Contains("Recovery", Scalar(annotations, "description"), StringComparison.Ordinal);
        Assert.NotEqual("0s", Scalar(rule, "for"));
    }

    [Fact]
    public void Render_Expressions_UseTheExportersMetricNamesAndTheThresholds()
    {
        var expressions = RenderedRules(Rules()).ToDictionary(r => Scalar(r, "alert"), r => Scalar(r, "expr"));

        Assert.Equal(
            new Dictionary<string, string>
            {
                [AlertRules.ElasticsearchClusterRed] = "elasticsearch_cluster_health_status{color=\"red\"} == 1",
                [AlertRules.ElasticsearchClusterYellowTooLong] = "elasticsearch_cluster_health_status{color=\"yellow\"} == 1",
                [AlertRules.ElasticsearchFewerNodesThanExpected] =
                    "elasticsearch_cluster_health_number_of_nodes{expected_nodes=\"3\"} < 3 or elasticsearch_cluster_health_number_of_nodes{expected_nodes=\"5\"} < 5",
                [AlertRules.CcrLagTooHigh] = "esdr_ccr_follower_lag_operations > 1000",
                [AlertRules.CcrFatalError] = "esdr_ccr_fatal_errors > 0",
                [AlertRules.MysqlReplicaLagTooHigh] = "mysql_slave_status_seconds_behind_master > 30 or mysql_slave_status_seconds_behind_source > 30",
                [AlertRules.MysqlReplicaIoThreadStopped] = "mysql_slave_status_slave_io_running == 0 or mysql_slave_status_replica_io_running == 0",
                [AlertRules.MysqlReplicaSqlThreadStopped] = "mysql_slave_status_slave_sql_running == 0 or mysql_slave_status_replica_sql_running == 0",
                [AlertRules.EndpointProbeDown] = "probe_success == 0",
                [AlertRules.ScrapeTargetDown] = "up == 0",
                [AlertRules.ElasticsearchClusterUnreachable] = "elasticsearch_cluster_health_up == 0",
                [AlertRules.MysqlServerUnreachable] = "mysql_up == 0",
                [AlertRules.MysqlReplicaStatusMissing] =
                    "mysql_up{role=\"replica\"} == 1 unless on(job, instance) (mysql_slave_status_slave_io_running or mysql_slave_status_replica_io_running)",
            },
            expressions);
    }

    [Fact]
    public void Render_DefaultThresholds_WaitAsDocumented()
    {
        var waits = RenderedRules(AlertRules.Render(Clusters(), new AlertThresholds()))
            .ToDictionary(r => Scalar(r, "alert"), r => Scalar(r, "for"));

        Assert.Equal("1m", waits[AlertRules.ElasticsearchClusterRed]);
        Assert.Equal("30m", waits[AlertRules.ElasticsearchClusterYellowTooLong]);
        Assert.Equal("5m", waits[AlertRules.ElasticsearchFewerNodesThanExpected]);
        Assert.Equal("30s", waits[AlertRules.EndpointProbeDown]);
        Assert.Equal("30s", waits[AlertRules.ScrapeTargetDown]);
        Assert.Equal("30s", waits[AlertRules.ElasticsearchClusterUnreachable]);
        Assert.Equal("30s", waits[AlertRules.MysqlServerUnreachable]);
        Assert.Equal("1m", waits[AlertRules.MysqlReplicaStatusMissing]);
    }

    [Fact]
    public void Render_NoClusters_LeavesOutTheNodeCountRule()
    {
        var alerts = RenderedRules(AlertRules.Render([], Thresholds())).Select(r => Scalar(r, "alert"));

        Assert.DoesNotContain(AlertRules.ElasticsearchFewerNodesThanExpected, alerts);
        Assert.Equal(AlertRules.AlertNames.Count - 1, alerts.Count());
    }

    [Fact]
    public void Render_NeverContainsPulumiInterpolation() =>
        Assert.DoesNotContain("${", Rules(), StringComparison.Ordinal);

    /// <summary>
    /// A promtool test file for one case. Promtool compares annotations exactly, so the expected ones are
    /// the rendered templates with <c>$labels.x</c> and <c>$value</c> filled in.
    /// </summary>
    private static string UnitTest(AlertCase c, string rules)
    {
        var annotations = (YamlMappingNode)RenderedRules(rules).Single(r => Scalar(r, "alert") == c.Alert)["annotations"];
        var expected = c.Expected.Select(fired => Yaml.Map(
        [
            Yaml.Entry("exp_labels", StringMap(fired.Labels.Append(new("severity", fired.Severity)))),
            Yaml.Entry("exp_annotations", StringMap(annotations.Children.Select(a =>
                new KeyValuePair<string, string>(((YamlScalarNode)a.Key).Value!, Expand(((YamlScalarNode)a.Value).Value!, fired))))),
        ]));

        return Yaml.Serialize(Yaml.Map(
        [
            Yaml.Entry("rule_files", Yaml.List([RuleFile])),
            Yaml.Entry("evaluation_interval", Yaml.Str("1m")),
            Yaml.Entry("tests", Yaml.List(
            [
                Yaml.Map(
                [
                    Yaml.Entry("interval", Yaml.Str("1m")),
                    Yaml.Entry("input_series", Yaml.List(c.Input.Select(s => Yaml.Map(
                    [
                        Yaml.Entry("series", Yaml.Str(Selector(s))),
                        Yaml.Entry("values", Yaml.Str(s.Values)),
                    ])))),
                    Yaml.Entry("alert_rule_test", Yaml.List(
                    [
                        Yaml.Map(
                        [
                            Yaml.Entry("eval_time", Yaml.Str(c.EvalTime)),
                            Yaml.Entry("alertname", Yaml.Str(c.Alert)),
                            Yaml.Entry("exp_alerts", Yaml.List(expected)),
                        ]),
                    ])),
                ]),
            ])),
        ]));
    }

    private static string Selector(Series s) =>
        s.Metric + "{" + string.Join(",", s.Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    private static string Expand(string template, Fired fired) =>
        Template().Replace(template, m => m.Groups["label"].Success ? fired.Labels[m.Groups["label"].Value] : fired.Value);

    [GeneratedRegex(@"\{\{ (?:\$labels\.(?<label>\w+)|\$value) \}\}")]
    private static partial Regex Template();

    private static YamlMappingNode StringMap(IEnumerable<KeyValuePair<string, string>> entries) =>
        Yaml.Map(entries.Select(e => Yaml.Entry(e.Key, Yaml.Str(e.Value))));

    internal static IEnumerable<YamlMappingNode> RenderedRules(string rules)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(rules));
        return ((YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["groups"])
            .Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>());
    }

    internal static string Scalar(YamlMappingNode map, string key) => ((YamlScalarNode)map[key]).Value!;
}
