using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Config (its free text escaped, <see cref="LiteralConfig"/>) → topology → resources → one <see cref="PulumiProgram"/>. Builds the whole program as data in a
/// fixed order (stack CA; the monitoring site's network and reserved address; each region's credentials,
/// user-data and resources; balancer VMs' user-data, which admits the other regions' nodes; firewalls;
/// HAProxy config pushes; database and application tiers; outputs; the monitoring host);
/// <see cref="ProgramYamlWriter"/> serialises it once.
/// </summary>
public sealed class StackCompiler(IReadOnlyList<ICloudAdapter> adapters)
{
    public static StackCompiler Default() => new(Clouds.CloudAdapters.All);

    public IReadOnlyList<ICloudAdapter> Adapters => adapters;

    /// <param name="compressedUserData">VMs (logical names) to get their compile-time files compressed (<see cref="UserDataDelivery"/>).</param>
    public (DeploymentTopology Topology, PulumiProgram Program, IReadOnlyList<RenderedFile> Files) Compile(
        StackConfig config, IReadOnlySet<string>? compressedUserData = null)
    {
        config = LiteralConfig.Of(config);
        var topology = TopologyBuilder.Build(config);
        if (compressedUserData is not null) topology = topology with { CompressedUserData = compressedUserData };
        var program = new PulumiProgram(config.Project);
        var files = new List<RenderedFile>();
        ClusterSecurity.AddCertificateAuthority(program, config.NamePrefix);

        // The monitoring host's address exists before any region, so the endpoints admit it without waiting for the host.
        var monitoring = config.Monitoring is { } m ? MonitoringSite.Prepare(topology, program, Adapter(m.Cloud)) : null;
        if (monitoring is not null) topology = monitoring.AdmittedByEndpoints(topology);
        topology = DeployerAccess.Admit(topology, monitoring?.Source);

        var regions = topology.Regions.Select(region => BuildRegion(topology, region, program, files, monitoring is not null)).ToList();
        var views = regions.Select(r => new RegionBuildView(r.Adapter, r.Context, r.Resources)).ToList();
        foreach (var build in regions)
        {
            var peers = regions.Where(r => r != build).Select(r => r.Resources).ToList();
            AddBalancerUserData(topology, build, peers, program, files, DatabaseFrontend(topology, build, views, monitoring?.Source, firstBoot: true));
            build.Adapter.AddFirewalls(build.Context, build.Resources, peers);
        }
        var pushed = DeployReach.PushedHaproxies(config).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var build in regions.Where(r => pushed.Contains(r.Context.Region.Name)))
            AddConfigPush(topology, build, regions.Where(r => r != build).Select(r => r.Resources).ToList(), program, files,
                DatabaseFrontend(topology, build, views, monitoring?.Source, firstBoot: false));

        // Application servers first: the database hosts' firewalls admit them by address.
        var applications = ApplicationTier.Add(topology, views, files);
        var databases = DatabaseTier.Add(topology, views, applications.ToDictionary(a => a.Region.Name, a => a.Members), files, monitoring?.Source);

        var regionOutputs = TierOutputs.WithTiers(
            StackOutputs.Regions(topology, regions.Select(r => new RegionOutputs(r.Context.Region, r.Resources, r.Credentials)).ToList()),
            databases, applications);
        var monitoringHost = monitoring?.AddHost(regions.Select(r => (r.Resources, Ref.To(ClusterSecurity.MonitorPasswordName(r.Context.Region), "result"))).ToList(), databases, files);
        var dns = CrossRegion.DnsFailover.Add(program, config, regions.Select(r => r.Resources).ToList());
        dns = CrossRegion.ApplicationDns.Add(program, config, applications, dns);
        CrossRegion.ReplicationSetupCommands.Add(program, config, regions.Select(r => r.Resources).ToList());
        // Last: the outputs list every resource of the program.
        StackOutputs.Add(program,
            new DeployedOutputs(config.ActiveRegion, regionOutputs, Ref.To(ClusterSecurity.CaCert, "certPem"))
            {
                // The monitoring site only once its host exists (AddHost made it).
                Monitoring = monitoring is not null && monitoringHost is not null ? monitoring.Output(monitoringHost) : null,
                Dns = dns,
            },
            topology.Regions, TierOutputs.DatabaseCredentials(databases));
        return (topology, program, files);
    }

    private sealed record RegionBuild(
        ICloudAdapter Adapter, RegionContext Context, RegionResources Resources, IReadOnlyDictionary<string, IReadOnlyList<string>> Credentials);

    private ICloudAdapter Adapter(Cloud cloud) => adapters.Single(a => a.Cloud == cloud);

    private RegionBuild BuildRegion(DeploymentTopology topology, RegionTopology region, PulumiProgram program, List<RenderedFile> files, bool monitored)
    {
        var adapter = Adapter(region.Cloud);
        var password = ClusterSecurity.AddElasticPassword(program, region);
        var monitorHash = monitored ? Ref.To(ClusterSecurity.AddMonitorPassword(program, region), "bcryptHash") : null;
        var userData = new Dictionary<string, string>(StringComparer.Ordinal);
        var credentials = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var certificates = region.Nodes.Select(node => ClusterSecurity.AddNodeCertificate(program, region, node)).ToList();
        // Rendering a node's user-data changes nothing shared (each node's files go to a list of its own, kept in node
        // order): the nodes are rendered at once, a third of a large compile's building otherwise.
        var rendered = region.Nodes.Select((node, i) => (Node: node, Tls: certificates[i])).AsParallel().AsOrdered()
            .Select(n =>
            {
                var own = new List<RenderedFile>();
                return (n.Node, n.Tls, UserData: NodeUserData.Compose(topology, region, n.Node, adapter, n.Tls, Ref.To(password, "result"), own, monitorHash), Files: own);
            })
            .ToList();
        foreach (var (node, tls, nodeUserData, nodeFiles) in rendered)
        {
            userData[node.LogicalName] = nodeUserData;
            credentials[node.LogicalName] = tls.ResourceNames;
            files.AddRange(nodeFiles);
        }
        // The HAProxy VM's user-data admits the other regions' nodes by address, known only once every
        // region's resources exist: adapters get a reference now, the variable is filled in afterwards.
        var balancerUserData = region.Balancer.Kind == BalancerKind.HaProxy ? $"${{{BalancerUserDataVariable(region)}}}" : null;
        var context = new RegionContext(topology, region, program, userData, balancerUserData, Tags(topology.Config, region));
        return new RegionBuild(adapter, context, adapter.AddRegion(context), credentials);
    }

    private static void AddBalancerUserData(
        DeploymentTopology topology, RegionBuild build, IReadOnlyList<RegionResources> peers, PulumiProgram program, List<RenderedFile> files,
        HaproxyDatabase? database)
    {
        var region = build.Context.Region;
        if (region.Balancer.Kind != BalancerKind.HaProxy) return;
        program.Variable(BalancerUserDataVariable(region), NodeUserData.ComposeHaproxy(topology, region, peers, files, database));
    }

    private static void AddConfigPush(
        DeploymentTopology topology, RegionBuild build, IReadOnlyList<RegionResources> peers, PulumiProgram program, List<RenderedFile> files,
        HaproxyDatabase? database)
    {
        var region = build.Context.Region;
        var config = HaproxyConfig.Render(NodeUserData.HaproxySettings(topology, region, peers, firstBoot: false) with { Database = database });
        files.Add(new RenderedFile(region.Name, region.Balancer.Name, CloudInit.HaproxyConfigFile + " (pushed)", config));
        HaproxyConfigPush.Add(program, build.Resources, build.Adapter.AdminUser, config);
    }

    private static HaproxyDatabase? DatabaseFrontend(
        DeploymentTopology topology, RegionBuild build, IReadOnlyList<RegionBuildView> views, string? monitoringSource, bool firstBoot) =>
        DatabaseTier.HaproxyFrontend(topology, views.Single(v => v.Context == build.Context), views, monitoringSource, firstBoot);

    private static string BalancerUserDataVariable(RegionTopology region) => $"{region.Balancer.LogicalName}-cloud-init";

    private static Dictionary<string, string> Tags(StackConfig config, RegionTopology region) =>
        new(config.Tags, StringComparer.Ordinal)
        {
            ["es-dr-stack"] = config.Stack,
            ["es-dr-region"] = region.Name,
        };
}
