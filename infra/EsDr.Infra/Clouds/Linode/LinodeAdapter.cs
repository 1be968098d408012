using System.Globalization;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Clouds.Linode;

/// <summary>
/// A region on Linode: a VPC with one subnet per topology subnet, one instance per node on its fixed VPC
/// address, a Block Storage volume per node, a NodeBalancer (or, with <c>loadBalancer.kind: haproxy</c>, an
/// HAProxy instance) in front, and Cloud Firewalls on the instances and the balancer. See README.md beside
/// this file for how the balancer's health check works.
/// </summary>
public sealed class LinodeAdapter : ICloudAdapter
{
    public const string DefaultImage = "linode/debian12";

    /// <summary>
    /// The node-local front door (<see cref="LinodeFrontDoor"/>) the NodeBalancer forwards to and checks: TLS
    /// passes through to Elasticsearch untouched, plain HTTP may only ask for cluster health.
    /// </summary>
    public const int FrontDoorPort = LinodeFrontDoor.Port;

    /// <summary>
    /// The front door's transport listener, the backend port of the NodeBalancer's transport config: TLS passes
    /// through to Elasticsearch's transport port (cross-cluster replication in proxy mode), plain HTTP may only
    /// ask for cluster health, so that config is checked the same way as the HTTP one.
    /// </summary>
    public const int FrontDoorTransportPort = LinodeFrontDoor.TransportPort;

    /// <summary>
    /// What the NodeBalancer asks each backend. Linode's API accepts only <c>[a-zA-Z0-9/\-%?&amp;=.]</c> in
    /// <c>check_path</c> (no underscore), so the underscores are percent-encoded; it decodes to
    /// <see cref="HealthCheckTarget"/>. Red answers 408, no elected master 503: either fails the check.
    /// </summary>
    public const string HealthCheckPath = "/%5Fcluster/health?wait%5Ffor%5Fstatus=yellow&timeout=1s";

    /// <summary>The request Elasticsearch finally answers (the front door rewrites every health check to it).</summary>
    public const string HealthCheckTarget = "/_cluster/health?wait_for_status=yellow&timeout=1s";

    /// <summary>
    /// How far below the end of the region's first subnet the /30 the NodeBalancer talks to VPC backends from
    /// starts (x.x.x.248/30 in a /24). Linode requires every address of that range to be free, so it sits at the
    /// top of the subnet, clear of the fixed hosts at the bottom (HAProxy 5, database 6, nodes 11 up, application
    /// servers 21 up) and of the subnet's last address, which Linode reserves.
    /// </summary>
    public const uint NodeBalancerRangeFromEnd = 8;

    /// <summary>The HAProxy instance's plan when config names no <c>loadBalancer.size</c>.</summary>
    public const string DefaultHaproxyType = "g6-nanode-1";

    /// <summary>
    /// The cluster CA's PEM on a node, as the renderer writes it: the front door verifies Elasticsearch against it.
    /// </summary>
    public const string NodeCaFile = CloudInit.ElasticsearchConfigDir + "/" + ElasticsearchYml.CaCertificateFile;

    /// <summary>
    /// Elasticsearch's HTTP port as the front door forwards to it. <see cref="AddOns"/> sees only the region and
    /// the node, not the stack config, so the port is fixed here and <see cref="AddRegion"/> refuses a stack whose
    /// HTTP port differs (config does not make it configurable today).
    /// </summary>
    public const int FrontDoorElasticsearchPort = 9200;

    /// <summary>Elasticsearch's transport port as the front door forwards to it; fixed for the same reason.</summary>
    public const int FrontDoorElasticsearchTransportPort = 9300;

    private const string VpcPurpose = "vpc";
    private const int ShortLabel = 32;   // volumes, NodeBalancers, firewalls
    private const int LongLabel = 64;    // instances, VPCs, subnets
    private const int MaxTag = 50;
    private const string InstanceType = "linode:index/instance:Instance";

    public Cloud Cloud => Cloud.Linode;

    /// <summary>Linode's metadata service takes at most 65 535 bytes of user-data, counted unencoded.</summary>
    public UserDataLimit UserDataLimit { get; } = new("Linode", 65_535, UserDataCount.Raw, "unencoded");

    /// <summary>What goes inside the <c>fn::toBase64</c> of <c>metadatas[0].userData</c> (the metadata service wants base64).</summary>
    public object? UserDataOf(ProgramResource resource) =>
        resource is { Type: InstanceType } && resource.Properties.ContainsKey("metadatas")
        && resource.Properties["metadatas"] is IReadOnlyList<object> and [PMap metadata]
        && metadata.ContainsKey("userData") && metadata["userData"] is PMap encoded && encoded.ContainsKey("fn::toBase64")
            ? encoded["fn::toBase64"]
            : null;

    /// <summary>Linode exposes an attached volume under a stable by-id name made of its label.</summary>
    public string? DataVolumeDevice(RegionTopology region, EsNode node) =>
        $"/dev/disk/by-id/scsi-0Linode_Volume_{VolumeLabel(node)}";

    /// <summary>The node's fixed VPC address: the only interface the instance has (see <see cref="AddRegion"/>).</summary>
    public string NetworkHost(EsNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.PrivateIp ?? throw new InvalidOperationException($"Linode node {node.Name} has no fixed private address");
    }

    /// <summary>
    /// Behind a NodeBalancer every node runs the health-check front door (<see cref="LinodeFrontDoor"/>): the
    /// balancer's plain-HTTP check cannot reach Elasticsearch's TLS port. Behind HAProxy nothing is added:
    /// HAProxy checks the nodes over TLS itself.
    /// </summary>
    public NodeAddOns AddOns(RegionTopology region, EsNode node)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(node);
        return region.Balancer.Kind == BalancerKind.NodeBalancer
            ? new NodeAddOns(
                [LinodeFrontDoor.ConfigFile(node, NodeCaFile, FrontDoorElasticsearchPort, FrontDoorElasticsearchTransportPort)],
                LinodeFrontDoor.RunCommands)
            : NodeAddOns.None;
    }

    public RegionResources AddRegion(RegionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var region = context.Region;
        var program = context.Program;
        var prefix = context.Config.NamePrefix;
        var location = region.Config.Location;
        var tags = Tags(context);
        var kind = region.Balancer.Kind;
        if (kind is not (BalancerKind.NodeBalancer or BalancerKind.HaProxy))
            throw new NotSupportedException($"region '{region.Name}': Linode regions are fronted by a NodeBalancer or HAProxy, not '{StackConfigParser.Spell(kind)}'");
        if (kind == BalancerKind.NodeBalancer && context.Config.Elasticsearch.HttpPort != FrontDoorElasticsearchPort)
            throw new NotSupportedException($"region '{region.Name}': the NodeBalancer's front door forwards to Elasticsearch on {Port(FrontDoorElasticsearchPort)}");
        if (kind == BalancerKind.NodeBalancer && context.Config.Elasticsearch.TransportPort != FrontDoorElasticsearchTransportPort)
            throw new NotSupportedException($"region '{region.Name}': the NodeBalancer's front door forwards to Elasticsearch's transport on {Port(FrontDoorElasticsearchTransportPort)}");

        var (subnets, network) = AddNetwork(context);
        network.Add(NodeFirewallName(region));
        network.Add(LinodeIds.CastName(NodeFirewallName(region)));

        // Exactly one of the two: the NodeBalancer's backend /30 (offset 4) covers the HAProxy instance's
        // fixed address (offset 5), so they can never share a region.
        NodeBalancerResources? nodeBalancer = null;
        ProgramResource? haproxy = null;
        if (kind == BalancerKind.NodeBalancer) nodeBalancer = AddBalancer(context, subnets[region.Network.Subnets[0]], tags);
        else haproxy = AddHaproxy(context, subnets[region.Network.Subnets[0]], tags);

        var nodes = new List<NodeResources>();
        foreach (var node in region.Nodes)
        {
            var subnet = subnets[node.Subnet];
            var instance = AddInstance(context, node, subnet, tags);
            var device = AttachFirewall(context, $"{node.LogicalName}-fw-device", NodeFirewallName(region), instance);
            var volume = program.Add($"{node.LogicalName}-data", "linode:index/volume:Volume",
                new PMap
                {
                    { "label", VolumeLabel(node) },
                    { "region", location },
                    { "size", region.Config.Elasticsearch.VolumeGb },
                    { "linodeId", LinodeIds.Of(program, instance.Name) },
                    { "tags", tags },
                },
                Pinned());
            var names = new List<string> { instance.Name, LinodeIds.CastName(instance.Name), volume.Name, device.Name };
            if (nodeBalancer is { } nb)
            {
                names.Add(AddBackend(context, $"{node.LogicalName}-lb-node", node, instance, subnet, nb.Balancer, nb.Http, FrontDoorPort).Name);
                names.Add(AddBackend(context, $"{node.LogicalName}-lb-node-{Port(context.Config.Elasticsearch.TransportPort)}", node, instance, subnet,
                    nb.Balancer, nb.Transport, FrontDoorTransportPort).Name);
            }
            nodes.Add(new NodeResources(node, instance.Out("ipAddress"), NetworkHost(node), names));
        }

        var http = Port(context.Config.Elasticsearch.HttpPort);
        if (haproxy is not null)
        {
            return new RegionResources(
                region,
                nodes,
                $"https://{haproxy.Out("ipAddress")}:{http}",
                [haproxy.Name, BalancerFirewallName(region), LinodeIds.CastName(BalancerFirewallName(region))],
                network);
        }
        var (balancer, httpConfig, transportConfig) = nodeBalancer!;
        return new RegionResources(
            region,
            nodes,
            $"https://{balancer.Out("ipv4")}:{http}",
            new[] { balancer.Name, httpConfig.Name, transportConfig.Name, BalancerFirewallName(region) }
                .SelectMany(name => new[] { name, LinodeIds.CastName(name) })
                .ToList(),
            network);
    }

    /// <summary>The region's VPC and one subnet per topology subnet; returns the subnets and every network resource name.</summary>
    private static (Dictionary<Subnet, ProgramResource> Subnets, List<string> Names) AddNetwork(RegionContext context)
    {
        var region = context.Region;
        var program = context.Program;
        var prefix = context.Config.NamePrefix;
        var location = region.Config.Location;
        var vpc = program.Add($"{region.Key}-vpc", "linode:index/vpc:Vpc",
            new PMap
            {
                { "label", Label($"{prefix}-{region.Key}", LongLabel) },
                { "region", location },
            },
            Pinned());

        var subnets = new Dictionary<Subnet, ProgramResource>();
        var network = new List<string> { vpc.Name, LinodeIds.CastName(vpc.Name) };
        for (var i = 0; i < region.Network.Subnets.Count; i++)
        {
            var subnet = region.Network.Subnets[i];
            var suffix = SubnetSuffix(region, i);
            subnets[subnet] = program.Add(SubnetName(region, i), "linode:index/vpcSubnet:VpcSubnet",
                new PMap
                {
                    { "vpcId", LinodeIds.Of(program, vpc.Name) },
                    { "label", Label($"{prefix}-{region.Key}{suffix}", LongLabel) },
                    { "ipv4", subnet.Cidr },
                },
                Pinned());
            network.Add(subnets[subnet].Name);
            network.Add(LinodeIds.CastName(subnets[subnet].Name));
        }
        return (subnets, network);
    }

    /// <summary>The monitoring site: a VPC and its subnet, nothing else (hosts bring their own firewalls).</summary>
    public RegionResources AddSite(RegionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (_, network) = AddNetwork(context);
        return new RegionResources(context.Region, [], "", [], network);
    }

    /// <summary>
    /// A reserved public IPv4 address in the site's location. <see cref="AddHost"/> assigns it at creation and NATs
    /// it onto the host's VPC address, so the host's traffic leaves from it.
    /// </summary>
    public ReservedAddress ReserveAddress(RegionContext context, string logicalName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ip = context.Program.Add(logicalName, "linode:index/networkingIp:NetworkingIp",
            new PMap
            {
                { "type", "ipv4" },
                { "public", true },
                { "reserved", true },
                { "region", context.Region.Config.Location },
            },
            Pinned());
        return new ReservedAddress(ip.Name, ip.Out("address"));
    }

    /// <summary>The NodeBalancer, its HTTP config and its transport config.</summary>
    private sealed record NodeBalancerResources(ProgramResource Balancer, ProgramResource Http, ProgramResource Transport);

    /// <summary>The node as a backend of one NodeBalancer config: one of its front door's listeners on its VPC address.</summary>
    private ProgramResource AddBackend(
        RegionContext context, string logicalName, EsNode node, ProgramResource instance, ProgramResource subnet,
        ProgramResource balancer, ProgramResource config, int frontDoorPort)
    {
        var program = context.Program;
        return program.Add(logicalName, "linode:index/nodeBalancerNode:NodeBalancerNode",
            new PMap
            {
                { "nodebalancerId", LinodeIds.Of(program, balancer.Name) },
                { "configId", LinodeIds.Of(program, config.Name) },
                { "label", Label(node.Name, ShortLabel) },
                // A VPC backend: its VPC address and the subnet it lives in.
                { "address", $"{NetworkHost(node)}:{Port(frontDoorPort)}" },
                { "subnetId", LinodeIds.Of(program, subnet.Name) },
                { "mode", "accept" },
                { "weight", 100 },
            },
            // The address is a literal, so nothing else orders this after the instance.
            Pinned(new ResourceOptions { DependsOn = [instance.Name] }));
    }

    public void AddFirewalls(RegionContext context, RegionResources own, IReadOnlyList<RegionResources> peers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(peers);
        var region = context.Region;
        var config = context.Config;
        var es = config.Elasticsearch;
        var esPorts = $"{Port(es.HttpPort)}, {Port(es.TransportPort)}";
        var peerHosts = RegionResources.PeerSources(peers);
        var prefix = config.NamePrefix;
        var haproxy = region.Balancer.Kind == BalancerKind.HaProxy;

        // Nodes: everything inbound is dropped except what is listed; outbound is open (packages, peers). The
        // private network holds the region's application servers and, with HAProxy, the HAProxy instance.
        var inbound = new List<object> { Rule("es-private-network", esPorts, [region.Network.Cidr]) };
        // The front door exists only behind a NodeBalancer (see AddOns); HAProxy checks Elasticsearch itself.
        // (The private-network rule already admits 9200 and 9300 from the balancer's range, which is inside it.)
        if (!haproxy) inbound.Add(Rule("es-front-door-balancer", $"{Port(FrontDoorPort)}, {Port(FrontDoorTransportPort)}", [NodeBalancerRange(region)]));
        if (peerHosts.Count > 0) inbound.Add(Rule("es-other-regions", esPorts, peerHosts));
        // The other regions' HAProxy VMs check these nodes and send them traffic when this region is active or standby.
        var peerBalancers = RegionResources.PeerBalancerSources(peers);
        if (peerBalancers.Count > 0) inbound.Add(Rule("es-other-regions-haproxy", Port(es.HttpPort), peerBalancers));
        if (config.Ssh.AllowedCidrs.Count > 0) inbound.Add(Rule("ssh-operators", "22", config.Ssh.AllowedCidrs));
        // Attached to each node by a FirewallDevice (see AttachFirewall), never by the nodes' firewallId.
        AddFirewall(context, NodeFirewallName(region), $"{prefix}-{region.Key}-es", inbound);

        // The regional endpoint (9200): the configured client networks, the region's own private network
        // (in-region application servers) and the other regions' nodes; never the whole internet, and not the
        // SSH networks (those are for port 22 only).
        var clients = es.ClientCidrs.Append(region.Network.Cidr).Concat(peerHosts).Distinct(StringComparer.Ordinal).ToList();
        var balancerInbound = new List<object> { Rule("es-clients", Port(es.HttpPort), clients) };
        // Either balancer passes the transport port through for CCR in proxy mode: only the other regions'
        // nodes dial it, so only they are admitted (none in a one-region stack: the DROP policy then closes it).
        if (peerHosts.Count > 0) balancerInbound.Add(Rule("es-transport-other-regions", Port(es.TransportPort), peerHosts));
        if (haproxy)
        {
            // HAProxy's own health endpoint answers the private network only; SSH the operators.
            // The cluster port reaches this region's own cluster whichever region is active (replication set-up).
            balancerInbound.Add(Rule("es-cluster", Port(NodeUserData.HaproxyClusterPort), clients));
            balancerInbound.Add(Rule("haproxy-monitor", Port(NodeUserData.HaproxySettings(context.Topology, region, []).MonitorPort), [region.Network.Cidr]));
            balancerInbound.Add(Rule("ssh-operators", "22", config.Ssh.AllowedCidrs));
            // The machines that push its config (DeployerAccess).
            if (context.Topology.DeployerSources.Count > 0) balancerInbound.Add(Rule("ssh-deployers", "22", context.Topology.DeployerSources));
        }
        if (config.Application is { } app && region.Applications.Count > 0)
            balancerInbound.Add(Rule("app-clients", Port(app.PublicPort), app.ClientCidrs));
        // (Only inbound rules apply to NodeBalancers; for the HAProxy instance outbound is open for packages.)
        AddFirewall(context, BalancerFirewallName(region), $"{prefix}-{region.Key}-lb", balancerInbound);
    }

    /// <summary>
    /// A VM on the region's VPC at <see cref="HostSpec.PrivateIp"/>, built like a node (same image, keys, tags,
    /// one VPC interface with the public address NATed onto it, user-data read at first boot only), behind
    /// its own Cloud Firewall: inbound dropped except <see cref="HostSpec.Inbound"/> and SSH from the
    /// operators; outbound open (packages, replication to other regions). The firewall is attached by its own
    /// <see cref="AttachFirewall">FirewallDevice</see>: its rules name other hosts by address, so the VM must not
    /// wait for it.
    /// </summary>
    public HostResources AddHost(RegionContext context, RegionResources region, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(host);
        var topology = context.Region;
        var config = context.Config;
        var ip = host.PrivateIp
            ?? throw new InvalidOperationException($"region '{topology.Name}': Linode host {host.Name} needs a fixed private address");
        var subnetIndex = SubnetIndexOf(topology, ip)
            ?? throw new InvalidOperationException($"region '{topology.Name}': Linode host {host.Name}'s address {ip} is in none of the region's subnets");

        var inbound = new List<object>();
        foreach (var rule in host.Inbound)
        {
            RefuseTheInternet(host, rule);
            // A rule nobody may use (say, other regions' hosts in a one-region stack) is left out: DROP closes it.
            if (rule.Sources.Count > 0) inbound.Add(Rule(Label(rule.Label, ShortLabel), Port(rule.Port), rule.Sources));
        }
        if (config.Ssh.AllowedCidrs.Count > 0) inbound.Add(Rule("ssh-operators", "22", config.Ssh.AllowedCidrs));
        var firewall = AddFirewall(context, HostFirewallName(host), host.Name, inbound);

        var subnet = context.Program.Resource(SubnetName(topology, subnetIndex));
        var instance = AddInstance(context, host.LogicalName, host.Name, host.Size, ip, subnet, firewallName: null, host.UserData, Tags(context),
            host.PublicAddress?.Address);
        var device = AttachFirewall(context, $"{host.LogicalName}-fw-device", firewall.Name, instance);
        return new HostResources(host.PublicAddress?.Address ?? instance.Out("ipAddress"), ip,
            [instance.Name, LinodeIds.CastName(instance.Name), firewall.Name, LinodeIds.CastName(firewall.Name), device.Name]);
    }

    /// <summary>
    /// Attaches a firewall to an instance by its own resource rather than the instance's <c>firewallId</c>. Rules
    /// name other VMs' public addresses (other regions' nodes, the database peers), so with <c>firewallId</c> two
    /// instances that admit each other would each wait for the other through its own firewall: a cycle Pulumi
    /// refuses. The attachment follows the instance within seconds, long before cloud-init has installed anything
    /// that listens (Elasticsearch, MySQL).
    /// </summary>
    private static ProgramResource AttachFirewall(RegionContext context, string logicalName, string firewallName, ProgramResource instance) =>
        context.Program.Add(logicalName, "linode:index/firewallDevice:FirewallDevice",
            new PMap
            {
                { "firewallId", LinodeIds.Of(context.Program, firewallName) },
                { "entityId", LinodeIds.Of(context.Program, instance.Name) },
                { "entityType", "linode" },
            },
            Pinned());

    /// <summary>A NodeBalancer reaches its VPC backends from its fixed /30; a HAProxy VM from its fixed VPC address.</summary>
    public IReadOnlyList<string> ApplicationBalancerSources(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.Balancer.Kind == BalancerKind.HaProxy
            ? [$"{region.Balancer.PrivateIp ?? throw new InvalidOperationException($"region '{region.Name}': the HAProxy VM has no fixed private address")}/32"]
            : [NodeBalancerRange(region)];
    }

    /// <summary>
    /// The application on the region's NodeBalancer: a TCP config on the public port (the application speaks
    /// whatever it speaks) whose plain-HTTP check asks each server for the health path, and each server as a VPC
    /// backend on the application port. The balancer's firewall admits the public port from
    /// <c>application.clientCidrs</c> (<see cref="AddFirewalls"/>).
    /// </summary>
    public ApplicationResources AddApplicationPool(RegionContext context, RegionResources region, ApplicationPool pool)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(pool);
        var topology = context.Region;
        var program = context.Program;
        if (topology.Balancer.Kind == BalancerKind.HaProxy)
        {
            // The VM's haproxy.cfg carries the application frontend (NodeUserData.HaproxySettings); its firewall
            // admits the public port from the clients (AddFirewalls). Nothing more to create.
            var vm = program.Resource(topology.Balancer.LogicalName).Out("ipAddress");
            return new ApplicationResources($"http://{vm}:{Port(pool.PublicPort)}", vm, []);
        }
        if (topology.Balancer.Kind != BalancerKind.NodeBalancer)
            throw new NotSupportedException($"region '{topology.Name}': application pools need a NodeBalancer or HAProxy on Linode");
        var balancer = program.Resource(topology.Balancer.LogicalName);
        var config = program.Add($"{topology.Balancer.LogicalName}-{Port(pool.PublicPort)}", "linode:index/nodeBalancerConfig:NodeBalancerConfig",
            new PMap
            {
                { "nodebalancerId", LinodeIds.Of(program, balancer.Name) },
                { "port", pool.PublicPort },
                { "protocol", "tcp" },
                { "algorithm", "leastconn" },
                { "stickiness", "none" },
                { "proxyProtocol", "none" },
                { "check", "http" },
                { "checkPath", pool.HealthPath },
                { "checkInterval", 5 },
                { "checkTimeout", 3 },
                { "checkAttempts", 2 },
                { "checkPassive", true },
            },
            Pinned());
        var names = new List<string> { config.Name, LinodeIds.CastName(config.Name) };
        var subnet = program.Resource(SubnetName(topology, 0));
        foreach (var member in pool.Members)
        {
            var ip = member.Host.PrivateIp
                ?? throw new InvalidOperationException($"region '{topology.Name}': Linode application server {member.Host.Name} needs a fixed private address");
            var node = program.Add($"{member.Host.LogicalName}-lb-node", "linode:index/nodeBalancerNode:NodeBalancerNode",
                new PMap
                {
                    { "nodebalancerId", LinodeIds.Of(program, balancer.Name) },
                    { "configId", LinodeIds.Of(program, config.Name) },
                    { "label", Label(member.Host.Name, ShortLabel) },
                    { "address", $"{ip}:{Port(pool.Port)}" },
                    { "subnetId", LinodeIds.Of(program, subnet.Name) },
                    { "mode", "accept" },
                    { "weight", 100 },
                },
                // The address is a literal, so nothing else orders this after the instance.
                Pinned(new ResourceOptions { DependsOn = [member.InstanceName] }));
            names.Add(node.Name);
        }
        var host = balancer.Out("ipv4");
        return new ApplicationResources($"http://{host}:{Port(pool.PublicPort)}", host, names);
    }

    /// <summary>Inbound rules are for named networks and hosts; never the whole internet, whoever asks.</summary>
    private static void RefuseTheInternet(HostSpec host, InboundRule rule)
    {
        foreach (var source in rule.Sources)
        {
            var text = source.Trim();
            if (text.EndsWith("/0", StringComparison.Ordinal) || (Ipv4Cidr.TryParse(text, out var cidr) && cidr.PrefixLength == 0))
                throw new InvalidOperationException(
                    $"host {host.Name}: inbound rule '{rule.Label}' (port {Port(rule.Port)}) admits '{source}', the whole internet; name the networks or hosts that need it");
        }
    }

    /// <summary>A Cloud Firewall: inbound dropped except <paramref name="inbound"/>, outbound open.</summary>
    private static ProgramResource AddFirewall(RegionContext context, string logicalName, string label, List<object> inbound) =>
        context.Program.Add(logicalName, "linode:index/firewall:Firewall",
            new PMap
            {
                { "label", Label(label, ShortLabel) },
                { "inboundPolicy", "DROP" },
                { "outboundPolicy", "ACCEPT" },
                { "inbounds", inbound },
                { "tags", Tags(context) },
            },
            Pinned());

    /// <summary>The NodeBalancer's backend source range (a /30 in the region's first subnet).</summary>
    public static string NodeBalancerRange(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var subnet = Ipv4Cidr.Parse(region.Network.Subnets[0].Cidr);
        return $"{subnet.Host((uint)subnet.Size - NodeBalancerRangeFromEnd)}/30";
    }

    private ProgramResource AddInstance(RegionContext context, EsNode node, ProgramResource subnet, IReadOnlyList<string> tags) =>
        // No firewallId: the node firewall attaches the nodes itself (AddFirewalls), because its rules name the other
        // regions' nodes and HAProxy VMs, whose own firewalls name these nodes: attached from the instance, that is a cycle.
        AddInstance(context, node.LogicalName, node.Name, context.Region.Config.Elasticsearch.Size, NetworkHost(node), subnet,
            firewallName: null, context.NodeUserData[node.LogicalName], tags);

    /// <summary>
    /// The region's HAProxy instance: like a node (same image, keys, tags, one VPC interface with the public
    /// address NATed onto it), on the balancer's fixed VPC address, with its own firewall and the HAProxy
    /// user-data. Its haproxy.cfg fronts the nodes on their fixed VPC addresses.
    /// </summary>
    private static ProgramResource AddHaproxy(RegionContext context, ProgramResource subnet, IReadOnlyList<string> tags)
    {
        var region = context.Region;
        var userData = context.BalancerUserData
            ?? throw new InvalidOperationException($"region '{region.Name}': the HAProxy instance needs user-data");
        var ip = region.Balancer.PrivateIp
            ?? throw new InvalidOperationException($"region '{region.Name}': the HAProxy instance needs a fixed private address");
        return AddInstance(context, region.Balancer.LogicalName, region.Balancer.Name, region.Balancer.Size ?? DefaultHaproxyType, ip, subnet,
            BalancerFirewallName(region), userData, tags);
    }

    private static ProgramResource AddInstance(
        RegionContext context, string logicalName, string label, string type, string vpcIp, ProgramResource subnet,
        string? firewallName, string userDataText, IReadOnlyList<string> tags, string? reservedAddress = null)
    {
        var region = context.Region;
        var userData = context.Program.Variable($"{logicalName}-user-data", userDataText);
        var properties = new PMap
        {
            { "label", Label(label, LongLabel) },
            { "region", region.Config.Location },
            { "type", type },
            { "image", region.Config.Image ?? DefaultImage },
            { "authorizedKeys", context.Config.Ssh.PublicKeys },
            { "tags", tags },
            // Legacy config-profile interfaces, stated explicitly: the account default may be the newer
            // Linode-interfaces generation, which rejects the `interfaces` list below.
            { "interfaceGeneration", "legacy_config" },
            // One interface: the VPC, on the fixed address, with the instance's public IPv4 1:1 NATed onto
            // it. Elasticsearch then binds one address (network.host = the VPC IP) and is reached both
            // inside the VPC and, through the NAT, from the other regions' nodes. With a separate public
            // interface a node bound to its VPC address could not be reached from other regions at all.
            // The Cloud Firewall filters the public side.
            { "interfaces", new List<object>
                {
                    new PMap
                    {
                        { "purpose", VpcPurpose },
                        { "subnetId", LinodeIds.Of(context.Program, subnet.Name) },
                        { "primary", true },
                        { "ipv4", new PMap { { "vpc", vpcIp }, { "nat11", reservedAddress ?? "any" } } },
                    },
                }
            },
        };
        // Protected from its first boot where nothing the firewall names waits for this instance (HAProxy).
        if (firewallName is not null) properties.Add("firewallId", LinodeIds.Of(context.Program, firewallName));
        // Linode's metadata service wants user-data base64-encoded.
        if (reservedAddress is not null)
        {
            // A reserved address, assigned at creation and NATed onto the VPC address instead of an ephemeral
            // one: the instance's traffic leaves from it, and firewalls elsewhere admit it by it.
            properties.Add("ipv4s", new List<object> { reservedAddress });
        }
        properties.Add("metadatas", new List<object> { new PMap { { "userData", new PMap { { "fn::toBase64", userData } } } } });
        return context.Program.Add(logicalName, InstanceType, properties,
            Pinned(new ResourceOptions
            {
                // cloud-init runs once, on first boot; authorized keys and the image are also only read
                // then. Each of these would replace the instance, and a re-render must never replace a
                // running node: a node is replaced by bumping its generation, which renames it.
                IgnoreChanges = ["metadatas", "authorizedKeys", "image"],
            }));
    }

    private static NodeBalancerResources AddBalancer(
        RegionContext context, ProgramResource subnet, IReadOnlyList<string> tags)
    {
        var region = context.Region;
        var es = context.Config.Elasticsearch;
        // The backend /30 is reserved only here: a region with a NodeBalancer has no HAProxy instance.
        var balancer = context.Program.Add(region.Balancer.LogicalName, "linode:index/nodeBalancer:NodeBalancer",
            new PMap
            {
                { "label", Label(region.Balancer.Name, ShortLabel) },
                { "region", region.Config.Location },
                { "tags", tags },
                { "firewallId", LinodeIds.Of(context.Program, BalancerFirewallName(region)) },
                // Attached to the VPC so it reaches the nodes on their VPC addresses, from a fixed range.
                { "vpcs", new List<object>
                    {
                        new PMap { { "subnetId", LinodeIds.Of(context.Program, subnet.Name) }, { "ipv4Range", NodeBalancerRange(region) } },
                    }
                },
            },
            Pinned());
        // TCP passthrough: clients speak TLS to Elasticsearch itself, with their own credentials.
        var http = AddBalancerConfig(context, balancer, es.HttpPort);
        // The transport port, for cross-cluster replication in proxy mode: the other regions' nodes dial
        // <balancer>:9300 and TLS (with node certificates on both sides) ends at a node's transport layer.
        // Only the balancer's firewall decides who may connect (the other regions' nodes).
        var transport = AddBalancerConfig(context, balancer, es.TransportPort);
        return new NodeBalancerResources(balancer, http, transport);
    }

    /// <summary>
    /// A TCP-passthrough config on <paramref name="port"/>. Its backends are front door listeners, so its plain-HTTP
    /// check is answered from the node's own Elasticsearch over TLS: 200 only for a yellow-or-green cluster with an
    /// elected master. (A NodeBalancer checks a config's own backend address and port; a check on Elasticsearch's
    /// transport port itself could only be <c>connection</c>.)
    /// </summary>
    private static ProgramResource AddBalancerConfig(RegionContext context, ProgramResource balancer, int port) =>
        context.Program.Add($"{context.Region.Balancer.LogicalName}-{Port(port)}", "linode:index/nodeBalancerConfig:NodeBalancerConfig",
            new PMap
            {
                { "nodebalancerId", LinodeIds.Of(context.Program, balancer.Name) },
                { "port", port },
                { "protocol", "tcp" },
                { "algorithm", "leastconn" },
                { "stickiness", "none" },
                { "proxyProtocol", "none" },
                { "check", "http" },
                { "checkPath", HealthCheckPath },
                { "checkInterval", 5 },
                { "checkTimeout", 3 },
                { "checkAttempts", 2 },
                { "checkPassive", true },
            },
            Pinned());

    private static PMap Rule(string label, string ports, IReadOnlyList<string> ipv4s) => new()
    {
        { "label", label },
        { "action", "ACCEPT" },
        { "protocol", "TCP" },
        { "ports", ports },
        { "ipv4s", ipv4s.ToList() },
    };

    private static string NodeFirewallName(RegionTopology region) => $"{region.Key}-fw";

    private static string HostFirewallName(HostSpec host) => $"{host.LogicalName}-fw";

    private static string SubnetSuffix(RegionTopology region, int index) => region.Network.Subnets.Count == 1 ? "" : $"-{index + 1}";

    private static string SubnetName(RegionTopology region, int index) => $"{region.Key}-subnet{SubnetSuffix(region, index)}";

    /// <summary>The index of the region's subnet holding <paramref name="ip"/>, or null.</summary>
    private static int? SubnetIndexOf(RegionTopology region, string ip)
    {
        if (!Ipv4Cidr.TryParse($"{ip}/32", out var address)) return null;
        for (var i = 0; i < region.Network.Subnets.Count; i++)
            if (address.Within(Ipv4Cidr.Parse(region.Network.Subnets[i].Cidr))) return i;
        return null;
    }

    private static string BalancerFirewallName(RegionTopology region) => $"{region.Balancer.LogicalName}-fw";

    private static string VolumeLabel(EsNode node) => Label($"{node.Name}-data", ShortLabel);

    private static List<string> Tags(RegionContext context) =>
        context.TagList().Select(t => t.Length <= MaxTag ? t : t[..MaxTag]).ToList();

    /// <summary>A label within Linode's length limit; a long one keeps its start and gets a stable hash suffix.</summary>
    internal static string Label(string text, int max) => LinodeNames.Fit(text, max);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static ResourceOptions Pinned(ResourceOptions? options = null) => RegionContext.Pinned(ProviderPackages.Linode, options);
}
