using System.Collections;
using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;

namespace EsDr.Recovery.Plan;

/// <summary>Gives a resource's Pulumi type token from its logical name (from the compiled program).</summary>
internal delegate string ResourceTypeResolver(string logicalName);

/// <summary>One node as the stack outputs list it: its name, ordinal, generation and every resource making it up.</summary>
internal sealed record NodeView(string Name, int Ordinal, int Generation, IReadOnlyList<string> Resources);

/// <summary>One region's resources as the stack outputs list them.</summary>
internal sealed record RegionView(
    string Name,
    IReadOnlyList<NodeView> Nodes,
    IReadOnlyList<string> BalancerResources,
    IReadOnlyList<string> NetworkResources)
{
    /// <summary>The region's database host and application pool resources (the optional <c>database</c> and <c>application</c> entries).</summary>
    public IReadOnlyList<string> TierResources { get; init; } = [];

    public IEnumerable<string> AllResources =>
        Nodes.SelectMany(n => n.Resources).Concat(BalancerResources).Concat(NetworkResources).Concat(TierResources);
}

/// <summary>
/// What planning knows of the deployed stack: the per-region resources from <c>pulumi stack output --json</c>
/// and the logical names of every resource in the program (so "everything outside a region" is computable).
/// </summary>
internal sealed record StackView(IReadOnlyList<RegionView> Regions, IReadOnlyList<string> AllResources)
{
    /// <summary>The monitoring site's resources (the <c>monitoring</c> output); empty without one.</summary>
    public IReadOnlyList<string> MonitoringResources { get; init; } = [];

    public RegionView Region(string name) =>
        Regions.SingleOrDefault(r => r.Name == name) ?? throw new ArgumentException($"no region '{name}' in the stack outputs", nameof(name));

    /// <summary>Reads the <c>regions</c> output of <c>pulumi stack output --json</c>.</summary>
    public static StackView FromOutputs(JsonNode outputs, IReadOnlyList<string> allResources)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var regions = outputs["regions"]!.AsObject().Select(kv =>
        {
            var r = kv.Value!;
            var nodes = r["nodes"]!.AsArray().Select(n => new NodeView(
                (string)n!["name"]!, (int)n["ordinal"]!, (int)n["generation"]!,
                n["resources"]!.AsArray().Select(x => (string)x!).ToList())).ToList();
            return new RegionView(kv.Key, nodes,
                r["balancer"]!["resources"]!.AsArray().Select(x => (string)x!).ToList(),
                r["networkResources"]!.AsArray().Select(x => (string)x!).ToList())
            {
                TierResources = new[] { "database", "application" }
                    .SelectMany(tier => r[tier]?["resources"]?.AsArray().Select(x => (string)x!) ?? []).ToList(),
            };
        }).ToList();
        return new StackView(regions, allResources)
        {
            MonitoringResources = outputs["monitoring"]?["resources"]?.AsArray().Select(x => (string)x!).ToList() ?? [],
        };
    }

    /// <summary>Compiles the config offline (no cloud, no state) into the view and a type resolver.</summary>
    public static (StackView View, ResourceTypeResolver Types) Compile(StackConfig config)
    {
        var program = StackCompiler.Default().Compile(config).Program;
        var regions = ((PMap)program.Outputs["regions"]).Select(kv =>
        {
            var r = (PMap)kv.Value;
            var nodes = Items(r["nodes"]).Cast<PMap>().Select(n => new NodeView(
                (string)n["name"], (int)n["ordinal"], (int)n["generation"], Strings(n["resources"]))).ToList();
            return new RegionView(kv.Key, nodes, Strings(((PMap)r["balancer"])["resources"]), Strings(r["networkResources"]))
            {
                TierResources = new[] { "database", "application" }
                    .Where(r.ContainsKey).SelectMany(tier => Strings(((PMap)r[tier])["resources"])).ToList(),
            };
        }).ToList();
        var types = program.Resources.ToDictionary(r => r.Name, r => r.Type, StringComparer.Ordinal);
        var monitoring = program.Outputs.ContainsKey("monitoring") ? Strings(((PMap)program.Outputs["monitoring"])["resources"]) : [];
        return (new StackView(regions, program.Resources.Select(r => r.Name).ToList()) { MonitoringResources = monitoring },
            name => types.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no resource '{name}' in the compiled program"));
    }

    private static IEnumerable<object> Items(object list) => ((IEnumerable)list).Cast<object>();
    private static List<string> Strings(object list) => Items(list).Select(o => (string)o).ToList();
}
