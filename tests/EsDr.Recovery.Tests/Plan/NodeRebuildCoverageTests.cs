using System.Collections;
using System.Globalization;
using System.Text.Json;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Plan;

/// <summary>
/// A node rebuild's targeted <c>pulumi up</c> applies everything its generation bump changes in the program — the
/// node's own resources, and in other regions the firewall rules, security-group rules, balancers and HAProxy
/// config pushes that name its address — so nothing keeps admitting the old address until a full up. The up's reach
/// is computed as pulumi v3.259's engine computes it (pkg/resource/deploy/step_generator.go): with
/// <c>--target-dependents</c>, a resource is updated when it is targeted or refers, directly or through others, to
/// one that is (<c>isTargetedForUpdate</c>), and a resource gone from the program may be deleted when it depended on
/// a target in state (<c>getTargetDependents</c>); without the flag, only the listed targets.
/// </summary>
public class NodeRebuildCoverageTests
{
    /// <summary>Every region of every example stack, by its last node (as <c>plan --simulate node-loss</c> picks).</summary>
    public static TheoryData<string, string> RegionsOfEveryExampleStack()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in ExampleStacks.Files)
            foreach (var region in ExampleStacks.Load(file).Regions)
                data.Add(file, region.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(RegionsOfEveryExampleStack))]
    public void Node_rebuild_up_applies_every_change_its_generation_bump_makes_to_the_program(string file, string region)
    {
        var config = ExampleStacks.Load(file);
        var (view, types) = StackView.Offline(config);
        var node = view.Region(region).Nodes[^1];
        var ctx = new PlanContext(config, view, types);
        var up = Assert.Single(Planner.NodeRebuild(ctx, region, node.Name, nodeAnswers: false).Steps.OfType<PulumiCommand>(), c => c.Args[0] == "up");
        var before = StackCompiler.Default().Compile(config).Program;
        var after = StackCompiler.Default().Compile(Bumped(config, region, node)).Program;

        var targets = PulumiArgs.TargetNames(up.Args);
        var dependents = up.Args.Contains("--target-dependents");
        var updated = dependents ? Dependents(after, targets) : targets;
        var deletable = dependents ? Dependents(before, targets) : targets;

        var (added, removed, changed) = Diff(before, after);
        Assert.Subset(updated, added.Concat(changed).ToHashSet());
        Assert.Subset(deletable, removed.ToHashSet());
    }

    [Fact]
    public void Node_rebuild_in_prod_reaches_the_other_regions_rules_for_the_node()
    {
        var config = ExampleStacks.Load("Pulumi.prod.yaml");
        var (view, types) = StackView.Offline(config);
        var node = view.Region("dub").Nodes[^1];
        var ctx = new PlanContext(config, view, types);

        var up = Planner.NodeRebuild(ctx, "dub", node.Name, nodeAnswers: false).Steps.OfType<PulumiCommand>().Single(c => c.Args[0] == "up");
        var reached = Dependents(StackCompiler.Default().Compile(Bumped(config, "dub", node)).Program, PulumiArgs.TargetNames(up.Args));

        Assert.Contains("--target-dependents", up.Args);
        // fra's Linode firewalls admit dub-es-3's public address; the bump makes them admit dub-es-3-gen2's.
        Assert.Contains("fra-fw", reached);
        Assert.Contains("fra-lb-fw", reached);
    }

    private static StackConfig Bumped(StackConfig config, string region, NodeView node) => config with
    {
        Regions = [.. config.Regions.Select(r => r.Name != region ? r : r with
        {
            Elasticsearch = r.Elasticsearch with
            {
                NodeGenerations = new Dictionary<int, int>(r.Elasticsearch.NodeGenerations) { [node.Ordinal] = node.Generation + 1 },
            },
        })],
    };

    /// <summary>The targets and every resource that refers to one, directly or through other resources and variables.</summary>
    private static HashSet<string> Dependents(PulumiProgram program, IReadOnlySet<string> targets)
    {
        var edges = DependencyGraph.FromProgram(ProgramYamlWriter.Write(program)).Edges;
        var reached = new HashSet<string>(targets, StringComparer.Ordinal);
        bool Reach() => edges.Where(e => !reached.Contains(e.Key) && e.Value.Overlaps(reached)).ToList() is { Count: > 0 } more
            && more.All(e => reached.Add(e.Key));
        while (Reach()) { }
        return reached;
    }

    /// <summary>Resources only in <paramref name="after"/>, only in <paramref name="before"/>, and in both with other inputs (ignoreChanges aside).</summary>
    private static (List<string> Added, List<string> Removed, List<string> Changed) Diff(PulumiProgram before, PulumiProgram after)
    {
        var old = before.Resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var current = after.Resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
        return (
            [.. current.Keys.Where(n => !old.ContainsKey(n))],
            [.. old.Keys.Where(n => !current.ContainsKey(n))],
            [.. current.Values.Where(r => old.TryGetValue(r.Name, out var o) && Inputs(o) != Inputs(r)).Select(r => r.Name)]);
    }

    private static string Inputs(ProgramResource resource)
    {
        var ignored = resource.Options.IgnoreChanges ?? [];
        return Canonical(resource.Properties.Where(kv => !ignored.Contains(kv.Key)).ToList());
    }

    private static string Canonical(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        PMap map => "{" + string.Join(",", map.Select(kv => JsonSerializer.Serialize(kv.Key) + ":" + Canonical(kv.Value))) + "}",
        KeyValuePair<string, object> kv => JsonSerializer.Serialize(kv.Key) + ":" + Canonical(kv.Value),
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(Canonical)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
