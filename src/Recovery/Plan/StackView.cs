using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;

namespace EsDr.Recovery.Plan;

/// <summary>Gives a resource's Pulumi type token from its logical name (from the deployed outputs' resource list).</summary>
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
/// What planning knows of the deployed stack, projected from its outputs (<see cref="DeployedOutputs"/>, the
/// compiler's contract): the per-region resources and the logical names of every resource the deployed program
/// has (so "everything outside a region" is computable).
/// </summary>
internal sealed record StackView(IReadOnlyList<RegionView> Regions, IReadOnlyList<string> AllResources)
{
    /// <summary>The monitoring site's resources (the <c>monitoring</c> output); empty without one.</summary>
    public IReadOnlyList<string> MonitoringResources { get; init; } = [];

    public RegionView Region(string name) =>
        Regions.SingleOrDefault(r => r.Name == name) ?? throw new ArgumentException($"no region '{name}' in the stack outputs", nameof(name));

    /// <summary>The view of what was deployed and the types of its resources, both from the outputs.</summary>
    public static (StackView View, ResourceTypeResolver Types) Of(DeployedOutputs outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var regions = outputs.Regions.Select(kv =>
        {
            var r = kv.Value;
            return new RegionView(kv.Key, r.Nodes.Select(n => new NodeView(n.Name, n.Ordinal, n.Generation, n.Resources)).ToList(),
                r.Balancer.Resources, r.NetworkResources)
            {
                TierResources = (r.Database?.Resources ?? []).Concat(r.Application?.Resources ?? []).ToList(),
            };
        }).ToList();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in outputs.Resources) types.TryAdd(resource.Name, resource.Type);
        var view = new StackView(regions, outputs.Resources.Select(r => r.Name).ToList())
        {
            MonitoringResources = outputs.Monitoring?.Resources ?? [],
        };
        return (view, name => types.TryGetValue(name, out var t) ? t
            : throw new KeyNotFoundException($"no resource '{name}' in the deployed stack's outputs"));
    }

    /// <summary>
    /// Offline (<c>plan --simulate</c>, no deployment): compiles the config and reads the contract the compiled
    /// program would leave as its outputs, exactly as a deployed stack's outputs are read.
    /// </summary>
    public static (StackView View, ResourceTypeResolver Types) Offline(StackConfig config) =>
        Of(StackOutputs.Of(StackCompiler.Default().Compile(config).Program));
}
