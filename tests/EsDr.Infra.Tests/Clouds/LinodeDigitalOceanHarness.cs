using EsDr.Infra.Clouds.DigitalOcean;
using EsDr.Infra.Clouds.Linode;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Clouds;

/// <summary>
/// Drives the Linode and DigitalOcean adapters the way the stack compiler does: every region's
/// <see cref="ICloudAdapter.AddRegion"/> first (with user-data that refers to each node's certificate, as
/// the real one does; an HAProxy region gets a reference to its balancer's user-data, declared once the
/// peers are known, with the real renderer), then every region's <see cref="ICloudAdapter.AddFirewalls"/>
/// with the others as peers.
/// </summary>
internal sealed class LinodeDigitalOceanHarness
{
    public const string Project = "es-dr";
    public const string OperatorCidr = "203.0.113.0/24";
    public const string ClientCidr = "198.51.100.0/24";
    public const string DeployerCidr = "192.0.2.10/32";
    public const string SshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com";

    public const string Fra = """
        {"name":"fra","cloud":"linode","location":"eu-central","state":"active","network":{"cidr":"10.10.0.0/24"},
         "elasticsearch":{"nodes":3,"size":"g6-standard-4","volumeGb":50}}
        """;

    public const string Ams = """
        {"name":"ams","cloud":"digitalocean","location":"ams3","state":"standby","network":{"cidr":"10.30.0.0/24"},
         "dnsZone":"es.example.com","elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":60}}
        """;

    /// <summary>fra (Linode) fronted by an HAProxy instance instead of a NodeBalancer.</summary>
    public const string FraHaproxy = """
        {"name":"fra","cloud":"linode","location":"eu-central","state":"active","network":{"cidr":"10.10.0.0/24"},
         "elasticsearch":{"nodes":3,"size":"g6-standard-4","volumeGb":50},"loadBalancer":{"kind":"haproxy"}}
        """;

    /// <summary>ams (DigitalOcean) fronted by an HAProxy droplet instead of a DigitalOcean load balancer.</summary>
    public const string AmsHaproxy = """
        {"name":"ams","cloud":"digitalocean","location":"ams3","state":"standby","network":{"cidr":"10.30.0.0/24"},
         "dnsZone":"es.example.com","elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":60},"loadBalancer":{"kind":"haproxy"}}
        """;

    private static readonly ICloudAdapter[] Adapters = [new LinodeAdapter(), new DigitalOceanAdapter()];

    private readonly Dictionary<string, (ICloudAdapter Adapter, RegionContext Context)> contexts;

    private LinodeDigitalOceanHarness(
        DeploymentTopology topology, PulumiProgram program, Dictionary<string, RegionResources> regions,
        Dictionary<string, (ICloudAdapter Adapter, RegionContext Context)> contexts)
    {
        Topology = topology;
        Program = program;
        Regions = regions;
        this.contexts = contexts;
    }

    public DeploymentTopology Topology { get; }
    public PulumiProgram Program { get; }

    /// <summary>Region name → what its adapter returned.</summary>
    public IReadOnlyDictionary<string, RegionResources> Regions { get; }

    public string Yaml => ProgramYamlWriter.Write(Program);

    public IReadOnlyList<ProgramProblem> Problems => ProgramValidator.Validate(Yaml, ProviderSchemas.LoadEmbedded());

    /// <summary>A stack of the given region objects (JSON); the first region is the active one.</summary>
    public static LinodeDigitalOceanHarness Build(params string[] regions) => Build(FlatConfig(regions));

    /// <summary>The flattened config of a stack of the given regions; the first is active, the others standby.</summary>
    public static Dictionary<string, string> FlatConfig(params string[] regions)
    {
        var nodes = regions.Select((r, i) =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(r)!;
            node["state"] = i == 0 ? "active" : "standby";
            return node.ToJsonString();
        }).ToList();
        var active = (string)System.Text.Json.Nodes.JsonNode.Parse(nodes[0])!["name"]!;
        return new Dictionary<string, string>
        {
            [$"{Project}:namePrefix"] = "shop",
            // Present (as Pulumi would pass it, decrypted); the compiler only checks that it is set.
            [$"{Project}:deployKey"] = "SENTINEL-SECRET-deployKey",
            [$"{Project}:activeRegion"] = active,
            [$"{Project}:elasticsearch"] = $$"""{"version":"9.5.7","license":"trial","clientCidrs":["{{ClientCidr}}"]}""",
            [$"{Project}:ssh"] = $$"""{"publicKeys":["{{SshKey}}"],"allowedCidrs":["{{OperatorCidr}}"]}""",
            [$"{Project}:deployer"] = $$"""{"cidrs":["{{DeployerCidr}}"]}""",
            [$"{Project}:tags"] = """{"team":"search","cost centre":"4711"}""",
            [$"{Project}:regions"] = "[" + string.Join(",", nodes) + "]",
        };
    }

    public static LinodeDigitalOceanHarness Build(Dictionary<string, string> flatConfig)
    {
        var config = StackConfigParser.Parse(Project, "test", flatConfig);
        var topology = TopologyBuilder.Build(config);
        var program = new PulumiProgram(Project);
        ClusterSecurity.AddCertificateAuthority(program, config.NamePrefix);

        var contexts = new List<(ICloudAdapter Adapter, RegionContext Context, RegionResources Resources)>();
        foreach (var region in topology.Regions)
        {
            var adapter = Adapters.Single(a => a.Cloud == region.Cloud);
            var password = ClusterSecurity.AddElasticPassword(program, region);
            var userData = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var node in region.Nodes)
            {
                var credentials = ClusterSecurity.AddNodeCertificate(program, region, node);
                userData[node.LogicalName] =
                    $"#cloud-config\nhostname: {node.Name}\nwrite_files:\n"
                    + $"  - path: /etc/elasticsearch/certs/node.crt\n    encoding: b64\n    content: {credentials.CertBase64}\n"
                    + $"runcmd:\n  - echo '{Ref.To(password, "result")}' > /dev/null\n"
                    + $"  - echo network.host={adapter.NetworkHost(node)} data={adapter.DataVolumeDevice(region, node)}\n";
            }
            var tags = new Dictionary<string, string>(config.Tags, StringComparer.Ordinal)
            {
                ["es-dr-stack"] = config.Stack,
                ["es-dr-region"] = region.Name,
            };
            var balancerUserData = region.Balancer.Kind == BalancerKind.HaProxy ? $"${{{BalancerUserDataVariable(region)}}}" : null;
            var context = new RegionContext(topology, region, program, userData, balancerUserData, tags);
            contexts.Add((adapter, context, adapter.AddRegion(context)));
        }
        var all = contexts.Select(c => c.Resources).ToList();
        foreach (var (adapter, context, resources) in contexts)
        {
            var peers = all.Where(r => r != resources).ToList();
            var region = context.Region;
            if (region.Balancer.Kind == BalancerKind.HaProxy)
            {
                program.Variable(BalancerUserDataVariable(region), NodeUserData.ComposeHaproxy(topology, region, peers, new List<RenderedFile>()));
            }
            adapter.AddFirewalls(context, resources, peers);
        }
        return new LinodeDigitalOceanHarness(topology, program,
            contexts.ToDictionary(c => c.Context.Region.Name, c => c.Resources),
            contexts.ToDictionary(c => c.Context.Region.Name, c => (c.Adapter, c.Context)));
    }

    /// <summary>Adds a host to a region through its adapter, as the compiler does once every region exists.</summary>
    public HostResources AddHost(string region, HostSpec host)
    {
        var (adapter, context) = contexts[region];
        return adapter.AddHost(context, Regions[region], host);
    }

    /// <summary>The variable holding a region's HAProxy user-data (named as the compiler names it).</summary>
    public static string BalancerUserDataVariable(RegionTopology region) => $"{region.Balancer.LogicalName}-cloud-init";

    public IEnumerable<ProgramResource> OfType(string type) => Program.Resources.Where(r => r.Type == type);

    public ProgramResource Resource(string name) => Program.Resource(name);

    public RegionTopology Region(string name) => Topology.Regions.Single(r => r.Name == name);

    public static PMap Map(object value) => Assert.IsType<PMap>(value);

    public static List<object> List(object value) => ((System.Collections.IEnumerable)value).Cast<object>().ToList();

    public static List<string> Strings(object value) => List(value).Cast<string>().ToList();
}
