using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>
/// Pulumi refuses a program whose resources depend on each other in a circle. Edges: every <c>${name…}</c>
/// reference in a resource's properties or a variable, <c>dependsOn</c> and the provider option.
/// </summary>
public partial class DependencyGraphTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    [Theory]
    [MemberData(nameof(Stacks))]
    public void EmittedProgram_DependencyGraph_IsAcyclic(string file)
    {
        var stack = Repository.Load(file);
        var program = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys)).Program;

        var graph = Graph(program);

        Assert.True(graph.Count > program.Resources.Count / 2, "the graph has edges to look at");
        Assert.Null(FindCycle(graph));
    }

    [Fact]
    public void FindCycle_ReportsACircleThroughAVariable()
    {
        var program = new PulumiProgram("p");
        program.Add("a", "random:index/randomPassword:RandomPassword", new PMap { { "keepers", new PMap { { "x", "${v}" } } } });
        program.Variable("v", "${b.result}");
        program.Add("b", "random:index/randomPassword:RandomPassword", new PMap(), new ResourceOptions { DependsOn = ["a"] });

        Assert.Equal(["a", "v", "b", "a"], FindCycle(Graph(program)));
    }

    /// <summary>Resource and variable names → the names they depend on (config keys and unknown names dropped).</summary>
    private static Dictionary<string, HashSet<string>> Graph(PulumiProgram program)
    {
        var nodes = program.Resources.Select(r => r.Name).Concat(program.Variables.Select(v => v.Key)).ToHashSet(StringComparer.Ordinal);
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        void Edges(string from, IEnumerable<string> to) =>
            graph[from] = to.Where(t => nodes.Contains(t) && t != from).ToHashSet(StringComparer.Ordinal);
        foreach (var resource in program.Resources)
        {
            var to = References(resource.Properties).Concat(resource.Options.DependsOn ?? []).ToList();
            if (resource.Options.Provider is { } provider) to.AddRange(References(provider));
            Edges(resource.Name, to);
        }
        foreach (var (name, value) in program.Variables) Edges(name, References(value));
        return graph;
    }

    private static IEnumerable<string> References(object value) => value switch
    {
        string s => Reference().Matches(s).Select(m => m.Groups[1].Value),
        PMap map => map.SelectMany(kv => References(kv.Value)),
        System.Collections.IEnumerable list => list.Cast<object>().SelectMany(References),
        _ => [],
    };

    /// <summary>One circle as a path that ends where it starts, or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.Skip(path.IndexOf(next)), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } cycle) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    // ${name}, ${name.output}, ${name[0]}; not an escaped $${…}.
    [GeneratedRegex(@"(?<!\$)\$\{([^}.\[]+)")]
    private static partial Regex Reference();
}
