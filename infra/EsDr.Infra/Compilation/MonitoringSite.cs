using System.Globalization;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// The monitoring host and its site (<c>es-dr:monitoring</c>): a small network of its own in a location
/// outside every Elasticsearch region, and one VM running Prometheus, Alertmanager, blackbox_exporter and an
/// elasticsearch_exporter per cluster. Built in two steps so the program's graph has no cycle:
/// <see cref="Prepare"/> creates the site's network and reserves the host's public address before any
/// region exists, so every regional endpoint admits that address on 9200 without depending on the host;
/// <see cref="AddHost"/> then creates the host, whose user-data names the endpoints.
/// </summary>
public sealed class MonitoringSite
{
    /// <summary>The site's key: resource names start with it (<c>monitoring-vpc</c>); no region may be named so.</summary>
    public const string Key = "monitoring";

    public const string HostLogicalName = "monitoring-host";
    public const string AddressLogicalName = "monitoring-public-ip";

    /// <summary>Host offset of the host's fixed private address in the site's subnet (clear of AWS's reserved first four).</summary>
    public const uint HostOffset = 10;

    /// <summary>The first cluster's exporter port; one per cluster after it (the packaged exporter's 9114 and blackbox's 9115 stay free).</summary>
    public const int FirstExporterPort = 9120;

    /// <summary>The first database's mysqld_exporter port; one per database host after it (the packaged exporter's 9104 stays free).</summary>
    public const int FirstMysqldExporterPort = 9140;

    private readonly ICloudAdapter adapter;
    private readonly RegionContext context;
    private readonly RegionResources network;

    private MonitoringSite(MonitoringSettings settings, ICloudAdapter adapter, RegionContext context, RegionResources network, ReservedAddress address)
    {
        Settings = settings;
        this.adapter = adapter;
        this.context = context;
        this.network = network;
        Address = address;
    }

    public MonitoringSettings Settings { get; }

    /// <summary>The host's reserved public address (an interpolation).</summary>
    public ReservedAddress Address { get; }

    /// <summary>The host's address as a firewall source.</summary>
    public string Source => $"{Address.Address}/32";

    public static MonitoringSite Prepare(DeploymentTopology topology, PulumiProgram program, ICloudAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(adapter);
        var settings = topology.Config.Monitoring ?? throw new InvalidOperationException("the stack has no monitoring settings");
        var site = SiteTopology(topology.Config, settings);
        var tags = new Dictionary<string, string>(topology.Config.Tags, StringComparer.Ordinal)
        {
            ["es-dr-stack"] = topology.Config.Stack,
            ["es-dr-region"] = Key,
        };
        var context = new RegionContext(topology, site, program, new Dictionary<string, string>(), null, tags);
        var network = adapter.AddSite(context);
        return new MonitoringSite(settings, adapter, context, network, adapter.ReserveAddress(context, AddressLogicalName));
    }

    /// <summary>
    /// The topology whose regional endpoints admit the host: the host is one more client of each endpoint's
    /// 9200 (exporter and probe), so its address joins <c>elasticsearch.clientCidrs</c>, which every
    /// cloud's balancer firewall and HAProxy's own source filter already admit. Nodes do not admit it.
    /// </summary>
    public DeploymentTopology AdmittedByEndpoints(DeploymentTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var es = topology.Config.Elasticsearch;
        return topology with { Config = topology.Config with { Elasticsearch = es with { ClientCidrs = [.. es.ClientCidrs, Source] } } };
    }

    /// <summary>
    /// Adds the host; <paramref name="clusters"/> are the regions in order with their monitoring passwords,
    /// <paramref name="databases"/> the database hosts (whose firewalls admit <see cref="Source"/>).
    /// </summary>
    public HostResources AddHost(
        IReadOnlyList<(RegionResources Region, string MonitorPassword)> clusters, IReadOnlyList<DatabaseHostBuild> databases,
        ICollection<RenderedFile> files)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(databases);
        ArgumentNullException.ThrowIfNull(files);
        var config = context.Config;
        var settings = HostSettings(config, clusters, context.Program.SecretConfig(ProgramSecrets.AlertWebhookToken), Databases(databases));
        var userData = UserDataDelivery.Deliver(context.Topology, HostLogicalName, Key, HostName(config), CloudInit.RenderMonitoringHost(settings), files);
        var operators = config.Ssh.AllowedCidrs;
        var host = new HostSpec(
            HostLogicalName,
            HostName(config),
            Settings.Size,
            Ipv4Cidr.Parse(context.Region.Network.Subnets[0].Cidr).Host(HostOffset),
            userData,
            // Prometheus's and Alertmanager's UIs for the operators only; everything else arrives outbound.
            [
                new InboundRule("prometheus", MonitoringDefaults.PrometheusPort, operators),
                new InboundRule("alertmanager", MonitoringDefaults.AlertmanagerPort, operators),
            ],
            "monitoring")
        {
            PublicAddress = Address,
        };
        return adapter.AddHost(context, network, host);
    }

    /// <summary>What the host's first boot needs; with <paramref name="databases"/>, mysqld_exporter is installed and scraped.</summary>
    public MonitoringHostSettings HostSettings(
        StackConfig config, IReadOnlyList<(RegionResources Region, string MonitorPassword)> clusters, string webhookToken,
        IReadOnlyList<MonitoredDatabaseHost> databases)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(clusters);
        var endpoints = clusters.Select((c, i) => Endpoint(config, c.Region, FirstExporterPort + i, c.MonitorPassword)).ToList();
        return new MonitoringHostSettings(
            endpoints,
            databases,
            Thresholds(Settings.Thresholds),
            Settings.WebhookUrl,
            webhookToken,
            ClusterSecurity.CaCertBase64Ref,
            config.Ssh.PublicKeys);
    }

    /// <summary>
    /// The exporters and probes go through the regional endpoint, not to a node: its one address survives the
    /// loss of any node (OVH nodes have no public address at all), and it is what clients see. TLS is checked
    /// against the stack CA by a name the far end's certificate carries: the cluster name (in every node's
    /// certificate), mapped to the endpoint in /etc/hosts, or for an ALB, which terminates TLS with a
    /// certificate for its own DNS name, that name.
    /// </summary>
    private static MonitoredEndpoint Endpoint(StackConfig config, RegionResources r, int exporterPort, string password)
    {
        var region = r.Region;
        var cluster = new MonitoredCluster(region.Name, region.ClusterName, exporterPort, region.Nodes.Count);
        var alb = region.Balancer.Kind == BalancerKind.Alb;
        return new MonitoredEndpoint(
            cluster,
            alb ? r.EndpointHost : region.ClusterName,
            alb ? null : r.EndpointHost,
            config.Elasticsearch.HttpPort,
            ElasticsearchRoles.MonitorPrincipal,
            password);
    }

    /// <summary>
    /// Each database host, reached directly at its public address on 3306 (there is no balancer in front of it),
    /// with TLS checked by the host name its certificate carries. Exporter ports follow the stack's region order.
    /// </summary>
    public static IReadOnlyList<MonitoredDatabaseHost> Databases(IReadOnlyList<DatabaseHostBuild> databases)
    {
        ArgumentNullException.ThrowIfNull(databases);
        return databases.Select((d, i) => new MonitoredDatabaseHost(
            d.Region.Name,
            d.Host.Role == Renderers.Database.MySqlRole.Primary ? DatabaseRole.Primary : DatabaseRole.Replica,
            d.Host.Name,
            $"${{{DatabaseTier.PublicAddressVariable(d.Host)}}}",
            DatabaseSettings.Port,
            FirstMysqldExporterPort + i,
            Renderers.Database.MonitorAccount.DefaultUser,
            Ref.To(DatabaseTier.MonitorPasswordName, "result"))).ToList();
    }

    public static AlertThresholds Thresholds(MonitoringThresholds t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var d = new AlertThresholds();
        return d with
        {
            RedFor = t.RedFor ?? d.RedFor,
            YellowFor = t.YellowFor ?? d.YellowFor,
            NodesMissingFor = t.NodesMissingFor ?? d.NodesMissingFor,
            CcrLagOperations = t.CcrLagOperations ?? d.CcrLagOperations,
            CcrLagFor = t.CcrLagFor ?? d.CcrLagFor,
            ReplicaLagSeconds = t.ReplicaLagSeconds ?? d.ReplicaLagSeconds,
            ReplicaLagFor = t.ReplicaLagFor ?? d.ReplicaLagFor,
            ProbeFor = t.ProbeFor ?? d.ProbeFor,
        };
    }

    /// <summary>The site as the stack outputs list it (the <c>monitoring</c> output), once <see cref="AddHost"/> made its host.</summary>
    public DeployedMonitoring Output(HostResources host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new DeployedMonitoring(
            StackConfigParser.Spell(Settings.Cloud),
            Settings.Location,
            host.PublicIp,
            host.PrivateIp,
            $"http://{host.PublicIp}:{Port(MonitoringDefaults.PrometheusPort)}",
            $"http://{host.PublicIp}:{Port(MonitoringDefaults.AlertmanagerPort)}",
            network.NetworkResourceNames.Prepend(Address.ResourceName).Concat(host.ResourceNames).ToList());
    }

    private static string HostName(StackConfig config) => $"{config.NamePrefix}-{Key}";

    /// <summary>The site as a region with no cluster: the adapters build its network the way they build a region's.</summary>
    private static RegionTopology SiteTopology(StackConfig config, MonitoringSettings m)
    {
        var zones = m.Zone is null ? Array.Empty<string>() : [m.Zone];
        var kind = StackConfigParser.DefaultBalancer(m.Cloud);
        var site = new RegionConfig(Key, m.Cloud, m.Location, zones, m.NetworkCidr, 1, RegionState.Standby, m.Image, null, null,
            new RegionElasticsearch(0, m.Size, null, 0, new Dictionary<int, int>()), new BalancerConfig(kind, null));
        return new RegionTopology(site, Key, $"{config.NamePrefix}-{Key}",
            new RegionNetwork(m.NetworkCidr, [new Subnet(m.NetworkCidr, m.Zone)]), [],
            new RegionBalancer(kind, $"{Key}-lb", $"{config.NamePrefix}-{Key}-lb", null, null), 0);
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
