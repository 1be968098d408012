namespace EsDr.Infra.Config;

/// <summary>The clouds a region can run on.</summary>
public enum Cloud { Linode, DigitalOcean, Aws, Ovh }

/// <summary>What fronts a region's cluster and health-checks it.</summary>
public enum BalancerKind { NodeBalancer, DigitalOceanLoadBalancer, Nlb, Alb, HaProxy }

/// <summary>Where the search endpoint's name lives and how it follows the active region.</summary>
public enum DnsProvider { Route53, Linode, DigitalOcean }

/// <summary>A region's place in the disaster-recovery lifecycle; recovery changes it through config.</summary>
public enum RegionState { Active, Standby, Lost, Rebuilding }

/// <summary>The whole stack config, typed and validated. Built only by <see cref="StackConfigParser"/>.</summary>
public sealed record StackConfig(
    string Project,
    string Stack,
    string NamePrefix,
    string ActiveRegion,
    ElasticsearchSettings Elasticsearch,
    SshSettings Ssh,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<RegionConfig> Regions,
    DnsSettings? Dns = null,
    ReplicationSettings? Replication = null,
    MonitoringSettings? Monitoring = null,
    RecoverySettings? Recovery = null)
{
    /// <summary>The database tier (<c>es-dr:database</c>); regions with <c>database</c> get a host.</summary>
    public DatabaseSettings? Database { get; init; }

    /// <summary>The application tier (<c>es-dr:application</c>); regions with <c>application</c> get a pool.</summary>
    public ApplicationSettings? Application { get; init; }

    /// <summary>Where <c>pulumi up</c> runs (<c>es-dr:deployer</c>); required when the deploy reaches into the regions.</summary>
    public DeployerSettings? Deployer { get; init; }

    public RegionConfig Active => Regions.Single(r => r.Name == ActiveRegion);

    /// <summary>Which of <see cref="ProgramSecrets.Keys"/> the stack sets (their values are never read).</summary>
    public IReadOnlySet<string> SecretsSet { get; init; } = new HashSet<string>();

    /// <summary>
    /// Which of <see cref="SecretsSet"/> the stack stores in plain text (known only where Pulumi's list of secret keys
    /// or the stack file says so). The program still reads them through <c>fn::secret</c>; <c>es-dr show</c> warns.
    /// </summary>
    public IReadOnlySet<string> SecretsInPlainText { get; init; } = new HashSet<string>();
}

public sealed record ElasticsearchSettings(
    string Version,
    string License,
    bool Security,
    int HttpPort,
    int TransportPort,
    IReadOnlyList<string> ClientCidrs);

/// <summary>
/// The search endpoint's DNS name. Route 53: PRIMARY/SECONDARY failover records with a health check per
/// region. Linode or DigitalOcean domains: one record pointing at the active region, moved by re-running
/// the stack with another active region.
/// </summary>
public sealed record DnsSettings(
    DnsProvider Provider,
    string Zone,
    string? ZoneId,
    string SearchName,
    int Ttl,
    int HealthCheckIntervalSeconds,
    int FailureThreshold)
{
    public string SearchFqdn => $"{SearchName}.{Zone}";

    /// <summary>The application endpoint's record name, when the stack has one (<c>dns.appName</c>).</summary>
    public string? AppName { get; init; }

    public string? AppFqdn => AppName is null ? null : $"{AppName}.{Zone}";
}

/// <summary>
/// Cross-cluster replication: every standby region's cluster follows these index patterns of the active
/// region's cluster, in proxy mode through the active region's balancer.
/// </summary>
public sealed record ReplicationSettings(IReadOnlyList<string> IndexPatterns);

/// <summary>
/// The networks the machine running <c>pulumi up</c> leaves from (a self-hosted CI runner, a bastion). A
/// multi-region deploy reaches into the regions from there: <c>es-dr-recovery replication apply</c> on every regional
/// endpoint's 9200 (a HAProxy VM's cluster port 9210), the HAProxy config push on port 22 of the HAProxy VMs.
/// </summary>
public sealed record DeployerSettings(IReadOnlyList<string> Cidrs);

public sealed record SshSettings(IReadOnlyList<string> PublicKeys, IReadOnlyList<string> AllowedCidrs);

public sealed record RegionConfig(
    string Name,
    Cloud Cloud,
    string Location,
    IReadOnlyList<string> Zones,
    string NetworkCidr,
    int Generation,
    RegionState State,
    string? Image,
    string? ProjectId,
    string? DnsZone,
    RegionElasticsearch Elasticsearch,
    BalancerConfig LoadBalancer)
{
    public RegionDatabase? Database { get; init; }
    public RegionApplication? Application { get; init; }
}

public sealed record RegionElasticsearch(
    int Nodes,
    string Size,
    int? MemoryGb,
    int VolumeGb,
    IReadOnlyDictionary<int, int> NodeGenerations)
{
    /// <summary>A node's generation; nodes never replaced are at generation 1.</summary>
    public int GenerationOf(int ordinal) => NodeGenerations.TryGetValue(ordinal, out var g) ? g : 1;
}

public sealed record BalancerConfig(BalancerKind Kind, string? Size);
