using EsDr.Infra.Renderers;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Composes each VM's first-boot user-data from the topology with the renderers. Values known only at
/// deploy time (certificates, passwords) go in as Pulumi interpolations.
/// </summary>
public static class NodeUserData
{
    /// <summary>Every node holds every role; small DR clusters do not split masters from data nodes.</summary>
    private static readonly string[] Roles = ["master", "data", "ingest", "remote_cluster_client"];

    public static ElasticsearchNodeSettings Settings(RegionTopology region, EsNode node, ICloudAdapter adapter) =>
        new(region.ClusterName, node.Name, Roles, adapter.NetworkHost(node), region.SeedHosts,
            // Only founding nodes ever carry cluster.initial_master_nodes, and cloud-init runs on first
            // boot only, so a replaced or added node joins the running cluster instead of bootstrapping one.
            node.IsFounding ? region.Nodes.Where(n => n.Ordinal <= TopologyBuilder.FoundingNodeCount).Select(n => n.Name).ToList() : [])
        {
            Zone = node.Zone,
            // Nodes found by DNS name (DigitalOcean) publish addresses unknown when their certificates are
            // issued, so their peers check the chain against the stack CA but not the address.
            TransportVerification = node.PrivateIp is null ? "certificate" : "full",
        };

    public static string Compose(
        DeploymentTopology topology, RegionTopology region, EsNode node, ICloudAdapter adapter,
        NodeCredentials credentials, string elasticPassword, ICollection<RenderedFile> files, string? monitorPasswordHash = null)
    {
        var settings = Settings(region, node, adapter);
        var addOns = adapter.AddOns(region, node);
        var userData = CloudInit.Render(new ElasticsearchUserData(
            settings,
            topology.Config.Elasticsearch.Version,
            region.HeapGb,
            topology.Config.Ssh.PublicKeys,
            adapter.DataVolumeDevice(region, node),
            ClusterSecurity.CaCertBase64Ref,
            credentials.CertBase64,
            credentials.KeyBase64,
            elasticPassword)
        {
            ExtraFiles = addOns.Files,
            ExtraRunCommands = addOns.RunCommands,
            MonitorPasswordHash = monitorPasswordHash,
        });
        files.Add(new RenderedFile(region.Name, node.Name, "/etc/elasticsearch/elasticsearch.yml", ElasticsearchYml.Render(settings)));
        return UserDataDelivery.Deliver(topology, node.LogicalName, region.Name, node.Name, userData, files);
    }

    /// <summary>
    /// The HAProxy VM's port that always reaches its own region's cluster (<see cref="HaproxyFrontendSettings.ClusterPort"/>),
    /// while its HTTP port follows the active region: what the replication set-up and other regions' HAProxy use.
    /// </summary>
    public const int HaproxyClusterPort = 9210;

    public const string HaproxyCaFile = "/etc/haproxy/es-ca.crt";

    /// <summary>
    /// The HAProxy VM's first-boot user-data. Its haproxy.cfg is <see cref="HaproxySettings"/> with
    /// <c>firstBoot</c>: nothing that names another region's HAProxy VM, whose own user-data names this region's
    /// nodes (that would be a dependency cycle). The complete config follows from <see cref="HaproxyConfigPush"/>.
    /// </summary>
    /// <param name="database">The region's database frontend (<see cref="DatabaseTier.HaproxyFrontend"/>, first-boot form), or null.</param>
    public static string ComposeHaproxy(
        DeploymentTopology topology, RegionTopology region, IReadOnlyList<RegionResources> peers, ICollection<RenderedFile> files,
        HaproxyDatabase? database = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var frontend = HaproxySettings(topology, region, peers, firstBoot: true) with { Database = database };
        var userData = CloudInit.RenderHaproxyHost(new HaproxyUserData(frontend, ClusterSecurity.CaCertBase64Ref, topology.Config.Ssh.PublicKeys)
        {
            // The VM filters SSH itself too: on OVH nothing else does. The deployers push its config.
            SshSources = topology.Config.Ssh.AllowedCidrs.Concat(topology.DeployerSources).Prepend(region.Network.Cidr).Distinct(StringComparer.Ordinal).ToList(),
        });
        files.Add(new RenderedFile(region.Name, region.Balancer.Name, CloudInit.HaproxyConfigFile + " (first boot)", HaproxyConfig.Render(frontend)));
        return UserDataDelivery.Deliver(topology, region.Balancer.LogicalName, region.Name, region.Balancer.Name, userData, files);
    }

    /// <summary>
    /// What a region's HAProxy fronts. Client traffic on the HTTP port follows the active region
    /// (<see cref="HaproxyBackends.Failover"/>): its nodes are the servers, the standby regions' nodes backups — this
    /// region's own by their private addresses, the others' by their public addresses on the HTTP port or, where
    /// nodes have no public interface (OVH), through their HAProxy's <see cref="HaproxyClusterPort"/>. The transport
    /// port and the cluster port always reach this region's own nodes. Sources are filtered here as well as by any
    /// cloud firewall (OVH has none): clients, the region's own network, the other regions' nodes and HAProxy VMs on
    /// the HTTP and cluster ports; only the other regions' nodes on the transport port.
    /// </summary>
    /// <param name="firstBoot">
    /// Leave out whatever names another region's HAProxy VM (servers through it, its address as a source): the
    /// first-boot config, written before those VMs exist. With nothing to serve, the region's own nodes are the servers.
    /// </param>
    public static HaproxyFrontendSettings HaproxySettings(
        DeploymentTopology topology, RegionTopology region, IReadOnlyList<RegionResources> peers, bool firstBoot = true)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(peers);
        var es = topology.Config.Elasticsearch;
        var own = region.Nodes.Select(n => new HaproxyServer(n.Name, n.PrivateIp ?? n.DnsName!, es.HttpPort)).ToList();
        var backends = topology.Regions.Select(r => r.Name == region.Name
            ? new RegionBackends(r.Name, Role(topology, r), own)
            // A region not (yet) among the peers contributes nothing.
            : new RegionBackends(r.Name, Role(topology, r),
                peers.FirstOrDefault(p => p.Region.Name == r.Name) is { } peer ? PeerServers(peer, es.HttpPort, firstBoot) : []))
            .ToList();
        var servers = HaproxyBackends.Failover(backends);
        // The active region is out of reach until the push (first boot, active region behind its own HAProxy):
        // serve this region's own nodes meanwhile, keeping the other standby regions as backups.
        if (servers.All(s => s.IsBackup))
            servers = HaproxyBackends.Failover(backends.Select(b =>
                b.Region == region.Name ? b with { Role = TrafficRole.Active } : b.Role == TrafficRole.Active ? b with { Role = TrafficRole.None } : b));
        var peerSources = RegionResources.PeerSources(peers);
        var balancerSources = firstBoot ? [] : RegionResources.PeerBalancerSources(peers);
        return new(servers, HaproxyCaFile)
        {
            LocalServers = own,
            ClusterPort = HaproxyClusterPort,
            HttpPort = es.HttpPort,
            TransportPort = es.TransportPort,
            ProxyTransport = true,
            HttpSources = es.ClientCidrs.Prepend(region.Network.Cidr).Concat(peerSources).Concat(balancerSources).Distinct(StringComparer.Ordinal).ToList(),
            TransportSources = peerSources,
            Application = Application(topology.Config, region),
        };
    }

    /// <summary>
    /// The region's application pool on its HAProxy VM: servers at their fixed private addresses (literals, so the VM's
    /// user-data does not wait for them while they name the VM's endpoint in theirs).
    /// </summary>
    private static HaproxyApplication? Application(Config.StackConfig config, RegionTopology region)
    {
        if (config.Application is not { } app || region.Applications.Count == 0) return null;
        var servers = region.Applications.Select(h => (h.Name,
            h.PrivateIp ?? throw new InvalidOperationException($"region '{region.Name}': application server {h.Name} behind HAProxy needs a fixed private address"))).ToList();
        return new HaproxyApplication(app.PublicPort, app.Port, app.HealthPath, servers, app.ClientCidrs);
    }

    private static TrafficRole Role(DeploymentTopology topology, RegionTopology region) =>
        region.Name == topology.Config.ActiveRegion ? TrafficRole.Active
        : region.Config.State == Config.RegionState.Standby ? TrafficRole.Standby
        : TrafficRole.None;

    /// <summary>Another region's nodes as this HAProxy reaches them over the internet.</summary>
    private static List<HaproxyServer> PeerServers(RegionResources peer, int httpPort, bool firstBoot)
    {
        if (peer.NodesArePublic)
            return peer.Nodes.Select(n => new HaproxyServer(n.Node.Name, n.PublicIp, httpPort)).ToList();
        // Only that region's HAProxy is public; its cluster port reaches its own nodes and never forwards further,
        // so two HAProxy VMs can never send traffic back and forth between them.
        return firstBoot || peer.Region.Balancer.Kind != Config.BalancerKind.HaProxy
            ? []
            : [new HaproxyServer($"{peer.Region.Name}-cluster", peer.EndpointHost, HaproxyClusterPort)];
    }
}
