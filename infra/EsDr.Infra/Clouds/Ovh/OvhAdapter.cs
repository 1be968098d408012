using System.Globalization;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Clouds.Ovh;

/// <summary>
/// A region on OVHcloud Public Cloud: a private network (vRack) with one subnet and a managed gateway for
/// outbound traffic, Elasticsearch instances with <em>no public interface at all</em> on their fixed private
/// addresses, and a small HAProxy VM that is the region's only public address. The OVH provider has no cloud
/// firewall for Public Cloud instances, so nothing is filtered in the cloud: the nodes are simply unreachable
/// from the internet. See README.md beside this file.
/// </summary>
public sealed class OvhAdapter : ICloudAdapter
{
    /// <summary>Managed gateway size (s, m or l): SNAT for the nodes' package downloads and replication traffic.</summary>
    public const string GatewayModel = "s";

    public const string BillingPeriod = "hourly";

    private const string InstanceType = "ovh:CloudProject/instance:Instance";

    /// <summary>
    /// First host of the subnet's DHCP pool (which runs to the last usable address). Fixed addresses (the
    /// HAProxy VM at <see cref="TopologyBuilder.BalancerHostOffset"/>, nodes from
    /// <see cref="TopologyBuilder.NodeHostOffset"/>+1 up to +99) all lie below it, so no port the cloud allocates
    /// dynamically (the DHCP server's, the gateway's) can take a node's address.
    /// </summary>
    public const uint DhcpPoolOffset = 128;

    /// <summary>
    /// Picks the public IPv4 address out of the instance's <c>addresses</c> (which lists public and private,
    /// IPv4 and IPv6, in no documented order): the IPv4 address outside the private and link-local ranges.
    /// Fails, rather than printing a wrong endpoint, when there is none. It prints one dotted quad of one to three
    /// digits each, at most 15 characters: the bound the user-data size check counts for it.
    /// </summary>
    public const string PublicIpv4Script = """
        ip=$(printf '%s' "$ADDRESSES" | grep -oE '"ip": ?"[0-9]{1,3}(\.[0-9]{1,3}){3}"' | grep -oE '[0-9]{1,3}(\.[0-9]{1,3}){3}' | grep -vE '^(10|127)\.|^169\.254\.|^172\.(1[6-9]|2[0-9]|3[01])\.|^192\.168\.' | head -n 1)
        if [ -z "$ip" ]; then echo "no public IPv4 address in: $ADDRESSES" >&2; exit 1; fi
        printf '%s' "$ip"
        """;

    public Cloud Cloud => Cloud.Ovh;

    /// <summary>OVH Public Cloud instances are OpenStack servers: Nova takes at most 65 535 bytes of base64-encoded user-data.</summary>
    public UserDataLimit UserDataLimit { get; } = new("OVH", 65_535, UserDataCount.Base64, "base64-encoded, as OpenStack counts it");

    public object? UserDataOf(ProgramResource resource) =>
        resource is { Type: InstanceType } && resource.Properties.ContainsKey("userData") ? resource.Properties["userData"] : null;

    /// <summary>
    /// The default user of OVH's Debian images (the image this project's stacks name; root login is refused on
    /// them). It reaches root through sudo, which the push script uses when it is not root.
    /// </summary>
    public string AdminUser => "debian";

    /// <summary>
    /// None: the OVH provider (2.12.0) can create a Block Storage volume but cannot attach it to an instance (no
    /// attachment resource; <c>instanceId</c> on the volume is not an attachment), so Elasticsearch keeps its
    /// data on the flavor's local disk.
    /// </summary>
    public string? DataVolumeDevice(RegionTopology region, EsNode node) => null;

    /// <summary>The node's fixed private address, its only interface.</summary>
    public string NetworkHost(EsNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.PrivateIp ?? throw new InvalidOperationException($"OVH node {node.Name} has no fixed private address");
    }

    public static string NetworkName(RegionTopology region) => $"{Region(region).Key}-net";

    public static string SubnetName(RegionTopology region) => $"{Region(region).Key}-subnet";

    public static string GatewayName(RegionTopology region) => $"{Region(region).Key}-gw";

    public static string SshKeyName(RegionTopology region) => $"{Region(region).Key}-ssh-key";

    public static string PublicIpName(RegionTopology region) => $"{Region(region).Balancer.LogicalName}-public-ip";

    /// <summary>
    /// The private network's VLAN in the project's vRack: derived from the region's address block (its /24 block
    /// number), so regions of one stack, whose networks never overlap, get different VLANs in practice, and a
    /// regenerated region keeps its VLAN.
    /// </summary>
    public static int VlanId(RegionTopology region)
    {
        var network = Ipv4Cidr.Parse(Region(region).Network.Cidr).Network;
        return 1 + (int)((network >> 8) % 4000);
    }

    public RegionResources AddRegion(RegionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var region = context.Region;
        var config = region.Config;
        var program = context.Program;
        var prefix = context.Config.NamePrefix;
        // The config rules refuse another balancer, zones and a missing project or image first, naming the key;
        // these guards keep a context built some other way from producing a region this adapter cannot build.
        if (region.Balancer.Kind != BalancerKind.HaProxy)
            throw new NotSupportedException($"region '{region.Name}': OVH regions are fronted by HAProxy on a VM, not '{StackConfigParser.Spell(region.Balancer.Kind)}'");
        if (region.Network.Subnets.Count != 1)
            throw new NotSupportedException($"region '{region.Name}': OVH regions have one subnet; remove 'zones'");
        var project = config.ProjectId ?? throw new InvalidOperationException($"region '{region.Name}': OVH regions need 'projectId'");
        var image = config.Image ?? throw new InvalidOperationException($"region '{region.Name}': OVH regions need 'image' (an image id)");
        var balancerUserData = context.BalancerUserData
            ?? throw new InvalidOperationException($"region '{region.Name}': the HAProxy VM needs user-data");
        var balancerIp = region.Balancer.PrivateIp
            ?? throw new InvalidOperationException($"region '{region.Name}': the HAProxy VM needs a fixed private address");

        var network = program.Add(NetworkName(region), "ovh:CloudProject/networkPrivate:NetworkPrivate",
            new PMap
            {
                { "serviceName", project },
                { "name", $"{prefix}-{region.Key}" },
                { "regions", new List<object> { config.Location } },
                { "vlanId", VlanId(region) },
            },
            Pinned());
        var cidr = Ipv4Cidr.Parse(region.Network.Cidr);
        var subnet = program.Add(SubnetName(region), "ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet",
            new PMap
            {
                { "serviceName", project },
                { "networkId", network.Out("id") },
                { "region", config.Location },
                { "network", region.Network.Cidr },
                { "start", cidr.Host(DhcpPoolOffset) },
                { "end", cidr.Host(cidr.Size - 2) },
                { "dhcp", true },
                // The subnet's gateway address is where the managed gateway sits: the nodes' default route.
                { "noGateway", false },
            },
            Pinned());
        var openstackNetworkId = OpenstackNetworkId(region);
        var gateway = program.Add(GatewayName(region), "ovh:CloudProject/gateway:Gateway",
            new PMap
            {
                { "serviceName", project },
                { "name", $"{prefix}-{region.Key}" },
                { "model", GatewayModel },
                { "region", config.Location },
                { "networkId", openstackNetworkId },
                { "subnetId", subnet.Out("id") },
            },
            Pinned());
        // OVH wants a key pair on every instance; cloud-init writes all the configured keys anyway.
        var sshKey = program.Add(SshKeyName(region), "ovh:index/cloudProjectSshKey:CloudProjectSshKey",
            new PMap
            {
                { "serviceName", project },
                { "name", $"{prefix}-{region.Key}" },
                { "publicKey", context.Config.Ssh.PublicKeys[0] },
                { "region", config.Location },
            },
            Pinned());

        // The nodes reach the internet (and the other regions' nodes) through the gateway's SNAT: that is the
        // one address the other regions admit for them.
        var egressIp = EgressAddress(region);
        var nodes = new List<NodeResources>();
        foreach (var node in region.Nodes)
        {
            var instance = program.Add(node.LogicalName, InstanceType,
                Instance(context, project, image, node.Name, config.Elasticsearch.Size, context.NodeUserData[node.LogicalName],
                    new PMap
                    {
                        // No public interface: Elasticsearch (and SSH) cannot be reached from the internet at all.
                        { "public", false },
                        { "private", Private(openstackNetworkId, subnet.Out("id"), NetworkHost(node)) },
                    },
                    sshKey.Out("name")),
                InstanceOptions([gateway.Name]));
            nodes.Add(new NodeResources(node, egressIp, NetworkHost(node), [instance.Name]));
        }

        // The HAProxy VM: a public interface for clients and a private one on its fixed address to the nodes.
        var balancer = program.Add(region.Balancer.LogicalName, InstanceType,
            Instance(context, project, image, region.Balancer.Name, region.Balancer.Size ?? config.Elasticsearch.Size, balancerUserData,
                new PMap
                {
                    { "public", true },
                    { "private", Private(openstackNetworkId, subnet.Out("id"), balancerIp) },
                },
                sshKey.Out("name")),
            InstanceOptions([gateway.Name]));
        var publicIp = AddPublicIpv4(program, PublicIpName(region), balancer);

        return new RegionResources(
            region,
            nodes,
            $"https://{publicIp.Out("stdout")}:{context.Config.Elasticsearch.HttpPort.ToString(CultureInfo.InvariantCulture)}",
            [balancer.Name, publicIp.Name],
            [network.Name, subnet.Name, gateway.Name, sshKey.Name])
        {
            // No public interface: other regions reach these nodes through the HAProxy VM's cluster port.
            NodesArePublic = false,
        };
    }

    /// <summary>
    /// Nothing to add: OVH Public Cloud instances have no cloud firewall in this provider. The nodes have no
    /// public interface, and the HAProxy VM filters sources itself: its user-data (<see cref="RegionContext.BalancerUserData"/>,
    /// a reference to a variable the compiler fills in once every region exists) admits the client networks, the
    /// region's private network and the other regions' nodes on 9200, and only the other regions' nodes on 9300
    /// (README.md).
    /// </summary>
    public void AddFirewalls(RegionContext context, RegionResources own, IReadOnlyList<RegionResources> peers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(peers);
    }

    /// <summary>
    /// A plain VM (an application server, a database server), built like the HAProxy VM: a public interface
    /// (the operators reach it there), a private one on <see cref="HostSpec.PrivateIp"/> (below the DHCP pool), the
    /// given user-data, and <c>{LogicalName}-public-ip</c> reading its public IPv4 address. With
    /// <see cref="HostSpec.PublicInterface"/> false (the database host, behind the HAProxy VM) only the private
    /// interface, and the gateway's address as its public one (its outbound source). No firewall: OVH has none in the cloud
    /// (<see cref="FiltersInTheCloud"/>), so the caller renders <see cref="HostSpec.Inbound"/> and SSH from the
    /// operators into the host's own nftables rules in its user-data (README.md). The rules are still checked
    /// here: a source of the whole internet is refused.
    /// </summary>
    public HostResources AddHost(RegionContext context, RegionResources region, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(host);
        var topology = context.Region;
        RefuseInternetWideSources(host);
        var project = topology.Config.ProjectId ?? throw new InvalidOperationException($"region '{topology.Name}': OVH regions need 'projectId'");
        var image = topology.Config.Image ?? throw new InvalidOperationException($"region '{topology.Name}': OVH regions need 'image' (an image id)");
        var privateIp = host.PrivateIp ?? throw new InvalidOperationException($"OVH host {host.Name} has no fixed private address");
        var cidr = Ipv4Cidr.Parse(topology.Network.Cidr);
        // Fixed addresses sit between the subnet's gateway (host 1) and the DHCP pool, so no port the cloud
        // allocates can take the host's; and never on a node's or the HAProxy VM's.
        if (!Ipv4Cidr.TryParse($"{privateIp}/32", out var address) || !address.Within(cidr)
            || address.Network - cidr.Network is < 2 or >= DhcpPoolOffset)
            throw new InvalidOperationException(
                $"OVH host {host.Name}: '{privateIp}' must be an address of {topology.Network.Cidr} from {cidr.Host(2)} to {cidr.Host(DhcpPoolOffset - 1)} (clear of the gateway and the DHCP pool)");
        if (topology.Nodes.Select(n => n.PrivateIp).Append(topology.Balancer.PrivateIp).Contains(privateIp))
            throw new InvalidOperationException($"OVH host {host.Name}: '{privateIp}' is already an Elasticsearch node's or the HAProxy VM's address");

        var instance = context.Program.Add(host.LogicalName, InstanceType,
            Instance(context, project, image, host.Name, host.Size, host.UserData,
                new PMap
                {
                    { "public", host.PublicInterface },
                    { "private", Private(OpenstackNetworkId(topology), Ref.To(SubnetName(topology), "id"), privateIp) },
                },
                Ref.To(SshKeyName(topology), "name")),
            InstanceOptions([GatewayName(topology)]));
        // Private only (behind the HAProxy VM): it leaves through the gateway's SNAT, like the nodes.
        if (!host.PublicInterface) return new HostResources(EgressAddress(topology), privateIp, [instance.Name]);
        var publicIp = AddPublicIpv4(context.Program, $"{host.LogicalName}-public-ip", instance);
        return new HostResources(publicIp.Out("stdout"), privateIp, [instance.Name, publicIp.Name]);
    }

    /// <summary>
    /// False: OVH Public Cloud instances have no cloud firewall in this provider. A host's
    /// <see cref="HostSpec.Inbound"/> rules must be enforced on the host itself (nftables in its user-data).
    /// </summary>
    public bool FiltersInTheCloud => false;

    /// <summary>The HAProxy VM reaches the application servers from its fixed private address.</summary>
    public IReadOnlyList<string> ApplicationBalancerSources(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return [$"{region.Balancer.PrivateIp ?? throw new InvalidOperationException($"region '{region.Name}': the HAProxy VM has no fixed private address")}/32"];
    }

    /// <summary>
    /// The application on the region's HAProxy VM: its haproxy.cfg carries the frontend (NodeUserData.HaproxySettings)
    /// and filters the clients itself; nothing more to create. The endpoint is the VM's public address.
    /// </summary>
    public ApplicationResources AddApplicationPool(RegionContext context, RegionResources region, ApplicationPool pool)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(pool);
        return new ApplicationResources($"http://{region.EndpointHost}:{pool.PublicPort.ToString(CultureInfo.InvariantCulture)}", region.EndpointHost, []);
    }

    /// <summary>The instance's public IPv4 address, read by <see cref="PublicIpv4Script"/> out of its <c>addresses</c>.</summary>
    private static ProgramResource AddPublicIpv4(PulumiProgram program, string name, ProgramResource instance) =>
        program.Add(name, "command:local:Command",
            new PMap
            {
                { "create", PublicIpv4Script },
                { "environment", new PMap { { "ADDRESSES", new PMap { { "fn::toJSON", instance.Out("addresses") } } } } },
            },
            RegionContext.Pinned(ProviderPackages.Command));

    /// <summary>A host's rules admit named networks only: a source of the whole internet is refused, naming the rule.</summary>
    private static void RefuseInternetWideSources(HostSpec host)
    {
        foreach (var rule in host.Inbound)
        {
            foreach (var source in rule.Sources)
            {
                var parts = source.Split('/');
                if (parts.Length == 2 && parts[1].Trim() == "0" && System.Net.IPAddress.TryParse(parts[0].Trim(), out _))
                    throw new InvalidOperationException(
                        $"host {host.Name}: inbound rule '{rule.Label}' (port {rule.Port.ToString(CultureInfo.InvariantCulture)}) admits {source}, the whole internet; list the networks that need it");
            }
        }
    }

    /// <summary>The gateway's SNAT address: where every private-only instance's outbound traffic leaves from.</summary>
    public static string EgressAddress(RegionTopology region) => Ref.To(GatewayName(region), "externalInformations[0].ips[0].ip");

    /// <summary>Instances take the region's OpenStack id of the network, not the project-level pn-… id.</summary>
    private static string OpenstackNetworkId(RegionTopology region) =>
        Ref.To(NetworkName(region), $"regionsOpenstackIds[\"{region.Config.Location}\"]");

    private static PMap Instance(
        RegionContext context, string project, string image, string name, string flavorId, string userData, PMap network, string sshKeyName) => new()
    {
        { "serviceName", project },
        { "region", context.Region.Config.Location },
        { "billingPeriod", BillingPeriod },
        { "name", name },
        // Both are ids (UUIDs, per region), not names: config `size` is the flavor id, `image` the image id.
        { "flavor", new PMap { { "flavorId", flavorId } } },
        { "bootFrom", new PMap { { "imageId", image } } },
        { "sshKey", new PMap { { "name", sshKeyName } } },
        { "network", network },
        { "userData", userData },
    };

    private static PMap Private(string openstackNetworkId, string subnetId, string ip) => new()
    {
        { "network", new PMap { { "id", openstackNetworkId }, { "subnetId", subnetId } } },
        { "ip", ip },
    };

    private static ResourceOptions InstanceOptions(IReadOnlyList<string> dependsOn) => Pinned(new ResourceOptions
    {
        // Every instance input forces a replacement on OVH. cloud-init runs on first boot only, and a changed
        // image or flavor must never replace every node at once: a node takes them when its generation is bumped.
        IgnoreChanges = ["userData", "flavor", "bootFrom", "sshKey"],
        // The gateway must exist before first boot, when cloud-init downloads packages through it.
        DependsOn = dependsOn,
    });

    private static RegionTopology Region(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region;
    }

    private static ResourceOptions Pinned(ResourceOptions? options = null) => RegionContext.Pinned(ProviderPackages.Ovh, options);
}
