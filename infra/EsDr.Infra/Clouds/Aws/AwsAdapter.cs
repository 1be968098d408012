using System.Globalization;
using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Clouds.Aws;

/// <summary>
/// A region on AWS: its own explicit <c>aws</c> provider, a VPC with an internet gateway and one public subnet
/// per availability zone, one EC2 instance per node on its fixed private address with an encrypted gp3 EBS data
/// volume, and an internet-facing NLB (default) or ALB whose target group health-checks cluster health. When the
/// stack has other regions, the transport port is passed through too, for cross-cluster replication in proxy
/// mode: on the NLB itself, or on a second, transport-only NLB beside an ALB (which cannot pass raw TLS). Security
/// group rules are separate resources, added by <see cref="AddFirewalls"/> once every region exists. Hosts
/// (<see cref="AddHost"/>: database servers and the like) are instances built the same way, each with its own
/// security group. See README.md beside this file for what the balancers' health checks can and cannot see.
/// </summary>
public sealed partial class AwsAdapter : ICloudAdapter
{
    /// <summary>
    /// The device name the data volume is attached as, and the path the node's OS finds it under. On Nitro
    /// instances (every current family) EBS volumes are NVMe devices (<c>/dev/nvme1n1</c>, numbered in probe
    /// order, so not stable), but Debian's EC2 images ship <c>amazon-ec2-utils</c>, whose udev rule
    /// (<c>70-ec2-nvme-devices.rules</c>, run on add and change events) asks <c>ebsnvme-id</c> for the name given
    /// at attach time and links <c>/dev/sdf</c> to the NVMe device. The alternative,
    /// <c>/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol…</c>, needs the volume id, which exists only after
    /// the volume is created and would have to be spliced into user-data without its dash.
    /// </summary>
    public const string DataDevice = "/dev/sdf";

    /// <summary>On the older Xen families there is no NVMe: the kernel names the volume attached as sdf <c>xvdf</c>.</summary>
    public const string XenDataDevice = "/dev/xvdf";

    /// <summary>
    /// What the target group asks each node over HTTPS (unauthenticated: Elasticsearch maps it to the
    /// anonymous health-check role). A red cluster answers 408 and one without an elected master 503, so only
    /// 200 (<see cref="HealthCheckMatcher"/>) keeps a node in rotation.
    /// </summary>
    public const string HealthCheckPath = "/_cluster/health?wait_for_status=yellow&timeout=1s";

    public const string HealthCheckMatcher = "200";

    /// <summary>Debian's account for its official AMIs; README.md shows how to find the image id for a region.</summary>
    public const string DebianImageOwner = "136693071363";

    /// <summary>TLS policy of the ALB listener: TLS 1.3 and 1.2 only.</summary>
    public const string AlbSslPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";

    /// <summary>
    /// Idle timeout of the transport listener. Transport connections are long-lived and may sit idle between
    /// requests; the NLB's TCP default (350 s) would drop them silently. AWS accepts 60 to 6000 s.
    /// </summary>
    public const int TransportIdleTimeoutSeconds = 3600;

    /// <summary>Root disk of each instance: the OS, the Elasticsearch package and logs (data is on its own volume).</summary>
    public const int RootVolumeGb = 20;

    /// <summary>Families on the Xen hypervisor (not Nitro), where EBS volumes are not NVMe devices.</summary>
    private static readonly HashSet<string> XenFamilies = new(StringComparer.Ordinal)
    {
        "t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "i2", "i3", "d2", "g2", "g3", "p2", "p3", "x1", "x1e", "h1",
    };

    private const string AnyIpv4 = "0.0.0.0/0";
    private const string InstanceType = "aws:ec2/instance:Instance";

    public Cloud Cloud => Cloud.Aws;

    /// <summary>
    /// EC2 takes at most 16 KB of user-data "in raw form, before it is base64-encoded" (the EC2 user guide). The
    /// provider has <c>userData</c> for UTF-8 text and <c>userDataBase64</c> for anything else, such as a gzipped
    /// document; a whole document cannot be gzipped here (Pulumi YAML has no gzip for text resolved at deploy time),
    /// and files compressed inside it (<see cref="UserDataDelivery"/>) are base64 text, so <c>userData</c> it stays.
    /// </summary>
    public UserDataLimit UserDataLimit { get; } = new("AWS", 16_384, UserDataCount.Raw, "raw, before base64");

    public object? UserDataOf(ProgramResource resource) =>
        resource is { Type: InstanceType } && resource.Properties.ContainsKey("userData") ? resource.Properties["userData"] : null;

    public string? DataVolumeDevice(RegionTopology region, EsNode node)
    {
        ArgumentNullException.ThrowIfNull(region);
        return IsXen(region.Config.Elasticsearch.Size) ? XenDataDevice : DataDevice;
    }

    /// <summary>The node's fixed private address; its public address is a 1:1 NAT onto it, so one bind covers both.</summary>
    public string NetworkHost(EsNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.PrivateIp ?? throw new InvalidOperationException($"AWS node {node.Name} has no fixed private address");
    }

    public static string ProviderName(RegionTopology region) => $"{Key(region)}-aws";

    public static string NodeSecurityGroupName(RegionTopology region) => $"{Key(region)}-es-sg";

    public static string BalancerSecurityGroupName(RegionTopology region) => $"{Balancer(region).LogicalName}-sg";

    public static string TargetGroupName(RegionTopology region) => $"{Balancer(region).LogicalName}-tg";

    /// <summary>
    /// The load balancer that passes the transport port through: the region's NLB itself, or, in an ALB region,
    /// the transport-only NLB beside it.
    /// </summary>
    public static string TransportBalancerName(RegionTopology region) =>
        Balancer(region).Kind == BalancerKind.Alb ? $"{Balancer(region).LogicalName}-transport" : Balancer(region).LogicalName;

    /// <summary>The security group of <see cref="TransportBalancerName"/>, which admits the other regions' nodes on 9300.</summary>
    public static string TransportSecurityGroupName(RegionTopology region) => $"{TransportBalancerName(region)}-sg";

    public static string TransportTargetGroupName(RegionTopology region) => $"{Balancer(region).LogicalName}-transport-tg";

    /// <summary>
    /// Whether the region passes the transport port through a balancer: only when the stack has other regions,
    /// whose clusters connect to it in proxy mode. A single-region stack has no cross-cluster replication.
    /// </summary>
    public static bool HasTransportPath(DeploymentTopology topology, RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(region);
        return topology.Others(region).Any();
    }

    /// <summary>
    /// The <c>cluster.remote.&lt;alias&gt;.proxy_address</c> the other regions use for this region's cluster: the
    /// DNS name of <see cref="TransportBalancerName"/> (an interpolation) and the transport port.
    /// </summary>
    public static string TransportProxyAddress(RegionTopology region, int transportPort) =>
        $"${{{TransportBalancerName(region)}.dnsName}}:{Port(transportPort)}";

    public RegionResources AddRegion(RegionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var region = context.Region;
        var program = context.Program;
        var kind = region.Balancer.Kind;
        // The config rules refuse all three first, naming the key; these guards keep a context built some
        // other way from silently producing a different balancer or a program AWS rejects.
        if (kind is not (BalancerKind.Nlb or BalancerKind.Alb))
            throw new NotSupportedException(
                $"region '{region.Name}': AWS regions are fronted by an NLB or an ALB, not '{StackConfigParser.Spell(kind)}'");
        if (kind == BalancerKind.Alb && region.Network.Subnets.Select(s => s.Zone).Distinct().Count() < 2)
            throw new InvalidOperationException(
                $"region '{region.Name}': an ALB needs subnets in at least two availability zones; list two or more zones or use an NLB");
        var image = region.Config.Image ?? throw new InvalidOperationException(
            $"region '{region.Name}': AWS regions need 'image', the id of a Debian 12 AMI in {region.Config.Location} (owner {DebianImageOwner})");

        var (on, vpc, subnets, network) = AddNetwork(context);

        var nodeGroup = on.Add(NodeSecurityGroupName(region), "aws:ec2/securityGroup:SecurityGroup", new PMap
        {
            { "vpcId", vpc.Out("id") },
            { "description", $"Elasticsearch nodes of {region.ClusterName}" },
            { "tags", NameTag($"{context.Config.NamePrefix}-{region.Key}-es") },
        });
        // Outbound is open (packages, the other regions' nodes); it is created with the group so a node has
        // it from first boot. Inbound rules come from AddFirewalls.
        var nodeEgress = on.Add($"{nodeGroup.Name}-egress", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", new PMap
        {
            { "securityGroupId", nodeGroup.Out("id") },
            { "description", "all outbound traffic" },
            { "ipProtocol", "-1" },
            { "cidrIpv4", AnyIpv4 },
        });
        network.AddRange([nodeGroup.Name, nodeEgress.Name]);

        var balancer = AddBalancer(context, on, vpc, subnets.Values.ToList());

        var nodes = new List<NodeResources>();
        foreach (var node in region.Nodes)
        {
            var instance = AddInstance(on, node.LogicalName, node.Name, image, region.Config.Elasticsearch.Size,
                subnets[node.Subnet].Out("id"), NetworkHost(node), nodeGroup.Out("id"), context.NodeUserData[node.LogicalName],
                [nodeEgress.Name]);
            var volume = on.Add($"{node.LogicalName}-data", "aws:ebs/volume:Volume", new PMap
            {
                { "availabilityZone", node.Zone ?? throw new InvalidOperationException($"AWS node {node.Name} has no availability zone") },
                { "size", region.Config.Elasticsearch.VolumeGb },
                { "type", "gp3" },
                { "encrypted", true },
                { "tags", NameTag($"{node.Name}-data") },
            });
            var attachment = on.Add($"{node.LogicalName}-data-attachment", "aws:ec2/volumeAttachment:VolumeAttachment", new PMap
            {
                { "deviceName", DataDevice },
                { "instanceId", instance.Out("id") },
                { "volumeId", volume.Out("id") },
                // Replacing a node detaches a mounted filesystem: stop the instance first so it detaches cleanly.
                { "stopInstanceBeforeDetaching", true },
            });
            var target = on.Add($"{node.LogicalName}-lb-target", "aws:lb/targetGroupAttachment:TargetGroupAttachment", new PMap
            {
                { "targetGroupArn", balancer.TargetGroup.Out("arn") },
                { "targetId", instance.Out("id") },
                { "port", context.Config.Elasticsearch.HttpPort },
            });
            var names = new List<string> { instance.Name, volume.Name, attachment.Name, target.Name };
            if (balancer.TransportTargetGroup is { } transportGroup)
            {
                var transportTarget = on.Add($"{node.LogicalName}-lb-transport-target", "aws:lb/targetGroupAttachment:TargetGroupAttachment", new PMap
                {
                    { "targetGroupArn", transportGroup.Out("arn") },
                    { "targetId", instance.Out("id") },
                    { "port", context.Config.Elasticsearch.TransportPort },
                });
                names.Add(transportTarget.Name);
            }
            nodes.Add(new NodeResources(node, instance.Out("publicIp"), NetworkHost(node), names));
        }

        return new RegionResources(
            region,
            nodes,
            $"https://{balancer.LoadBalancer.Out("dnsName")}:{Port(context.Config.Elasticsearch.HttpPort)}",
            balancer.Names,
            network)
        {
            EndpointAliasZoneId = balancer.LoadBalancer.Out("zoneId"),
            TransportHost = $"${{{TransportBalancerName(region)}.dnsName}}",
        };
    }

    /// <summary>
    /// The region's own provider, its VPC with an internet gateway and default route, and one public subnet per
    /// topology subnet, each associated with the route table. Returns every network resource name.
    /// </summary>
    private static (Scope On, ProgramResource Vpc, Dictionary<Subnet, ProgramResource> Subnets, List<string> Names) AddNetwork(RegionContext context)
    {
        var region = context.Region;
        var program = context.Program;
        var provider = program.Add(ProviderName(region), "pulumi:providers:aws",
            new PMap
            {
                { "region", region.Config.Location },
                { "defaultTags", new PMap { { "tags", TagMap(context.Tags) } } },
            },
            RegionContext.Pinned(ProviderPackages.Aws));
        var on = new Scope(context, provider.Self);

        var network = new List<string> { provider.Name };
        var vpc = on.Add(VpcName(region), "aws:ec2/vpc:Vpc", new PMap
        {
            { "cidrBlock", region.Network.Cidr },
            // Instances resolve each other and AWS endpoints through the VPC's resolver.
            { "enableDnsSupport", true },
            { "enableDnsHostnames", true },
            { "tags", NameTag($"{context.Config.NamePrefix}-{region.Key}") },
        });
        var gateway = on.Add($"{region.Key}-igw", "aws:ec2/internetGateway:InternetGateway", new PMap
        {
            { "vpcId", vpc.Out("id") },
            { "tags", NameTag($"{context.Config.NamePrefix}-{region.Key}") },
        });
        var routes = on.Add($"{region.Key}-rt", "aws:ec2/routeTable:RouteTable", new PMap
        {
            { "vpcId", vpc.Out("id") },
            { "tags", NameTag($"{context.Config.NamePrefix}-{region.Key}") },
        });
        var defaultRoute = on.Add(DefaultRouteName(region), "aws:ec2/route:Route", new PMap
        {
            { "routeTableId", routes.Out("id") },
            { "destinationCidrBlock", AnyIpv4 },
            { "gatewayId", gateway.Out("id") },
        });
        network.AddRange([vpc.Name, gateway.Name, routes.Name, defaultRoute.Name]);

        // Public subnets: every node has a public address (1:1 NAT onto its private one) for its outbound
        // traffic (packages, Elastic's repository) without a NAT gateway per zone, and so the other regions'
        // nodes can reach it for cross-cluster replication. Security groups decide who gets in.
        var subnets = new Dictionary<Subnet, ProgramResource>();
        foreach (var subnet in region.Network.Subnets)
        {
            var zone = subnet.Zone ?? throw new InvalidOperationException($"region '{region.Name}': AWS subnets need an availability zone");
            var resource = on.Add(SubnetName(region, zone), "aws:ec2/subnet:Subnet", new PMap
            {
                { "vpcId", vpc.Out("id") },
                { "cidrBlock", subnet.Cidr },
                { "availabilityZone", zone },
                { "tags", NameTag($"{context.Config.NamePrefix}-{region.Key}-{zone}") },
            });
            var association = on.Add(RouteTableAssociationName(region, zone), "aws:ec2/routeTableAssociation:RouteTableAssociation", new PMap
            {
                { "subnetId", resource.Out("id") },
                { "routeTableId", routes.Out("id") },
            });
            subnets[subnet] = resource;
            network.AddRange([resource.Name, association.Name]);
        }
        return (on, vpc, subnets, network);
    }

    /// <summary>The monitoring site: its provider and network (<see cref="AddNetwork"/>); hosts bring their own security groups.</summary>
    public RegionResources AddSite(RegionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (_, _, _, network) = AddNetwork(context);
        return new RegionResources(context.Region, [], "", [], network);
    }

    /// <summary>An Elastic IP in the site's region (after <see cref="AddSite"/>, whose provider it uses); <see cref="AddHost"/> associates it.</summary>
    public ReservedAddress ReserveAddress(RegionContext context, string logicalName)
    {
        ArgumentNullException.ThrowIfNull(context);
        var on = new Scope(context, $"${{{ProviderName(context.Region)}}}");
        var eip = on.Add(logicalName, "aws:ec2/eip:Eip", new PMap
        {
            { "domain", "vpc" },
            { "tags", NameTag($"{context.Config.NamePrefix}-{logicalName}") },
        });
        return new ReservedAddress(eip.Name, eip.Out("publicIp"));
    }

    /// <summary>
    /// Inbound rules, one resource per source so no security group ever refers to another region's resources
    /// inline: Elasticsearch HTTP and transport from the region's VPC (nodes, and the balancer, which reaches
    /// targets from its private addresses) and from each other region's nodes; SSH from the operators'
    /// networks (<c>ssh.allowedCidrs</c>, which reach nothing else); the balancer's port from the client networks
    /// (<c>elasticsearch.clientCidrs</c>), the region's VPC and the other regions' nodes; the transport listener
    /// (<see cref="TransportBalancerName"/>) from the other regions' nodes only. Never from the whole internet.
    /// </summary>
    public void AddFirewalls(RegionContext context, RegionResources own, IReadOnlyList<RegionResources> peers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(peers);
        var region = context.Region;
        var es = context.Config.Elasticsearch;
        var on = new Scope(context, $"${{{ProviderName(region)}}}");
        var nodeGroup = Ref.To(NodeSecurityGroupName(region), "id");
        var added = new List<string>();

        // The other regions' nodes, each address once (several nodes may share one egress address).
        var peerSources = peers
            .SelectMany(p => p.Nodes)
            .Where(n => !string.IsNullOrEmpty(n.PublicIp))
            .GroupBy(n => n.PublicIp, StringComparer.Ordinal)
            .Select(g => (Label: g.First().Node.LogicalName, Cidr: $"{g.Key}/32"))
            .ToList();

        foreach (var port in new[] { es.HttpPort, es.TransportPort })
        {
            added.Add(Ingress(on, NodeSecurityGroupName(region), nodeGroup, $"vpc-{Port(port)}", region.Network.Cidr, port,
                "Elasticsearch from the region VPC and its balancer"));
            foreach (var (label, cidr) in peerSources)
                added.Add(Ingress(on, NodeSecurityGroupName(region), nodeGroup, $"{label}-{Port(port)}", cidr, port,
                    $"Elasticsearch from {label} (another region)"));
        }
        // The other regions' HAProxy VMs check these nodes and send them traffic when this region is active or standby.
        foreach (var peer in peers.Where(p => p.Region.Balancer.Kind == BalancerKind.HaProxy))
            added.Add(Ingress(on, NodeSecurityGroupName(region), nodeGroup, $"{peer.Region.Balancer.LogicalName}-{Port(es.HttpPort)}",
                $"{peer.EndpointHost}/32", es.HttpPort, $"Elasticsearch from {peer.Region.Balancer.LogicalName} (another region's HAProxy)"));
        var operators = context.Config.Ssh.AllowedCidrs.Distinct(StringComparer.Ordinal).ToList();
        foreach (var cidr in operators)
            added.Add(Ingress(on, NodeSecurityGroupName(region), nodeGroup, $"ssh-{Slug(cidr)}", cidr, 22, "SSH from operators"));
        Append(own.NetworkResourceNames, added);

        // The balancer's listener: the configured client networks, the region's own network (its
        // application servers) and the other regions' nodes; never the whole internet.
        var balancerAdded = new List<string>();
        var balancerGroup = Ref.To(BalancerSecurityGroupName(region), "id");
        var clients = context.Config.Elasticsearch.ClientCidrs.Prepend(region.Network.Cidr).Distinct(StringComparer.Ordinal);
        foreach (var cidr in clients)
            balancerAdded.Add(Ingress(on, BalancerSecurityGroupName(region), balancerGroup, $"clients-{Slug(cidr)}", cidr, es.HttpPort,
                "Elasticsearch clients"));
        foreach (var (label, cidr) in peerSources)
            balancerAdded.Add(Ingress(on, BalancerSecurityGroupName(region), balancerGroup, $"{label}", cidr, es.HttpPort,
                $"Elasticsearch clients: {label} (another region)"));

        // The transport listener: cross-cluster replication in proxy mode, from the other regions' nodes only
        // (the region's own nodes talk to each other directly). No peers, no rule: the listener stays shut.
        if (HasTransportPath(context.Topology, region))
        {
            var transportGroup = Ref.To(TransportSecurityGroupName(region), "id");
            foreach (var (label, cidr) in peerSources)
                balancerAdded.Add(Ingress(on, TransportSecurityGroupName(region), transportGroup, $"{label}-{Port(es.TransportPort)}", cidr,
                    es.TransportPort, $"Elasticsearch transport (cross-cluster replication) from {label} (another region)"));
        }
        Append(own.BalancerResourceNames, balancerAdded);
    }

    /// <summary>
    /// A plain VM (a database server, later application and monitoring hosts) in the region's first subnet, on
    /// its fixed private address with a public one, built like a node (<see cref="AddInstance"/>: the region's
    /// AMI, IMDSv2, an encrypted root disk, plain user-data read on first boot only). Its own security group,
    /// <see cref="HostSecurityGroupName"/>, admits exactly each <see cref="InboundRule"/> source on its port and
    /// SSH from <c>ssh.allowedCidrs</c>, one rule resource each, so a rule naming another region's host never
    /// makes this VM depend on it; outbound is open. A source of the whole internet is refused.
    /// </summary>
    public HostResources AddHost(RegionContext context, RegionResources region, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(host);
        var topology = context.Region;
        RefuseInternetWideSources(host);
        var image = topology.Config.Image ?? throw new InvalidOperationException(
            $"region '{topology.Name}': AWS regions need 'image', the id of a Debian 12 AMI in {topology.Config.Location} (owner {DebianImageOwner})");
        var privateIp = host.PrivateIp ?? throw new InvalidOperationException($"AWS host {host.Name} has no fixed private address");
        var subnet = topology.Network.Subnets[0];
        var zone = subnet.Zone ?? throw new InvalidOperationException($"region '{topology.Name}': AWS subnets need an availability zone");
        // AWS reserves a subnet's first four addresses and its last.
        var subnetCidr = Ipv4Cidr.Parse(subnet.Cidr);
        if (!Ipv4Cidr.TryParse($"{privateIp}/32", out var address) || !address.Within(subnetCidr)
            || address.Network - subnetCidr.Network < 4 || address.Network - subnetCidr.Network == subnetCidr.Size - 1)
            throw new InvalidOperationException(
                $"AWS host {host.Name}: '{privateIp}' must be an address of the region's first subnet, {subnet.Cidr}, that AWS does not reserve");
        if (topology.Nodes.Select(n => n.PrivateIp).Contains(privateIp))
            throw new InvalidOperationException($"AWS host {host.Name}: '{privateIp}' is already an Elasticsearch node's address");

        var on = new Scope(context, $"${{{ProviderName(topology)}}}");
        var group = on.Add(HostSecurityGroupName(host), "aws:ec2/securityGroup:SecurityGroup", new PMap
        {
            { "vpcId", Ref.To(VpcName(topology), "id") },
            { "description", $"{host.Role} host {host.Name}" },
            { "tags", NameTag(host.Name) },
        });
        var egress = on.Add($"{group.Name}-egress", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", new PMap
        {
            { "securityGroupId", group.Out("id") },
            { "description", "all outbound traffic" },
            { "ipProtocol", "-1" },
            { "cidrIpv4", AnyIpv4 },
        });
        var rules = new List<string>();
        foreach (var rule in host.Inbound)
        {
            foreach (var source in rule.Sources.Distinct(StringComparer.Ordinal))
                rules.Add(Ingress(on, group.Name, group.Out("id"), $"{Slug(rule.Label)}-{Slug(source)}", source, rule.Port, rule.Label));
        }
        foreach (var cidr in context.Config.Ssh.AllowedCidrs.Distinct(StringComparer.Ordinal))
            rules.Add(Ingress(on, group.Name, group.Out("id"), $"ssh-{Slug(cidr)}", cidr, 22, "SSH from operators"));

        // Outbound open and the subnet routed to the internet before first boot, when cloud-init installs packages.
        // Not the inbound rules: they may name other hosts, and VMs never wait for each other.
        var instance = AddInstance(on, host.LogicalName, host.Name, image, host.Size, Ref.To(SubnetName(topology, zone), "id"),
            privateIp, group.Out("id"), host.UserData,
            [egress.Name, DefaultRouteName(topology), RouteTableAssociationName(topology, zone)]);
        if (host.PublicAddress is { } reserved)
        {
            // The Elastic IP replaces the instance's ephemeral public address, for inbound and outbound alike.
            var association = on.Add($"{host.LogicalName}-eip-association", "aws:ec2/eipAssociation:EipAssociation", new PMap
            {
                { "allocationId", Ref.To(reserved.ResourceName, "allocationId") },
                { "instanceId", instance.Out("id") },
            });
            rules.Add(association.Name);
        }
        return new HostResources(host.PublicAddress?.Address ?? instance.Out("publicIp"), privateIp, [instance.Name, group.Name, egress.Name, .. rules]);
    }

    /// <summary>
    /// The application on the region's balancer: a listener on the public port (TCP on an NLB, HTTP on an ALB)
    /// forwarding to a target group of the application servers on their port, checked with HTTP on the health
    /// path (any 2xx or 3xx). An NLB's targets see the NLB's private addresses (client addresses are not
    /// preserved), so servers admit their port from the VPC alone. The balancer's security group admits the
    /// public port from <c>application.clientCidrs</c> and may reach the servers' port inside the VPC.
    /// </summary>
    public ApplicationResources AddApplicationPool(RegionContext context, RegionResources region, ApplicationPool pool)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(pool);
        var topology = context.Region;
        var balancer = topology.Balancer;
        var isNlb = balancer.Kind == BalancerKind.Nlb;
        var on = new Scope(context, $"${{{ProviderName(topology)}}}");
        var lb = context.Program.Resource(balancer.LogicalName);
        var groupName = BalancerSecurityGroupName(topology);
        var groupId = Ref.To(groupName, "id");
        var names = new List<string>();

        foreach (var cidr in pool.ClientCidrs.Distinct(StringComparer.Ordinal))
        {
            var rule = on.Add($"{groupName}-in-app-{Slug(cidr)}", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", new PMap
            {
                { "securityGroupId", groupId },
                { "description", "application clients" },
                { "ipProtocol", "tcp" },
                { "fromPort", pool.PublicPort },
                { "toPort", pool.PublicPort },
                { "cidrIpv4", cidr },
            });
            names.Add(rule.Name);
        }
        var egress = on.Add($"{groupName}-egress-app", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", new PMap
        {
            { "securityGroupId", groupId },
            { "description", "application servers" },
            { "ipProtocol", "tcp" },
            { "fromPort", pool.Port },
            { "toPort", pool.Port },
            { "cidrIpv4", topology.Network.Cidr },
        });
        names.Add(egress.Name);

        var targetGroupProperties = new PMap
        {
            { "vpcId", Ref.To(VpcName(topology), "id") },
            { "targetType", "instance" },
            { "port", pool.Port },
            { "protocol", isNlb ? "TCP" : "HTTP" },
        };
        if (isNlb) targetGroupProperties.Add("preserveClientIp", "false");
        targetGroupProperties.Add("deregistrationDelay", 30);
        targetGroupProperties.Add("healthCheck", new PMap
        {
            { "enabled", true },
            { "protocol", "HTTP" },
            { "port", "traffic-port" },
            { "path", pool.HealthPath },
            { "matcher", "200-399" },
            { "interval", 10 },
            { "timeout", 6 },
            { "healthyThreshold", 3 },
            { "unhealthyThreshold", 2 },
        });
        targetGroupProperties.Add("tags", NameTag($"{balancer.Name}-app-tg"));
        var targetGroup = on.Add($"{balancer.LogicalName}-app-tg", "aws:lb/targetGroup:TargetGroup", targetGroupProperties);
        names.Add(targetGroup.Name);
        foreach (var member in pool.Members)
        {
            var attachment = on.Add($"{member.Host.LogicalName}-lb-target", "aws:lb/targetGroupAttachment:TargetGroupAttachment", new PMap
            {
                { "targetGroupArn", targetGroup.Out("arn") },
                { "targetId", Ref.To(member.InstanceName, "id") },
                { "port", pool.Port },
            });
            names.Add(attachment.Name);
        }
        var listener = on.Add($"{balancer.LogicalName}-{Port(pool.PublicPort)}", "aws:lb/listener:Listener", new PMap
        {
            { "loadBalancerArn", lb.Out("arn") },
            { "port", pool.PublicPort },
            { "protocol", isNlb ? "TCP" : "HTTP" },
            { "defaultActions", new List<object> { new PMap { { "type", "forward" }, { "targetGroupArn", targetGroup.Out("arn") } } } },
        });
        names.Add(listener.Name);
        var host = lb.Out("dnsName");
        return new ApplicationResources($"http://{host}:{Port(pool.PublicPort)}", host, names) { EndpointAliasZoneId = lb.Out("zoneId") };
    }

    public static string HostSecurityGroupName(HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return $"{host.LogicalName}-sg";
    }

    /// <summary>
    /// An EC2 instance on a fixed private address with a public one: the region's AMI, encrypted gp3 root disk,
    /// IMDSv2 only, plain user-data (cloud-init writes every SSH key, so no key pair). Nodes and hosts alike.
    /// </summary>
    private static ProgramResource AddInstance(
        Scope on, string logicalName, string name, string image, string size, string subnetId, string privateIp,
        string securityGroupId, string userData, IReadOnlyList<string> dependsOn) =>
        on.Add(logicalName, InstanceType, new PMap
        {
            { "ami", image },
            { "instanceType", size },
            { "subnetId", subnetId },
            { "privateIp", privateIp },
            { "associatePublicIpAddress", true },
            { "vpcSecurityGroupIds", new List<object> { securityGroupId } },
            // Plain text: the provider base64-encodes it. cloud-init writes every SSH key, so no key pair.
            { "userData", userData },
            { "rootBlockDevice", new PMap
                {
                    { "volumeType", "gp3" },
                    { "volumeSize", RootVolumeGb },
                    { "encrypted", true },
                    { "deleteOnTermination", true },
                }
            },
            // IMDSv2 only: no unauthenticated metadata requests from anything on the instance.
            { "metadataOptions", new PMap { { "httpEndpoint", "enabled" }, { "httpTokens", "required" } } },
            { "tags", NameTag(name) },
        }, new ResourceOptions
        {
            // cloud-init runs on first boot only. A changed image, size or user-data must never replace or
            // restart every node at once (that would take the whole cluster down): a node picks them up
            // when its generation is bumped, which renames and so replaces exactly that node. Hosts likewise.
            IgnoreChanges = ["userData", "ami", "instanceType"],
            DependsOn = dependsOn,
        });

    /// <summary>A host's rules admit named networks only: a source of the whole internet is refused, naming the rule.</summary>
    private static void RefuseInternetWideSources(HostSpec host)
    {
        foreach (var rule in host.Inbound)
        {
            foreach (var source in rule.Sources)
            {
                if (IsInternetWide(source))
                    throw new InvalidOperationException(
                        $"host {host.Name}: inbound rule '{rule.Label}' (port {Port(rule.Port)}) admits {source}, the whole internet; list the networks that need it");
                // Interpolations (another host's address) are checked where they resolve; literals must be IPv4.
                if (!source.Contains("${", StringComparison.Ordinal) && !Ipv4Cidr.TryParse(source, out _))
                    throw new InvalidOperationException(
                        $"host {host.Name}: inbound rule '{rule.Label}' (port {Port(rule.Port)}) admits '{source}', which is not an IPv4 network such as 198.51.100.0/24");
            }
        }
    }

    private static bool IsInternetWide(string cidr)
    {
        var parts = cidr.Split('/');
        return parts.Length == 2 && parts[1].Trim() == "0" && System.Net.IPAddress.TryParse(parts[0].Trim(), out _);
    }

    private static string Ingress(Scope on, string group, string groupId, string suffix, string cidr, int port, string description)
    {
        // Defence in depth behind the config rules: a catch-all on an Elasticsearch port would open it to
        // the internet, which no rule may do.
        if (port != 22 && Ipv4Cidr.TryParse(cidr, out var network) && network.PrefixLength == 0)
            throw new InvalidOperationException($"refusing to open port {Port(port)} to {cidr}: Elasticsearch is never open to the internet");
        var rule = on.Add($"{group}-in-{suffix}", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", new PMap
        {
            { "securityGroupId", groupId },
            { "description", description },
            { "ipProtocol", "tcp" },
            { "fromPort", port },
            { "toPort", port },
            { "cidrIpv4", cidr },
        });
        return rule.Name;
    }

    private sealed record BalancerResources(
        ProgramResource LoadBalancer, ProgramResource TargetGroup, ProgramResource? TransportTargetGroup, List<string> Names);

    private static BalancerResources AddBalancer(RegionContext context, Scope on, ProgramResource vpc, IReadOnlyList<ProgramResource> subnets)
    {
        var region = context.Region;
        var balancer = region.Balancer;
        var es = context.Config.Elasticsearch;
        var isNlb = balancer.Kind == BalancerKind.Nlb;

        var group = on.Add(BalancerSecurityGroupName(region), "aws:ec2/securityGroup:SecurityGroup", new PMap
        {
            { "vpcId", vpc.Out("id") },
            { "description", $"{(isNlb ? "NLB" : "ALB")} in front of {region.ClusterName}" },
            { "tags", NameTag(balancer.Name) },
        });
        // The balancer forwards to, and health-checks, the nodes' HTTP port inside the VPC only.
        var egress = on.Add($"{group.Name}-egress", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", new PMap
        {
            { "securityGroupId", group.Out("id") },
            { "description", "Elasticsearch HTTP to the nodes" },
            { "ipProtocol", "tcp" },
            { "fromPort", es.HttpPort },
            { "toPort", es.HttpPort },
            { "cidrIpv4", region.Network.Cidr },
        });

        var lbProperties = new PMap
        {
            { "loadBalancerType", isNlb ? "network" : "application" },
            { "internal", false },
            { "ipAddressType", "ipv4" },
            { "subnets", subnets.Select(s => (object)s.Out("id")).ToList() },
            // An NLB takes security groups only if created with them, so it always is.
            { "securityGroups", new List<object> { group.Out("id") } },
        };
        if (isNlb)
            lbProperties.Add("enableCrossZoneLoadBalancing", true);
        else
        {
            lbProperties.Add("dropInvalidHeaderFields", true);
            // Long searches and bulk requests outlive the default 60s.
            lbProperties.Add("idleTimeout", 300);
        }
        lbProperties.Add("tags", NameTag(balancer.Name));
        var lb = on.Add(balancer.LogicalName, "aws:lb/loadBalancer:LoadBalancer", lbProperties);

        var targetGroupProperties = new PMap
        {
            { "vpcId", vpc.Out("id") },
            { "targetType", "instance" },
            { "port", es.HttpPort },
            // NLB: TCP passthrough, clients speak TLS to Elasticsearch itself. ALB: re-encrypted to the node.
            { "protocol", isNlb ? "TCP" : "HTTPS" },
        };
        if (isNlb)
        {
            // Connections reach the nodes from the NLB's own private addresses (inside the VPC CIDR the
            // nodes admit), not from the clients' addresses, which the nodes must never admit.
            targetGroupProperties.Add("preserveClientIp", "false");
        }
        else
            targetGroupProperties.Add("protocolVersion", "HTTP1");
        targetGroupProperties.Add("deregistrationDelay", 30);
        targetGroupProperties.Add("healthCheck", HealthCheck("traffic-port"));
        targetGroupProperties.Add("tags", NameTag($"{balancer.Name}-tg"));
        var targetGroup = on.Add(TargetGroupName(region), "aws:lb/targetGroup:TargetGroup", targetGroupProperties);

        var names = new List<string> { group.Name, egress.Name, lb.Name, targetGroup.Name };
        var forward = new List<object> { new PMap { { "type", "forward" }, { "targetGroupArn", targetGroup.Out("arn") } } };
        var listenerProperties = new PMap
        {
            { "loadBalancerArn", lb.Out("arn") },
            { "port", es.HttpPort },
            { "protocol", isNlb ? "TCP" : "HTTPS" },
        };
        if (!isNlb)
        {
            var certificate = AddAlbCertificate(context, on, lb);
            names.AddRange(certificate.Names);
            listenerProperties.Add("certificateArn", certificate.Arn);
            listenerProperties.Add("sslPolicy", AlbSslPolicy);
        }
        listenerProperties.Add("defaultActions", forward);
        var listener = on.Add($"{balancer.LogicalName}-{Port(es.HttpPort)}", "aws:lb/listener:Listener", listenerProperties);
        names.Add(listener.Name);

        ProgramResource? transportTargetGroup = null;
        if (HasTransportPath(context.Topology, region))
        {
            // An NLB passes the transport port through beside 9200; an ALB speaks only HTTP(S), so a second,
            // transport-only NLB stands beside it.
            var transportLb = isNlb ? lb : AddTransportBalancer(context, on, vpc, subnets, names);
            if (isNlb)
            {
                var transportEgress = on.Add($"{group.Name}-egress-{Port(es.TransportPort)}", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", new PMap
                {
                    { "securityGroupId", group.Out("id") },
                    { "description", "Elasticsearch transport to the nodes" },
                    { "ipProtocol", "tcp" },
                    { "fromPort", es.TransportPort },
                    { "toPort", es.TransportPort },
                    { "cidrIpv4", region.Network.Cidr },
                });
                names.Add(transportEgress.Name);
            }
            transportTargetGroup = AddTransportPassthrough(context, on, vpc, transportLb, names);
        }
        return new BalancerResources(lb, targetGroup, transportTargetGroup, names);
    }

    /// <summary>
    /// ALB regions only: an internet-facing NLB for the transport port alone, with its own security group, which
    /// reaches the nodes' transport port and health-checks their HTTP port inside the VPC only.
    /// </summary>
    private static ProgramResource AddTransportBalancer(
        RegionContext context, Scope on, ProgramResource vpc, IReadOnlyList<ProgramResource> subnets, List<string> names)
    {
        var region = context.Region;
        var es = context.Config.Elasticsearch;
        var name = $"{region.Balancer.Name}-transport";
        var group = on.Add(TransportSecurityGroupName(region), "aws:ec2/securityGroup:SecurityGroup", new PMap
        {
            { "vpcId", vpc.Out("id") },
            { "description", $"Transport-only NLB (cross-cluster replication) in front of {region.ClusterName}" },
            { "tags", NameTag(name) },
        });
        names.Add(group.Name);
        foreach (var (port, what) in new[] { (es.TransportPort, "transport"), (es.HttpPort, "HTTP (health checks)") })
        {
            var egress = on.Add($"{group.Name}-egress-{Port(port)}", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", new PMap
            {
                { "securityGroupId", group.Out("id") },
                { "description", $"Elasticsearch {what} to the nodes" },
                { "ipProtocol", "tcp" },
                { "fromPort", port },
                { "toPort", port },
                { "cidrIpv4", region.Network.Cidr },
            });
            names.Add(egress.Name);
        }
        var lb = on.Add(TransportBalancerName(region), "aws:lb/loadBalancer:LoadBalancer", new PMap
        {
            { "loadBalancerType", "network" },
            { "internal", false },
            { "ipAddressType", "ipv4" },
            { "subnets", subnets.Select(s => (object)s.Out("id")).ToList() },
            { "securityGroups", new List<object> { group.Out("id") } },
            { "enableCrossZoneLoadBalancing", true },
            { "tags", NameTag(name) },
        });
        names.Add(lb.Name);
        return lb;
    }

    /// <summary>
    /// The transport port through an NLB: a TCP listener and a TCP target group of the nodes' transport port. TLS
    /// passes through to the nodes. The health check stays the meaningful one, on the HTTP port: a transport
    /// handshake says nothing about a red or masterless cluster.
    /// </summary>
    private static ProgramResource AddTransportPassthrough(
        RegionContext context, Scope on, ProgramResource vpc, ProgramResource lb, List<string> names)
    {
        var region = context.Region;
        var es = context.Config.Elasticsearch;
        var targetGroup = on.Add(TransportTargetGroupName(region), "aws:lb/targetGroup:TargetGroup", new PMap
        {
            { "vpcId", vpc.Out("id") },
            { "targetType", "instance" },
            { "port", es.TransportPort },
            { "protocol", "TCP" },
            // From the NLB's private addresses, which the nodes' VPC rule admits; never the peers' addresses.
            { "preserveClientIp", "false" },
            { "deregistrationDelay", 30 },
            { "healthCheck", HealthCheck(Port(es.HttpPort)) },
            { "tags", NameTag($"{region.Balancer.Name}-transport-tg") },
        });
        var listener = on.Add($"{lb.Name}-{Port(es.TransportPort)}", "aws:lb/listener:Listener", new PMap
        {
            { "loadBalancerArn", lb.Out("arn") },
            { "port", es.TransportPort },
            { "protocol", "TCP" },
            { "tcpIdleTimeoutSeconds", TransportIdleTimeoutSeconds },
            { "defaultActions", new List<object> { new PMap { { "type", "forward" }, { "targetGroupArn", targetGroup.Out("arn") } } } },
        });
        names.AddRange([targetGroup.Name, listener.Name]);
        return targetGroup;
    }

    /// <summary>
    /// The check every target group runs on each node: cluster health over HTTPS on <paramref name="port"/>
    /// (<c>traffic-port</c>, or the HTTP port for the transport target group), 200 only.
    /// </summary>
    private static PMap HealthCheck(string port) => new()
    {
        { "enabled", true },
        { "protocol", "HTTPS" },
        { "port", port },
        { "path", HealthCheckPath },
        { "matcher", HealthCheckMatcher },
        { "interval", 10 },
        { "timeout", 6 },
        { "healthyThreshold", 3 },
        { "unhealthyThreshold", 2 },
    };

    /// <summary>
    /// An ALB terminates TLS, so it needs a certificate. Without a domain of ours there is no ACM-issued one; the
    /// stack's own CA (which every client already trusts to talk to the nodes) signs one for the ALB's DNS
    /// name, and ACM imports it.
    /// </summary>
    private static (string Arn, List<string> Names) AddAlbCertificate(RegionContext context, Scope on, ProgramResource lb)
    {
        var program = context.Program;
        var balancer = context.Region.Balancer;
        var key = program.Add($"{balancer.LogicalName}-tls-key", "tls:index/privateKey:PrivateKey",
            new PMap { { "algorithm", "RSA" }, { "rsaBits", 2048 } },
            RegionContext.Pinned(ProviderPackages.Tls));
        var request = program.Add($"{balancer.LogicalName}-tls-csr", "tls:index/certRequest:CertRequest",
            new PMap
            {
                { "privateKeyPem", key.Out("privateKeyPem") },
                // The DNS name can be longer than a common name may be (64), so it is only a SAN.
                { "subject", new PMap { { "commonName", balancer.Name } } },
                { "dnsNames", new List<object> { lb.Out("dnsName") } },
            },
            RegionContext.Pinned(ProviderPackages.Tls));
        var certificate = program.Add($"{balancer.LogicalName}-tls-cert", "tls:index/locallySignedCert:LocallySignedCert",
            new PMap
            {
                { "certRequestPem", request.Out("certRequestPem") },
                { "caPrivateKeyPem", Ref.To(ClusterSecurity.CaKey, "privateKeyPem") },
                { "caCertPem", Ref.To(ClusterSecurity.CaCert, "certPem") },
                { "validityPeriodHours", 2 * 365 * 24 },
                // Renewed (and re-imported) by the first `pulumi up` in its last 30 days.
                { "earlyRenewalHours", 30 * 24 },
                { "allowedUses", new List<object> { "digital_signature", "key_encipherment", "server_auth" } },
            },
            RegionContext.Pinned(ProviderPackages.Tls));
        var imported = on.Add($"{balancer.LogicalName}-acm", "aws:acm/certificate:Certificate", new PMap
        {
            { "certificateBody", certificate.Out("certPem") },
            { "privateKey", key.Out("privateKeyPem") },
            { "certificateChain", Ref.To(ClusterSecurity.CaCert, "certPem") },
            { "tags", NameTag(balancer.Name) },
        });
        return (imported.Out("arn"), [key.Name, request.Name, certificate.Name, imported.Name]);
    }

    /// <summary>Adds resources that all go through the region's provider, at the pinned version.</summary>
    private sealed class Scope(RegionContext context, string provider)
    {
        public ProgramResource Add(string name, string type, PMap properties, ResourceOptions? options = null) =>
            context.Program.Add(name, type, properties,
                RegionContext.Pinned(ProviderPackages.Aws, (options ?? new ResourceOptions()) with { Provider = provider }));
    }

    /// <summary>
    /// The name lists of <see cref="RegionResources"/> are built here as lists, so the rules created later by
    /// <see cref="AddFirewalls"/> are listed with the rest of the region (stack outputs are written last).
    /// </summary>
    private static void Append(IReadOnlyList<string> names, IEnumerable<string> added)
    {
        if (names is List<string> list) list.AddRange(added);
    }

    internal static bool IsXen(string instanceType)
    {
        var family = instanceType.Split('.')[0];
        return XenFamilies.Contains(family);
    }

    private static PMap TagMap(IReadOnlyDictionary<string, string> tags)
    {
        var map = new PMap();
        foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal)) map.Add(key, value);
        return map;
    }

    private static PMap NameTag(string name) => new() { { "Name", name } };

    private static string VpcName(RegionTopology region) => $"{region.Key}-vpc";

    private static string SubnetName(RegionTopology region, string zone) => $"{region.Key}-subnet-{zone}";

    private static string RouteTableAssociationName(RegionTopology region, string zone) => $"{region.Key}-rta-{zone}";

    private static string DefaultRouteName(RegionTopology region) => $"{region.Key}-default-route";

    private static string Key(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.Key;
    }

    private static RegionBalancer Balancer(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.Balancer;
    }

    /// <summary>
    /// A CIDR, label or interpolation as a name part: <c>203.0.113.0/24</c> → <c>203-0-113-0-24</c>,
    /// <c>${iad-db-1.publicIp}/32</c> → <c>iad-db-1-publicIp-32</c>.
    /// </summary>
    private static string Slug(string text) => NonNameCharacters().Replace(text, "-").Trim('-');

    [GeneratedRegex("[^A-Za-z0-9]+")]
    private static partial Regex NonNameCharacters();

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
