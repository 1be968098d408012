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
        files.Add(new RenderedFile(region.Name, node.Name, "user-data (cloud-init)", userData));
        return userData;
    }

    public static string ComposeHaproxy(
        DeploymentTopology topology, RegionTopology region, IReadOnlyList<string> peerAddresses, ICollection<RenderedFile> files)
    {
        var frontend = HaproxySettings(topology, region, peerAddresses);
        var userData = CloudInit.RenderHaproxyHost(new HaproxyUserData(frontend, ClusterSecurity.CaCertBase64Ref, topology.Config.Ssh.PublicKeys)
        {
            // The VM filters SSH itself too: on OVH nothing else does.
            SshSources = topology.Config.Ssh.AllowedCidrs.Prepend(region.Network.Cidr).Distinct(StringComparer.Ordinal).ToList(),
        });
        files.Add(new RenderedFile(region.Name, region.Balancer.Name, CloudInit.HaproxyConfigFile, HaproxyConfig.Render(frontend)));
        files.Add(new RenderedFile(region.Name, region.Balancer.Name, "user-data (cloud-init)", userData));
        return userData;
    }

    /// <summary>
    /// HAProxy fronts the region's own nodes, and passes the transport port through for CCR proxy mode.
    /// It filters sources itself as well as behind any cloud firewall (OVH has none): clients, the region's
    /// own network and the other regions' nodes on 9200; only the other regions' nodes on 9300.
    /// </summary>
    public static HaproxyFrontendSettings HaproxySettings(DeploymentTopology topology, RegionTopology region, IReadOnlyList<string> peerAddresses)
    {
        var es = topology.Config.Elasticsearch;
        return new(region.Nodes.Select(n => new HaproxyServer(n.Name, n.PrivateIp ?? n.DnsName!, es.HttpPort)).ToList(), "/etc/haproxy/es-ca.crt")
        {
            HttpPort = es.HttpPort,
            TransportPort = es.TransportPort,
            ProxyTransport = true,
            HttpSources = es.ClientCidrs.Prepend(region.Network.Cidr).Concat(peerAddresses).Distinct(StringComparer.Ordinal).ToList(),
            TransportSources = peerAddresses,
        };
    }
}
