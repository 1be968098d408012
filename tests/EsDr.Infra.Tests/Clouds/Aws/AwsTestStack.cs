using EsDr.Infra.Clouds.Aws;
using EsDr.Infra.Clouds.Ovh;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Clouds.Aws;

/// <summary>
/// Builds a program the way the stack compiler does: config → topology → every region's resources → each
/// HAProxy VM's user-data (a program variable the VM refers to, rendered for real once the peers are known) →
/// every region's firewalls. Nodes get placeholder user-data. Every program built is checked against the
/// provider schemas. Regions are given as JSON objects of the <c>regions</c> key.
/// </summary>
internal sealed class AwsTestStack
{
    public const string Ami = "ami-0123456789abcdef0";

    /// <summary><c>ssh.allowedCidrs</c>: reaches SSH only, never Elasticsearch.</summary>
    public const string OperatorsCidr = "203.0.113.0/24";

    /// <summary><c>elasticsearch.clientCidrs</c>: may reach the regional endpoint on 9200.</summary>
    public const string ClientsCidr = "198.51.100.0/24";

    /// <summary>Where <c>pulumi up</c> runs (<c>es-dr:deployer</c>).</summary>
    public const string DeployerCidr = "192.0.2.10/32";

    public static readonly ProviderSchemas Schemas = ProviderSchemas.LoadEmbedded();

    private static readonly ICloudAdapter[] Adapters = [new AwsAdapter(), new OvhAdapter()];

    public required PulumiProgram Program { get; init; }

    public required DeploymentTopology Topology { get; init; }

    public required IReadOnlyList<RegionResources> Regions { get; init; }

    public string Yaml => ProgramYamlWriter.Write(Program);

    public static string AwsRegion(string name, string cidr, string balancer = "nlb", string state = "standby", string size = "r6i.large") => $$$"""
        {"name":"{{{name}}}","cloud":"aws","location":"eu-west-1","zones":["eu-west-1a","eu-west-1b","eu-west-1c"],"state":"{{{state}}}",
         "image":"{{{Ami}}}","network":{"cidr":"{{{cidr}}}"},"loadBalancer":{"kind":"{{{balancer}}}"},
         "elasticsearch":{"nodes":3,"size":"{{{size}}}","volumeGb":100}}
        """;

    public static string OvhRegion(string name, string cidr, string state = "standby") => $$$"""
        {"name":"{{{name}}}","cloud":"ovh","location":"GRA11","projectId":"0123456789abcdef0123456789abcdef","state":"{{{state}}}",
         "image":"9d0e2f4c-1b7a-4f43-a0d5-3f1c2b6a7e90","network":{"cidr":"{{{cidr}}}"},
         "loadBalancer":{"kind":"haproxy","size":"5f8c1d2e-0000-4a1b-9c3d-1e2f3a4b5c6d"},
         "elasticsearch":{"nodes":3,"size":"e0d1c2b3-1111-4a1b-9c3d-1e2f3a4b5c6d","memoryGb":8}}
        """;

    /// <summary>The flat stack config (as <c>pulumi config</c> holds it), for tests that change one key.</summary>
    public static Dictionary<string, string> Settings(string activeRegion, params string[] regions) => new()
    {
        ["es-dr:namePrefix"] = "shop",
        // Present (as Pulumi would pass it, decrypted); the compiler only checks that it is set.
        ["es-dr:deployKey"] = "SENTINEL-SECRET-deployKey",
        ["es-dr:activeRegion"] = activeRegion,
        ["es-dr:elasticsearch"] = $$"""{"version":"9.5.7","license":"trial","clientCidrs":["{{ClientsCidr}}"]}""",
        ["es-dr:ssh"] = $$"""{"publicKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"],"allowedCidrs":["{{OperatorsCidr}}"]}""",
        ["es-dr:deployer"] = $$"""{"cidrs":["{{DeployerCidr}}"]}""",
        ["es-dr:tags"] = """{"team":"search"}""",
        ["es-dr:regions"] = "[" + string.Join(",", regions) + "]",
    };

    public static StackConfig Parse(IReadOnlyDictionary<string, string> settings) =>
        StackConfigParser.Parse("es-dr", "test", settings);

    public static StackConfig Config(string activeRegion, params string[] regions) => Parse(Settings(activeRegion, regions));

    /// <summary>The one error (<c>path: message</c>) the config rules refuse these settings with.</summary>
    public static string Refusal(IReadOnlyDictionary<string, string> settings)
    {
        var error = Assert.Throws<InvalidConfigException>(() => Parse(settings));
        return Assert.Single(error.Errors).ToString();
    }

    /// <summary>The one error the config rules refuse a stack of these regions with.</summary>
    public static string Refusal(string activeRegion, params string[] regions) => Refusal(Settings(activeRegion, regions));

    /// <summary>Two AWS regions (dub active, iad standby) unless other regions are given.</summary>
    public static AwsTestStack Build(params string[] regions) =>
        Build(regions.Length > 0
            ? Config("dub", regions)
            : Config("dub", AwsRegion("dub", "10.20.0.0/16", state: "active"), AwsRegion("iad", "10.30.0.0/16")));

    public static AwsTestStack Build(StackConfig config, bool firewalls = true)
    {
        var topology = TopologyBuilder.Build(config);
        var program = new PulumiProgram(config.Project);
        ClusterSecurity.AddCertificateAuthority(program, config.NamePrefix);
        var built = topology.Regions.Select(region => AddRegion(topology, region, program)).ToList();
        foreach (var (adapter, context, resources) in built)
        {
            var peers = built.Select(b => b.Resources).Where(r => r != resources).ToList();
            var region = context.Region;
            if (region.Balancer.Kind == BalancerKind.HaProxy)
            {
                program.Variable(BalancerUserDataVariable(region), NodeUserData.ComposeHaproxy(topology, region, peers, new List<RenderedFile>()));
            }
            if (firewalls)
                adapter.AddFirewalls(context, resources, peers);
        }
        var stack = new AwsTestStack { Program = program, Topology = topology, Regions = built.Select(b => b.Resources).ToList() };
        // Every program a test builds must be one Pulumi would accept, whatever the test then looks at.
        var problems = stack.Problems();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return stack;
    }

    /// <summary>
    /// One region's <see cref="ICloudAdapter.AddRegion"/>, with a context built here rather than by the compiler:
    /// tests hand it configs the config rules would refuse, to reach the adapters' own guards.
    /// </summary>
    public static (ICloudAdapter Adapter, RegionContext Context, RegionResources Resources) AddRegion(
        DeploymentTopology topology, RegionTopology region, PulumiProgram program)
    {
        var adapter = Adapter(region);
        var context = Context(topology, region, program);
        return (adapter, context, adapter.AddRegion(context));
    }

    /// <summary>
    /// <see cref="ICloudAdapter.AddHost"/> in the named region of this (built) stack, as the database tier calls
    /// it once every region exists. The caller checks the program (<see cref="Problems"/>) afterwards.
    /// </summary>
    public HostResources AddHost(string regionName, HostSpec host)
    {
        var resources = Region(regionName);
        return Adapter(resources.Region).AddHost(Context(Topology, resources.Region, Program), resources, host);
    }

    private static ICloudAdapter Adapter(RegionTopology region) => Adapters.Single(a => a.Cloud == region.Cloud);

    private static RegionContext Context(DeploymentTopology topology, RegionTopology region, PulumiProgram program) => new(
        topology,
        region,
        program,
        region.Nodes.ToDictionary(n => n.LogicalName, n => $"#cloud-config\nhostname: {n.Name}\n"),
        region.Balancer.Kind == BalancerKind.HaProxy ? $"${{{BalancerUserDataVariable(region)}}}" : null,
        new Dictionary<string, string> { ["team"] = "search", ["es-dr-region"] = region.Name });

    /// <summary>The variable holding a region's HAProxy user-data, named as the compiler names it.</summary>
    public static string BalancerUserDataVariable(RegionTopology region) => $"{region.Balancer.LogicalName}-cloud-init";

    public IEnumerable<ProgramResource> OfType(string type) => Program.Resources.Where(r => r.Type == type);

    public IEnumerable<ProgramResource> InRegion(string key) => Program.Resources.Where(r => r.Name.StartsWith(key + "-", StringComparison.Ordinal));

    public RegionResources Region(string name) => Regions.Single(r => r.Region.Name == name);

    public IReadOnlyList<ProgramProblem> Problems() => ProgramValidator.Validate(Yaml, Schemas);
}

internal static class PMapExtensions
{
    /// <summary>A nested value by path of keys, e.g. <c>Get(r.Properties, "healthCheck", "path")</c>.</summary>
    public static object Get(this PMap map, params string[] path)
    {
        object current = map;
        foreach (var key in path)
            current = ((PMap)current)[key];
        return current;
    }
}
