using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Infra.Tests.Renderers;
using EsDr.Infra.Tests.Renderers.Monitoring;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>
/// promtool evaluates the rules file a stack's monitoring host is given, with the stack's own thresholds
/// and clusters: an alert fires only once its configured time has passed.
/// </summary>
public class MonitoringSiteRulesTests
{
    public static TheoryData<string> MonitoredStacks() => MonitoringSiteTests.MonitoredStacks();

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public async Task CompiledRules_FireAfterTheStacksOwnThresholds(string file)
    {
        var stack = Repository.Load(file);
        var compiled = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys));
        var thresholds = MonitoringSite.Thresholds(compiled.Config.Monitoring!.Thresholds);
        var region = compiled.Topology.Regions[0];
        var userData = Assert.Single(compiled.Files, f => f.Region == MonitoringSite.Key && f.Path == "user-data (cloud-init)").Text;
        var rules = (string)MonitoringHostTests.WrittenFiles(userData)[MonitoringHost.RulesFile]["content"];
        var yellow = (int)thresholds.YellowFor.TotalMinutes;
        var missing = (int)thresholds.NodesMissingFor.TotalMinutes;
        var labels = $"region=\"{region.Name}\",cluster=\"{region.ClusterName}\",expected_nodes=\"{region.Nodes.Count}\"";
        string Count(string alert, int minute, int expected) => $"""
                  - expr: count(ALERTS{"{"}alertname="{alert}",alertstate="firing",cluster="{region.ClusterName}"{"}"}) or vector(0)
                    eval_time: {minute}m
                    exp_samples:
                      - labels: '{"{}"}'
                        value: {expected}
            """;
        var test = $"""
            rule_files: ["{MonitoringHost.RulesFileName}"]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'elasticsearch_cluster_health_status{"{"}color="yellow",{labels}{"}"}'
                    values: '1x{yellow + 5}'
                  - series: 'elasticsearch_cluster_health_number_of_nodes{"{"}{labels}{"}"}'
                    values: '{region.Nodes.Count - 1}x{yellow + 5}'
                promql_expr_test:
            {Count(AlertRules.ElasticsearchClusterYellowTooLong, yellow - 1, 0)}
            {Count(AlertRules.ElasticsearchClusterYellowTooLong, yellow + 1, 1)}
            {Count(AlertRules.ElasticsearchFewerNodesThanExpected, missing - 1, 0)}
            {Count(AlertRules.ElasticsearchFewerNodesThanExpected, missing + 1, 1)}
            """;
        using var dir = new TempDir();
        dir.Write(MonitoringHost.RulesFileName, rules);
        var testFile = dir.Write("test.yml", test);

        var (exitCode, output) = await RealTool.RunAsync("promtool", "test", "rules", testFile);

        Assert.True(exitCode == 0, $"{test}\n{output}");
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }
}
