using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Turns one region of the topology into one cloud's provider resources. The compiler calls
/// <see cref="AddRegion"/> for every region first, then <see cref="AddFirewalls"/> once all regions exist,
/// because firewall rules admit the other regions' nodes by their addresses.
/// </summary>
public interface ICloudAdapter
{
    Cloud Cloud { get; }

    /// <summary>How the node's OS sees its data volume (the renderer formats and mounts it), or null without one.</summary>
    string? DataVolumeDevice(RegionTopology region, EsNode node);

    /// <summary>What <c>network.host</c> is on this cloud: the node's fixed private IP, or an interface name.</summary>
    string NetworkHost(EsNode node);

    /// <summary>Cloud-specific additions to a node's first boot (e.g. Linode's health-check front door); none by default.</summary>
    NodeAddOns AddOns(RegionTopology region, EsNode node) => NodeAddOns.None;

    /// <summary>The image's admin user, as whom rendered configs are pushed over SSH (<see cref="HaproxyConfigPush"/>).</summary>
    string AdminUser => "root";

    /// <summary>The most user-data one of this cloud's VMs accepts (checked for every VM by <see cref="UserDataBudget"/>).</summary>
    UserDataLimit UserDataLimit { get; }

    /// <summary>
    /// The user-data <paramref name="resource"/> boots with, as the VM receives it (inside any encoding the provider
    /// wants, such as Linode's base64), or null when the resource is not one of this cloud's VMs.
    /// </summary>
    object? UserDataOf(ProgramResource resource);

    RegionResources AddRegion(RegionContext context);

    void AddFirewalls(RegionContext context, RegionResources own, IReadOnlyList<RegionResources> peers);

    /// <summary>
    /// A plain VM in the region (a database server, later application and monitoring hosts): on the
    /// region's private network at a fixed address where the cloud allows, with a public address, the given
    /// first-boot user-data, and a firewall admitting exactly <see cref="HostSpec.Inbound"/> plus SSH from
    /// the operators. Called after every region's <see cref="AddRegion"/>, so rules may name other regions'
    /// addresses; the firewall must be its own resource (or rule resources), so rules that name other hosts
    /// never make VMs depend on each other.
    /// </summary>
    HostResources AddHost(RegionContext context, RegionResources region, HostSpec host);

    /// <summary>
    /// Where the balancer's traffic to application servers comes from: the only sources their application port
    /// admits. By default the region's private network (balancers that reach targets from private addresses).
    /// </summary>
    IReadOnlyList<string> ApplicationBalancerSources(RegionTopology region) => [region.Network.Cidr];

    /// <summary>
    /// Whether <see cref="HostSpec.Inbound"/> is enforced by a cloud firewall. Where it is not (OVH), the caller renders
    /// the rules into the host's own nftables.
    /// </summary>
    bool FiltersInTheCloud => true;

    /// <summary>
    /// Puts the region's application servers (already created with <see cref="AddHost"/>) behind the regional
    /// balancer, or a second one where a balancer has only one health check, on <see cref="ApplicationPool.PublicPort"/>
    /// with an HTTP check of <see cref="ApplicationPool.HealthPath"/>.
    /// </summary>
    ApplicationResources AddApplicationPool(RegionContext context, RegionResources region, ApplicationPool pool) =>
        throw new NotSupportedException($"region '{context.Region.Name}': {Cloud} regions cannot put an application pool behind their balancer");

    /// <summary>
    /// A network site that is not an Elasticsearch region (the monitoring host's): <paramref name="context"/>'s
    /// region has no nodes and no balancer; only its network is created, for <see cref="AddHost"/>. The returned
    /// resources have no nodes and an empty endpoint.
    /// </summary>
    RegionResources AddSite(RegionContext context) =>
        throw new NotSupportedException($"{Cloud} cannot host a site outside an Elasticsearch region");

    /// <summary>
    /// A public IPv4 address reserved in the site (after <see cref="AddSite"/>) before any host exists, for
    /// <see cref="HostSpec.PublicAddress"/>: the host's outbound traffic leaves from it, so other firewalls can
    /// admit the host by it without depending on the host (which would close a cycle when the host's own
    /// user-data names their resources).
    /// </summary>
    ReservedAddress ReserveAddress(RegionContext context, string logicalName) =>
        throw new NotSupportedException($"{Cloud} has no reserved address that carries a host's outbound traffic");
}

/// <summary>A region's application servers and how the balancer serves them.</summary>
public sealed record ApplicationPool(
    int Port,
    int PublicPort,
    string HealthPath,
    IReadOnlyList<string> ClientCidrs,
    IReadOnlyList<ApplicationMember> Members);

/// <summary>One application server as created: its topology entry and its resources.</summary>
public sealed record ApplicationMember(ApplicationHost Host, HostResources Resources)
{
    /// <summary>The VM itself (the first resource <see cref="ICloudAdapter.AddHost"/> returns).</summary>
    public string InstanceName => Resources.ResourceNames[0];
}

/// <summary>The application endpoint: the URL clients use, its host (address or DNS name) and the balancer resources added.</summary>
public sealed record ApplicationResources(string Endpoint, string EndpointHost, IReadOnlyList<string> ResourceNames)
{
    /// <summary>For a balancer known by DNS name (AWS): the Route 53 zone id of that name, for alias records.</summary>
    public string? EndpointAliasZoneId { get; init; }
}

/// <summary>A reserved public address: its resource's logical name and an interpolation of the address.</summary>
public sealed record ReservedAddress(string ResourceName, string Address);

/// <summary>A VM to create in a region. <see cref="PrivateIp"/> is null on clouds that cannot fix addresses.</summary>
public sealed record HostSpec(
    string LogicalName,
    string Name,
    string Size,
    string? PrivateIp,
    string UserData,
    IReadOnlyList<InboundRule> Inbound,
    string Role)
{
    /// <summary>
    /// The pool the host belongs to (application servers), or null. Clouds whose balancers select members by
    /// tag (DigitalOcean) tag the host with it.
    /// </summary>
    public string? Pool { get; init; }

    /// <summary>A reserved address (<see cref="ICloudAdapter.ReserveAddress"/>) to give the host, or null for the cloud's own.</summary>
    public ReservedAddress? PublicAddress { get; init; }

    /// <summary>
    /// False for a host reached only through the region's HAProxy VM (an OVH database host): no public interface; its
    /// <see cref="HostResources.PublicIp"/> is then the address its outbound traffic leaves from. Only adapters whose
    /// hosts sit behind a HAProxy VM (<see cref="ICloudAdapter.FiltersInTheCloud"/> false) honour it.
    /// </summary>
    public bool PublicInterface { get; init; } = true;
}

/// <summary>TCP <see cref="Port"/> admitted from <see cref="Sources"/> (CIDRs; may be interpolations like <c>${x.ipAddress}/32</c>). Never 0.0.0.0/0.</summary>
public sealed record InboundRule(string Label, int Port, IReadOnlyList<string> Sources);

/// <summary>A created host: its addresses (interpolations or literals) and the logical names of its resources.</summary>
public sealed record HostResources(string PublicIp, string PrivateIp, IReadOnlyList<string> ResourceNames);

/// <summary>Files and commands a cloud adds to a node's user-data.</summary>
public sealed record NodeAddOns(IReadOnlyList<Renderers.ExtraFile> Files, IReadOnlyList<string> RunCommands)
{
    public static readonly NodeAddOns None = new([], []);
}

/// <summary>Everything an adapter needs to emit one region.</summary>
public sealed record RegionContext(
    DeploymentTopology Topology,
    RegionTopology Region,
    PulumiProgram Program,
    IReadOnlyDictionary<string, string> NodeUserData,
    string? BalancerUserData,
    IReadOnlyDictionary<string, string> Tags)
{
    public StackConfig Config => Topology.Config;

    /// <summary>Resource options carrying the package's pinned version and plugin source (for default providers).</summary>
    public static ResourceOptions Pinned(string package, ResourceOptions? options = null) => ProviderPackages.Pinned(package, options);

    /// <summary>Tags as "key:value" strings, for clouds whose tags are plain strings.</summary>
    public IReadOnlyList<string> TagList(params string[] extra) =>
        Tags.Select(kv => $"{kv.Key}:{kv.Value}").Concat(extra).ToList();
}

/// <summary>What a region's resources expose to the rest of the program: interpolations of their outputs.</summary>
public sealed record RegionResources(
    RegionTopology Region,
    IReadOnlyList<NodeResources> Nodes,
    string Endpoint,
    IReadOnlyList<string> BalancerResourceNames,
    IReadOnlyList<string> NetworkResourceNames)
{
    /// <summary>The endpoint's host: an IP address, or a DNS name where <see cref="EndpointAliasZoneId"/> is set.</summary>
    public string EndpointHost => Endpoint["https://".Length..Endpoint.LastIndexOf(':')];

    /// <summary>For a balancer known by DNS name (AWS): the Route 53 zone id of that name, for alias records.</summary>
    public string? EndpointAliasZoneId { get; init; }

    /// <summary>
    /// Where other regions reach this cluster's transport port (proxy-mode remote clusters): the endpoint
    /// itself, unless the endpoint cannot pass raw TLS through (an ALB, fronted by a transport-only NLB).
    /// </summary>
    public string TransportHost
    {
        get => transportHost ?? EndpointHost;
        init => transportHost = value;
    }

    private readonly string? transportHost;

    /// <summary>
    /// Whether the nodes answer on their public addresses (behind the region's firewall). False on OVH, whose
    /// nodes have no public interface: other regions reach them through the region's HAProxy only.
    /// </summary>
    public bool NodesArePublic { get; init; } = true;

    /// <summary>
    /// This cluster itself, whichever region serves client traffic: the endpoint, or for a HAProxy region (whose
    /// endpoint follows the active region) its HAProxy's cluster port.
    /// </summary>
    public string ClusterEndpoint => Region.Balancer.Kind == BalancerKind.HaProxy
        ? $"https://{EndpointHost}:{NodeUserData.HaproxyClusterPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
        : Endpoint;

    /// <summary>
    /// The other regions' HAProxy VMs as firewall sources (<c>address/32</c>): they health-check and forward
    /// client traffic to this region's nodes on the HTTP port when this region is active or standing by.
    /// </summary>
    public static IReadOnlyList<string> PeerBalancerSources(IEnumerable<RegionResources> peers) =>
        peers.Where(p => p.Region.Balancer.Kind == BalancerKind.HaProxy)
            .Select(p => $"{p.EndpointHost}/32").Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The other regions' nodes as firewall sources (<c>address/32</c>), each address once: the nodes of
    /// an OVH region all leave through one gateway address.
    /// </summary>
    public static IReadOnlyList<string> PeerSources(IEnumerable<RegionResources> peers) =>
        peers.SelectMany(p => p.Nodes).Select(n => $"{n.PublicIp}/32").Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>One node's addresses (interpolations or literals) and the logical names of everything that is part of the node.</summary>
public sealed record NodeResources(
    EsNode Node,
    string PublicIp,
    string PrivateIp,
    IReadOnlyList<string> ResourceNames);
