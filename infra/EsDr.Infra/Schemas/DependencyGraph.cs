namespace EsDr.Infra.Schemas;

/// <summary>
/// The program's dependency graph as Pulumi YAML builds it: a resource or variable depends on every resource and
/// variable its values name (<c>${name…}</c>, including <c>dependsOn</c> and <c>provider</c> options). Pulumi
/// refuses a program with a cycle, so the compiler checks for one before printing.
/// </summary>
public sealed class DependencyGraph
{
    private readonly SortedDictionary<string, SortedSet<string>> edges = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, SortedSet<string>> Edges => edges;

    public static DependencyGraph FromProgram(string yaml) => FromProgram(ProgramText.Parse(yaml));

    /// <summary>The graph of a program already read (the schema check reads it once, for both checks).</summary>
    internal static DependencyGraph FromProgram(ProgramValue? program)
    {
        var graph = new DependencyGraph();
        if (program is not MapValue root) return graph;
        foreach (var section in new[] { "resources", "variables" })
        {
            if (root[section] is not MapValue declarations) continue;
            foreach (var (name, value) in declarations.Entries)
            {
                graph.edges.TryAdd(name, new SortedSet<string>(StringComparer.Ordinal));
                foreach (var referenced in References(value)) graph.edges[name].Add(referenced);
            }
        }
        // Config keys and built-ins (pulumi.stack…) are not nodes of the graph.
        foreach (var targets in graph.edges.Values) targets.RemoveWhere(t => !graph.edges.ContainsKey(t));
        return graph;
    }

    /// <summary>One cycle (<c>a → b → a</c>) if there is any, else null. Deterministic: nodes are visited in name order.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        foreach (var start in edges.Keys)
        {
            if (Visit(start, state, path) is { } cycle) return cycle;
        }
        return null;
    }

    /// <summary>The cycle as a program problem, for <see cref="Compilation.StackCompilation"/>.</summary>
    public static IReadOnlyList<ProgramProblem> Problems(string yaml) => Problems(ProgramText.Parse(yaml));

    internal static IReadOnlyList<ProgramProblem> Problems(ProgramValue? program) =>
        FromProgram(program).FindCycle() is { } cycle
            ? [new ProgramProblem(cycle[0], $"dependency cycle: {string.Join(" → ", cycle)}")]
            : [];

    private List<string>? Visit(string node, Dictionary<string, int> state, List<string> path)
    {
        if (state.TryGetValue(node, out var s))
        {
            if (s == 2) return null;
            var from = path.IndexOf(node);
            return [.. path.Skip(from), node];
        }
        state[node] = 1;
        path.Add(node);
        foreach (var next in edges[node])
        {
            if (Visit(next, state, path) is { } cycle) return cycle;
        }
        path.RemoveAt(path.Count - 1);
        state[node] = 2;
        return null;
    }

    private static IEnumerable<string> References(ProgramValue value) => value switch
    {
        ScalarValue scalar => scalar.Interpolated.Interpolations.Select(i => i.RootName),
        ListValue list => list.Items.SelectMany(References),
        MapValue map => map.Entries.SelectMany(e => References(e.Value)),
        _ => [],
    };
}
