using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Config → topology → resources → one <see cref="PulumiProgram"/>. Builds the whole program as data;
/// <see cref="ProgramYamlWriter"/> serialises it once.
/// </summary>
public sealed class StackCompiler(IReadOnlyList<ICloudAdapter> adapters)
{
    public static StackCompiler Default() => new(Clouds.CloudAdapters.All);

    

    public (DeploymentTopology Topology, PulumiProgram Program, IReadOnlyList<RenderedFile> Files) Compile(StackConfig config)
    {
        var topology = TopologyBuilder.Build(config);
        var program = new PulumiProgram(config.Project);
        var files = new List<RenderedFile>();
        ClusterSecurity.AddCertificateAuthority(program, config.NamePrefix);

        var contexts = new List<(ICloudAdapter Adapter, RegionContext Context, RegionResources Resources, IReadOnlyDictionary<string, IReadOnlyList<string>> NodeExtras)>();
        foreach (var region in topology.Regions)
        {
            var adapter = adapters.Single(a => a.Cloud == region.Cloud);
            var password = ClusterSecurity.AddElasticPassword(program, region);
            var userData = new Dictionary<string, string>(StringComparer.Ordinal);
            var extras = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var node in region.Nodes)
            {
                var credentials = ClusterSecurity.AddNodeCertificate(program, node);
                userData[node.LogicalName] = NodeUserData.Compose(topology, region, node, adapter, credentials, Ref.To(password, "result"), files);
                extras[node.LogicalName] = credentials.ResourceNames;
            }
            var balancerUserData = region.Balancer.Kind == BalancerKind.HaProxy ? NodeUserData.ComposeHaproxy(topology, region, files) : null;
            var context = new RegionContext(topology, region, program, userData, balancerUserData, Tags(config, region));
            contexts.Add((adapter, context, adapter.AddRegion(context), extras));
        }

        var all = contexts.Select(c => c.Resources).ToList();
        foreach (var (adapter, context, resources, _) in contexts)
            adapter.AddFirewalls(context, resources, all.Where(r => r != resources).ToList());

        StackOutputs.Add(program, topology, contexts.Select(c => (c.Resources, c.NodeExtras, c.Context.Region)).ToList());
        return (topology, program, files);
    }

    private static Dictionary<string, string> Tags(StackConfig config, RegionTopology region)
    {
        var tags = new Dictionary<string, string>(config.Tags, StringComparer.Ordinal)
        {
            ["es-dr-stack"] = config.Stack,
            ["es-dr-region"] = region.Name,
        };
        return tags;
    }
}
