using System.CommandLine;
using System.Text.Json.Nodes;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests;

/// <summary><c>es-dr-recovery plan --simulate</c>: the offline dry run of each scenario on the repository's prod stack.</summary>
public class PlanCommandTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IaC.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("IaC.sln not found above the test binaries");
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var root = new RootCommand { PlanCommand.Create(stdout, stderr) };
        var result = root.Parse(args);
        var exit = result.Errors.Count > 0 ? 2 : result.Invoke();
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("node-loss", "NodeRebuild")]
    [InlineData("region-loss", "RegionFailover")]
    [InlineData("cluster-red", "RegionFailover")]
    [InlineData("replica-broken", "RegionRebuild")]
    public void Simulate_EveryScenarioOnProd_PrintsItsPlanOffline(string scenario, string kind)
    {
        var (exit, output, errors) = Run("plan", "--simulate", scenario, "--stack-file", Path.Combine(Root, "Pulumi.prod.yaml"));

        Assert.True(exit == 0, errors);
        Assert.StartsWith(kind, output, StringComparison.Ordinal);
        Assert.Contains("pulumi ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_RegionLoss_ExcludesTheLostRegionAndTheMonitoringSite_NotTheDnsThatMustMove()
    {
        var (_, output, _) = Run("plan", "--simulate", "region-loss", "--stack-file", Path.Combine(Root, "Pulumi.prod.yaml"), "--json");

        var steps = JsonNode.Parse(output)!["steps"]!.AsArray().Select(s => s!.GetValue<string>()).ToList();
        var up = Assert.Single(steps, s => s.StartsWith("pulumi up ", StringComparison.Ordinal));
        // The printed command is shell-quoted; no URN holds a space or a quote.
        var args = up.Split(' ').Select(a => a.Trim('\'')).ToList();
        var excludes = PulumiArgs.Values(args, "--exclude");
        bool Excluded(string type, string name) => excludes.Any(e => PulumiUrnGlob.Matches(e, $"urn:pulumi:prod::es-dr::{type}::{name}"));
        // fra runs on Linode in prod: with its region lost, none of it is touched (its API may be down).
        Assert.True(Excluded("linode:index/instance:Instance", "fra-es-1"));
        // Nor the monitoring site (Linode Amsterdam in prod): nothing in it follows the active region.
        Assert.True(Excluded("linode:index/instance:Instance", "monitoring-host"));
        Assert.False(Excluded("aws:route53/record:Record", "dns-fra-search"));
        Assert.False(Excluded("aws:ec2/instance:Instance", "dub-es-1"));
        Assert.Contains(steps, s => s == "pulumi config set --stack prod activeRegion dub");
    }

    [Theory]
    [InlineData("region-loss")]
    [InlineData("cluster-red")]
    public void Simulate_OnTheMySql84Stack_PrintsOnlyMySql84Statements(string scenario)
    {
        var (exit, output, errors) = Run("plan", "--simulate", scenario, "--stack-file", Path.Combine(Root, "stacks", "Pulumi.linode-shop.yaml"));

        Assert.True(exit == 0, errors);
        Assert.Contains("[mysql fra] STOP REPLICA;", output, StringComparison.Ordinal);
        Assert.Contains("[mysql fra] RESET REPLICA ALL;", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(Sql.SqlDialectTests.NotMySql84(), output);
    }

    [Fact]
    public void Simulate_UnknownScenario_IsAUsageError() =>
        Assert.Equal(2, Run("plan", "--simulate", "meteor", "--stack-file", Path.Combine(Root, "Pulumi.prod.yaml")).Exit);

    [Fact]
    public void Simulate_MissingStackFile_ExitsWithFileNotFound() =>
        Assert.Equal(4, Run("plan", "--simulate", "node-loss", "--stack-file", Path.Combine(Root, "Pulumi.nope.yaml")).Exit);
}
