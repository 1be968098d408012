using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Recovery.Operate.Drift;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Operate.Drift;

/// <summary>
/// The prod stack (fra active, dub standby, three nodes each) as deployed, against configs CI might apply: every
/// recovery-owned field refused in both directions, with the command that changes it properly and how to keep the
/// deployed value; marking a standby lost, new and removed regions let through with a note.
/// </summary>
public class DriftCheckTests
{
    private static readonly StackConfig Prod = ExampleStacks.Load("Pulumi.prod.yaml");
    private static readonly DeployedOutputs Deployed = StackOutputs.Of(StackCompiler.Default().Compile(Prod).Program);
    private static readonly RecoveryInvocation Recovery = new("Pulumi.prod.yaml", null);

    private static DriftReport Check(DeployedOutputs deployed, StackConfig config) => DriftCheck.Compare(deployed, config, Recovery);

    private static StackConfig WithRegion(StackConfig config, string name, Func<RegionConfig, RegionConfig> change) =>
        config with { Regions = config.Regions.Select(r => r.Name == name ? change(r) : r).ToList() };

    private static DeployedOutputs WithDeployed(DeployedOutputs deployed, string name, Func<DeployedRegion, DeployedRegion> change) =>
        deployed with { Regions = deployed.Regions.ToDictionary(kv => kv.Key, kv => kv.Key == name ? change(kv.Value) : kv.Value) };

    private static RegionConfig NodeGeneration(RegionConfig region, int ordinal, int generation) =>
        region with { Elasticsearch = region.Elasticsearch with { NodeGenerations = new Dictionary<int, int>(region.Elasticsearch.NodeGenerations) { [ordinal] = generation } } };

    private static DeployedRegion DeployedNodeGeneration(DeployedRegion region, int ordinal, int generation) =>
        region with { Nodes = region.Nodes.Select(n => n.Ordinal == ordinal ? n with { Generation = generation } : n).ToList() };

    [Fact]
    public void Config_as_deployed_agrees_with_nothing_to_note()
    {
        var report = Check(Deployed, Prod);

        Assert.True(report.Agrees);
        Assert.Empty(report.Notes);
    }

    [Fact]
    public void Moving_the_active_region_to_a_standby_is_refused_naming_failback_and_failover()
    {
        var drift = Assert.Single(Check(Deployed, Prod with { ActiveRegion = "dub" }).Drifts, d => d.Field == "activeRegion");

        Assert.Equal(("fra", "dub"), (drift.Deployed, drift.Config));
        Assert.Contains("es-dr-recovery failback --to dub --stack-file Pulumi.prod.yaml", drift.Recovery, StringComparison.Ordinal);
        Assert.Contains("es-dr-recovery failover --to dub --stack-file Pulumi.prod.yaml", drift.Recovery, StringComparison.Ordinal);
        Assert.Equal("set activeRegion back to fra: pulumi config set --stack prod activeRegion fra", drift.Accept);
    }

    [Fact]
    public void Stale_config_after_a_failover_moving_the_active_region_back_is_refused_naming_the_rebuild_first()
    {
        // Recovery failed over to dub: fra is lost. The config in git still says fra active, dub standby.
        var afterFailover = WithDeployed(WithDeployed(Deployed with { ActiveRegion = "dub" }, "fra", r => r with { State = "lost" }), "dub", r => r with { State = "active" });

        var report = Check(afterFailover, Prod);

        var active = Assert.Single(report.Drifts, d => d.Field == "activeRegion");
        Assert.Equal(("dub", "fra"), (active.Deployed, active.Config));
        Assert.Contains("es-dr-recovery rebuild-region fra", active.Recovery, StringComparison.Ordinal);
        var revive = Assert.Single(report.Drifts, d => d.Field == "regions[0].state");
        Assert.Equal(("lost", "active"), (revive.Deployed, revive.Config));
        Assert.Contains("revive lost region fra", revive.Change, StringComparison.Ordinal);
        var demote = Assert.Single(report.Drifts, d => d.Field == "regions[1].state");
        Assert.Equal(("active", "standby"), (demote.Deployed, demote.Config));
        Assert.Equal("set regions[1].state back to active: pulumi config set --stack prod --path 'regions[1].state' active", demote.Accept);
    }

    [Fact]
    public void Reviving_a_lost_standby_is_refused_naming_rebuild_region()
    {
        var drift = Assert.Single(Check(WithDeployed(Deployed, "dub", r => r with { State = "lost" }), Prod).Drifts);

        Assert.Equal(("regions[1].state", "dub", "lost", "standby"), (drift.Field, drift.Region, drift.Deployed, drift.Config));
        Assert.Equal("es-dr-recovery rebuild-region dub --stack-file Pulumi.prod.yaml", drift.Recovery);
    }

    [Fact]
    public void Marking_a_standby_lost_by_hand_is_let_through_with_a_note()
    {
        var report = Check(Deployed, WithRegion(Prod, "dub", r => r with { State = RegionState.Lost }));

        Assert.True(report.Agrees);
        Assert.Contains(report.Notes, n => n.StartsWith("dub is marked lost by hand (deployed standby)", StringComparison.Ordinal));
    }

    [Fact]
    public void Marking_the_active_region_lost_without_a_failover_is_refused()
    {
        var drift = Assert.Single(Check(Deployed, WithRegion(Prod, "fra", r => r with { State = RegionState.Lost })).Drifts);

        Assert.Equal(("regions[0].state", "active", "lost"), (drift.Field, drift.Deployed, drift.Config));
        Assert.Contains("failover --to dub", drift.Recovery, StringComparison.Ordinal);
    }

    [Fact]
    public void Ending_a_rebuild_by_hand_is_refused_naming_rebuild_region()
    {
        var drift = Assert.Single(Check(WithDeployed(Deployed, "dub", r => r with { State = "rebuilding" }), Prod).Drifts);

        Assert.Equal(("rebuilding", "standby"), (drift.Deployed, drift.Config));
        Assert.Contains("rebuild-region dub", drift.Recovery, StringComparison.Ordinal);
    }

    [Fact]
    public void Lowering_a_region_generation_is_refused_and_its_nodes_are_not_compared()
    {
        // rebuild-region made dub generation 2 (node generations reset); the config still says 1, with node 3 at 2.
        var deployed = WithDeployed(Deployed, "dub", r => r with { Generation = 2 });
        var config = WithRegion(Prod, "dub", r => NodeGeneration(r, 3, 2));

        var drift = Assert.Single(Check(deployed, config).Drifts);

        Assert.Equal(("regions[1].generation", "2", "1"), (drift.Field, drift.Deployed, drift.Config));
        Assert.Contains("lower", drift.Change, StringComparison.Ordinal);
        Assert.Equal("set regions[1].generation back to 2: pulumi config set --stack prod --path 'regions[1].generation' 2 --type int", drift.Accept);
    }

    [Fact]
    public void Raising_a_region_generation_by_hand_is_refused_naming_rebuild_region()
    {
        var drift = Assert.Single(Check(Deployed, WithRegion(Prod, "dub", r => r with { Generation = 2 })).Drifts);

        Assert.Equal(("regions[1].generation", "1", "2"), (drift.Field, drift.Deployed, drift.Config));
        Assert.Contains("raise", drift.Change, StringComparison.Ordinal);
        Assert.Equal("es-dr-recovery rebuild-region dub --stack-file Pulumi.prod.yaml", drift.Recovery);
    }

    [Fact]
    public void Lowering_a_node_generation_is_refused_naming_rebuild_node_with_the_deployed_node()
    {
        var deployed = WithDeployed(Deployed, "fra", r => DeployedNodeGeneration(r, 2, 3));

        var drift = Assert.Single(Check(deployed, Prod).Drifts);

        var node = deployed.Region("fra").Nodes.Single(n => n.Ordinal == 2);
        Assert.Equal(("regions[0].elasticsearch.nodeGenerations[\"2\"]", "3", "1"), (drift.Field, drift.Deployed, drift.Config));
        Assert.Contains("lower", drift.Change, StringComparison.Ordinal);
        Assert.Equal($"es-dr-recovery rebuild-node --region fra --node {node.Name} --stack-file Pulumi.prod.yaml", drift.Recovery);
        Assert.EndsWith("--path 'regions[0].elasticsearch.nodeGenerations[\"2\"]' 3 --type int", drift.Accept, StringComparison.Ordinal);
    }

    [Fact]
    public void Raising_a_node_generation_by_hand_is_refused()
    {
        var drift = Assert.Single(Check(Deployed, WithRegion(Prod, "fra", r => NodeGeneration(r, 1, 2))).Drifts);

        Assert.Equal(("regions[0].elasticsearch.nodeGenerations[\"1\"]", "1", "2"), (drift.Field, drift.Deployed, drift.Config));
        Assert.Contains("without draining", drift.Change, StringComparison.Ordinal);
    }

    [Fact]
    public void A_region_only_the_config_has_and_one_only_the_deployment_has_are_noted_not_refused()
    {
        var added = Prod with { Regions = [.. Prod.Regions, Prod.Regions[1] with { Name = "ams" }] };
        var removed = WithDeployed(Deployed, "dub", r => r) with
        {
            Regions = Deployed.Regions.Append(new("par", Deployed.Region("dub") with { State = "lost" })).ToDictionary(kv => kv.Key, kv => kv.Value),
        };

        var report = Check(removed, added);

        Assert.True(report.Agrees);
        Assert.Contains(report.Notes, n => n.StartsWith("ams is not deployed", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.StartsWith("par is deployed (lost) but not in the config", StringComparison.Ordinal));
    }

    [Fact]
    public void Nodes_the_config_removes_are_not_compared()
    {
        var deployed = WithDeployed(Deployed, "fra", r => DeployedNodeGeneration(r, 3, 2));

        Assert.True(Check(deployed, WithRegion(Prod, "fra", r => r with { Elasticsearch = r.Elasticsearch with { Nodes = 2 } })).Agrees);
    }

    [Fact]
    public void A_stack_file_pulumi_would_not_pick_itself_is_named_in_the_accept_hint()
    {
        var invocation = new RecoveryInvocation("stacks/Pulumi.prod.yaml", "prod") { ConfigFile = "stacks/Pulumi.prod.yaml" };

        var drift = Assert.Single(DriftCheck.Compare(Deployed, Prod with { ActiveRegion = "dub" }, invocation).Drifts, d => d.Field == "activeRegion");

        Assert.Equal("set activeRegion back to fra: pulumi config set --stack prod --config-file stacks/Pulumi.prod.yaml activeRegion fra", drift.Accept);
        Assert.Contains("es-dr-recovery failback --to dub --stack-file stacks/Pulumi.prod.yaml --stack prod", drift.Recovery, StringComparison.Ordinal);
    }
}
