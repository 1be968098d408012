using EsDr.Infra.Config;

namespace EsDr.Infra.Topology;

/// <summary>
/// The deployment as a domain model: what exists where, with every name and address decided. Built
/// from config by <see cref="TopologyBuilder"/>; cloud adapters turn it into provider resources.
/// </summary>
public sealed record DeploymentTopology(
    StackConfig Config,
    IReadOnlyList<RegionTopology> Regions)
{
    /// <summary>
    /// VMs (by logical name) whose user-data, as rendered, does not fit their cloud's limit: they get their files known
    /// at compile time written compressed (<see cref="Compilation.UserDataDelivery"/>). Empty until a first compilation
    /// has measured them (<see cref="Compilation.StackCompilation.Compile"/>).
    /// </summary>
    public IReadOnlySet<string> CompressedUserData { get; init; } = System.Collections.Immutable.ImmutableHashSet<string>.Empty;

    public string Prefix => Config.NamePrefix;
    public RegionTopology Active => Regions.Single(r => r.Name == Config.ActiveRegion);
    public IEnumerable<RegionTopology> Others(RegionTopology region) => Regions.Where(r => r.Name != region.Name);

    /// <summary>
    /// The machines running <c>pulumi up</c> that push HAProxy configs over SSH (Compilation.DeployerAccess): HAProxy
    /// VMs admit them on port 22 besides the operators. Empty when nothing is pushed.
    /// </summary>
    public IReadOnlyList<string> DeployerSources { get; init; } = [];
}

/// <summary>One region: its network, its Elasticsearch cluster and the balancer in front of it.</summary>
public sealed record RegionTopology(
    RegionConfig Config,
    string Key,
    string ClusterName,
    RegionNetwork Network,
    IReadOnlyList<EsNode> Nodes,
    RegionBalancer Balancer,
    int HeapGb)
{
    public string Name => Config.Name;
    public Cloud Cloud => Config.Cloud;
    public bool IsActive => Config.State == RegionState.Active;

    /// <summary>The region's database server, when config gives it one.</summary>
    public DatabaseHost? Database { get; init; }

    /// <summary>The region's application servers (none without <c>application</c>).</summary>
    public IReadOnlyList<ApplicationHost> Applications { get; init; } = [];

    /// <summary>Addresses other nodes use to discover this cluster: fixed private IPs, or DNS names where the cloud cannot fix IPs.</summary>
    public IReadOnlyList<string> SeedHosts => Nodes.Select(n => n.PrivateIp ?? n.DnsName!).ToList();

    /// <summary>The nodes that bootstrap a brand-new cluster; empty once every founding node has been replaced.</summary>
    public IReadOnlyList<string> FoundingNodeNames => Nodes.Where(n => n.IsFounding).Select(n => n.Name).ToList();
}

/// <summary>The region's private network and its subnets (one per zone, or one for the region).</summary>
public sealed record RegionNetwork(string Cidr, IReadOnlyList<Subnet> Subnets);

public sealed record Subnet(string Cidr, string? Zone);

/// <summary>
/// One Elasticsearch node. <see cref="LogicalName"/> is the Pulumi resource name and changes with the node's
/// generation, so bumping the generation in config replaces exactly this node.
/// </summary>
public sealed record EsNode(
    int Ordinal,
    int Generation,
    string LogicalName,
    string Name,
    string? PrivateIp,
    string? DnsName,
    Subnet Subnet,
    bool IsFounding)
{
    public string? Zone => Subnet.Zone;
}

/// <summary>The regional entry point. <see cref="PrivateIp"/> is set where the balancer is our own VM (HAProxy).</summary>
public sealed record RegionBalancer(BalancerKind Kind, string LogicalName, string Name, string? PrivateIp, string? Size);
