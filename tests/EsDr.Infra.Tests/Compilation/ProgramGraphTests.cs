using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>
/// Pulumi refuses a program whose resources wait for each other in a circle. Firewalls that admit another
/// host by address while that host's user-data names them are the classic way to build one, so every
/// example stack's graph (interpolations through variables, plus dependsOn) must be acyclic.
/// </summary>
public partial class ProgramGraphTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Compile_EveryStack_HasAnAcyclicDependencyGraph(string file)
    {
        var stack = Repository.Load(file);
        var compiled = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys));

        var cycle = FindCycle(Graph(compiled.Program));

        Assert.True(cycle is null, $"dependency cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void FindCycle_AFirewallNamingAHostWhoseUserDataNamesTheFirewalledVm_IsACycle()
    {
        var program = new PulumiProgram("t");
        program.Add("fw", "x:y:Z", new PMap { { "sources", new[] { "${mon.ipAddress}/32" } } });
        program.Add("lb", "x:y:Z", new PMap { { "firewallId", "${fw.id}" } });
        program.Variable("mon-user-data", "target ${lb.ipv4} $${not-a-reference}");
        program.Add("mon", "x:y:Z", new PMap { { "userData", "${mon-user-data}" } });

        var cycle = FindCycle(Graph(program));

        Assert.NotNull(cycle);
        Assert.Contains("mon", cycle);
        Assert.Contains("fw", cycle);
    }

    [Fact]
    public void FindCycle_DependsOnIsAnEdgeToo()
    {
        var program = new PulumiProgram("t");
        program.Add("a", "x:y:Z", new PMap(), new ResourceOptions { DependsOn = ["b"] });
        program.Add("b", "x:y:Z", new PMap { { "v", "${a.id}" } });

        Assert.NotNull(FindCycle(Graph(program)));
    }

    /// <summary>Every resource and variable with the names it refers to (config keys and unknown names are leaves).</summary>
    internal static Dictionary<string, HashSet<string>> Graph(PulumiProgram program)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in program.Variables)
            graph[name] = References(value).ToHashSet(StringComparer.Ordinal);
        foreach (var r in program.Resources)
        {
            var edges = References(r.Properties).ToHashSet(StringComparer.Ordinal);
            if (r.Options.Provider is { } provider) edges.UnionWith(References(provider));
            edges.UnionWith(r.Options.DependsOn ?? []);
            graph[r.Name] = edges;
        }
        return graph;
    }

    private static IEnumerable<string> References(object? value) => value switch
    {
        string s => Reference().Matches(s).Select(m => m.Groups[1].Value),
        PMap map => map.SelectMany(kv => References(kv.Value)),
        System.Collections.IEnumerable items => items.Cast<object?>().SelectMany(References),
        _ => [],
    };

    /// <summary>A cycle as a path of names, or null. Depth-first with white/grey/black marks.</summary>
    internal static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph[node].Where(graph.ContainsKey).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.SkipWhile(n => n != next), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    // ${name…} but not $${…} (a literal); the root name ends at '.', '[' or '}'.
    [GeneratedRegex(@"(?<!\$)\$\{([^.\[}]+)")]
    private static partial Regex Reference();
}
