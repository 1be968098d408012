using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Clouds.DigitalOcean;

/// <summary>
/// A region on DigitalOcean: a VPC, one droplet per node with a volume attached, an A record per node in the
/// region's DNS zone (DigitalOcean cannot fix a droplet's private address, so nodes find each other by
/// name), a load balancer passing TLS through to the nodes (or, with <c>loadBalancer.kind: haproxy</c>, an
/// HAProxy droplet), and tag-based firewalls. See README.md beside this file for what the load balancer's
/// health check can and cannot tell.
/// </summary>
public sealed partial class DigitalOceanAdapter : ICloudAdapter
{
    public const string DefaultImage = "debian-12-x64";

    /// <summary>
    /// Every address of the droplet's VPC interface. A droplet with a public address has two interfaces:
    /// eth0 public, eth1 the VPC. IPv4 only, so Elasticsearch never binds or publishes an IPv6 link-local address.
    /// </summary>
    public const string VpcInterfaceHost = "_eth1:ipv4_";

    /// <summary>
    /// The load balancer's check, over HTTPS to the node's HTTP port: 200 for a yellow-or-green cluster; red
    /// answers 408 and a cluster without an elected master 503, both outside the 200–399 a check passes with.
    /// </summary>
    public const string HealthCheckPath = "/_cluster/health?wait_for_status=yellow&timeout=1s";

    /// <summary>The shortest DNS TTL DigitalOcean accepts: a rebuilt node's new address spreads quickly.</summary>
    public const int DnsTtlSeconds = 30;

    /// <summary>The HAProxy droplet's size when config names no <c>loadBalancer.size</c>.</summary>
    public const string DefaultHaproxySize = "s-1vcpu-1gb";

    private const int MaxVolumeName = 64;
    private const int MaxTag = 255;
    private const string DropletType = "digitalocean:index/droplet:Droplet";

    public Cloud Cloud => Cloud.DigitalOcean;

    /// <summary>DigitalOcean takes at most 64 KiB of user-data per droplet.</summary>
    public UserDataLimit UserDataLimit { get; } = new("DigitalOcean", 65_536, UserDataCount.Raw, "64 KiB");

    public object? UserDataOf(ProgramResource resource) =>
        resource is { Type: DropletType } && resource.Properties.ContainsKey("userData") ? resource.Properties["userData"] : null;

    /// <summary>DigitalOcean exposes an attached volume under a stable by-id name made of the volume's name.</summary>
    public string? DataVolumeDevice(RegionTopology region, EsNode node) =>
        $"/dev/disk/by-id/scsi-0DO_Volume_{VolumeName(node)}";

    public string NetworkHost(EsNode node) => VpcInterfaceHost;

    /// <summary>
    /// Whether the region's DigitalOcean load balancer forwards Elasticsearch's transport port (cross-cluster
    /// replication in proxy mode): only when the stack has other regions to replicate with. The load balancer's
    /// firewall applies to every forwarding rule alike, so a transport rule nobody needs would only widen what
    /// the 9200 clients can reach.
    /// </summary>
    public static bool ForwardsTransport(RegionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Region.Balancer.Kind == BalancerKind.DigitalOceanLoadBalancer && context.Topology.Regions.Count > 1;
    }

    public RegionResources AddRegion(RegionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var region = context.Region;
        var program = context.Program;
        var config = context.Config;
        var location = region.Config.Location;
        var zone = region.Config.DnsZone
            ?? throw new InvalidOperationException($"DigitalOcean region {region.Name} needs a dnsZone");
        var kind = region.Balancer.Kind;
        if (kind is not (BalancerKind.DigitalOceanLoadBalancer or BalancerKind.HaProxy))
            throw new NotSupportedException($"region '{region.Name}': DigitalOcean regions are fronted by a DigitalOcean load balancer or HAProxy, not '{StackConfigParser.Spell(kind)}'");
        var tags = Tags(context);

        var vpc = program.Add(VpcName(region), "digitalocean:index/vpc:Vpc",
            new PMap
            {
                { "name", $"{config.NamePrefix}-{region.Key}" },
                { "region", location },
                { "ipRange", region.Network.Cidr },
            },
            Pinned());
        // One tag marks the region's Elasticsearch droplets: the load balancer and the firewall select by it,
        // so a rebuilt droplet is behind both from creation on, without either being touched.
        var nodeTag = program.Add($"{region.Key}-es-tag", "digitalocean:index/tag:Tag",
            new PMap { { "name", Tag($"{config.NamePrefix}-{region.Key}-es") } },
            Pinned());
        var sshKeys = SshKeys(context);

        var nodes = new List<NodeResources>();
        var records = new List<ProgramResource>();
        foreach (var node in region.Nodes)
        {
            // The volume is attached by the droplet itself (volumeIds take the volume's string id), at
            // creation, before first boot, so cloud-init finds the device waiting.
            var volume = program.Add($"{node.LogicalName}-data", "digitalocean:index/volume:Volume",
                new PMap
                {
                    { "name", VolumeName(node) },
                    { "region", location },
                    { "size", region.Config.Elasticsearch.VolumeGb },
                    { "tags", tags },
                },
                Pinned());
            var droplet = AddDroplet(context, node.LogicalName, node.Name, region.Config.Elasticsearch.Size, vpc, sshKeys,
                tags.Append(nodeTag.Out("name")).ToList(), context.NodeUserData[node.LogicalName], volume);
            var record = program.Add($"{node.LogicalName}-dns", "digitalocean:index/dnsRecord:DnsRecord",
                new PMap
                {
                    { "domain", zone },
                    { "type", "A" },
                    { "name", RecordName(node, zone) },
                    { "value", droplet.Out("ipv4AddressPrivate") },
                    { "ttl", DnsTtlSeconds },
                },
                Pinned());
            records.Add(record);
            nodes.Add(new NodeResources(node, droplet.Out("ipv4Address"), droplet.Out("ipv4AddressPrivate"),
                [droplet.Name, volume.Name, record.Name]));
        }

        var http = Port(config.Elasticsearch.HttpPort);
        var networkNames = new List<string> { vpc.Name, nodeTag.Name, FirewallName(region) };
        if (kind == BalancerKind.HaProxy)
        {
            var (haproxy, haproxyTag) = AddHaproxy(context, vpc, sshKeys, tags, records);
            return new RegionResources(region, nodes, $"https://{haproxy.Out("ipv4Address")}:{http}",
                [haproxy.Name, haproxyTag.Name, BalancerFirewallName(region)], networkNames);
        }
        var balancer = AddBalancer(context, vpc, nodeTag);
        return new RegionResources(region, nodes, $"https://{balancer.Out("ip")}:{http}", [balancer.Name], networkNames);
    }

    public void AddFirewalls(RegionContext context, RegionResources own, IReadOnlyList<RegionResources> peers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(peers);
        var region = context.Region;
        var config = context.Config;
        var es = config.Elasticsearch;
        var haproxy = region.Balancer.Kind == BalancerKind.HaProxy;
        var peerCidrs = RegionResources.PeerSources(peers);

        // DigitalOcean firewalls drop whatever no inbound rule admits, on the public and the VPC interface.
        // The private network holds the region's application servers and, with HAProxy, the HAProxy droplet.
        var http = new PMap
        {
            { "protocol", "tcp" },
            { "portRange", Port(es.HttpPort) },
            { "sourceAddresses", new List<string> { region.Network.Cidr } },
        };
        if (!haproxy) http.Add("sourceLoadBalancerUids", new List<string> { Ref.To(region.Balancer.LogicalName, "id") });
        var transport = Inbound(Port(es.TransportPort), [region.Network.Cidr]);
        // The load balancer forwards the transport port for CCR (proxy mode); its connections come from it.
        if (ForwardsTransport(context)) transport.Add("sourceLoadBalancerUids", new List<string> { Ref.To(region.Balancer.LogicalName, "id") });
        var inbound = new List<object> { http, transport };
        if (peerCidrs.Count > 0)
        {
            inbound.Add(Inbound(Port(es.HttpPort), peerCidrs));
            inbound.Add(Inbound(Port(es.TransportPort), peerCidrs));
        }
        // The other regions' HAProxy droplets check these nodes and send them traffic when this region is active or standby.
        var peerBalancers = RegionResources.PeerBalancerSources(peers);
        if (peerBalancers.Count > 0) inbound.Add(Inbound(Port(es.HttpPort), peerBalancers));
        if (config.Ssh.AllowedCidrs.Count > 0) inbound.Add(Inbound("22", config.Ssh.AllowedCidrs));
        AddFirewall(context, FirewallName(region), $"{config.NamePrefix}-{region.Key}-es", $"{region.Key}-es-tag", inbound);

        // The regional endpoint (9200): the configured client networks, the region's own private network
        // (in-region application servers) and the other regions' nodes; never the whole internet, and not
        // the SSH networks (those are for port 22 only).
        var clients = es.ClientCidrs.Append(region.Network.Cidr).Concat(peerCidrs).Distinct(StringComparer.Ordinal).ToList();
        if (!haproxy)
        {
            // Its rules live on the balancer, which was declared before the peers were known. They apply to
            // every forwarding rule alike (DigitalOcean has no per-port rules), so the transport rule, present
            // only with peers, is open to the same sources as 9200: see README.md ("The transport port").
            var allows = clients.Select(c => c.EndsWith("/32", StringComparison.Ordinal) ? $"ip:{c[..^3]}" : $"cidr:{c}").ToList();
            context.Program.Resource(region.Balancer.LogicalName).Properties["firewall"] = new PMap { { "allows", allows } };
            return;
        }

        // The HAProxy droplet: 9200 as above; the transport port (passed through for CCR in proxy mode) only
        // from the other regions' nodes; HAProxy's own health endpoint from the private network; SSH from the
        // operators.
        var balancerInbound = new List<object> { Inbound(Port(es.HttpPort), clients) };
        // The cluster port reaches this region's own cluster whichever region is active (replication set-up).
        balancerInbound.Add(Inbound(Port(NodeUserData.HaproxyClusterPort), clients));
        if (peerCidrs.Count > 0) balancerInbound.Add(Inbound(Port(es.TransportPort), peerCidrs));
        balancerInbound.Add(Inbound(Port(NodeUserData.HaproxySettings(context.Topology, region, []).MonitorPort), [region.Network.Cidr]));
        balancerInbound.Add(Inbound("22", config.Ssh.AllowedCidrs));
        // The machines that push its config (DeployerAccess).
        if (context.Topology.DeployerSources.Count > 0) balancerInbound.Add(Inbound("22", context.Topology.DeployerSources));
        AddFirewall(context, BalancerFirewallName(region), $"{config.NamePrefix}-{region.Key}-lb", BalancerTagName(region), balancerInbound);
    }

    /// <summary>A firewall on the droplets carrying one tag: the given inbound rules, everything outbound (packages, other regions).</summary>
    private static void AddFirewall(RegionContext context, string logicalName, string name, string tagResource, List<object> inbound)
    {
        var anywhere = new List<string> { "0.0.0.0/0", "::/0" };
        context.Program.Add(logicalName, "digitalocean:index/firewall:Firewall",
            new PMap
            {
                { "name", name },
                { "tags", new List<string> { Ref.To(tagResource, "name") } },
                { "inboundRules", inbound },
                { "outboundRules", new List<object>
                    {
                        new PMap { { "protocol", "tcp" }, { "portRange", "1-65535" }, { "destinationAddresses", anywhere } },
                        new PMap { { "protocol", "udp" }, { "portRange", "1-65535" }, { "destinationAddresses", anywhere } },
                        new PMap { { "protocol", "icmp" }, { "destinationAddresses", anywhere } },
                    }
                },
            },
            Pinned());
    }

    /// <summary>
    /// The region's HAProxy droplet, in the VPC with the same image and keys as the nodes and the HAProxy
    /// user-data. Its own tag (not the nodes') puts it under its own firewall. Its haproxy.cfg names the nodes
    /// by DNS name, so it is created after their records exist: HAProxy resolves them when it starts.
    /// </summary>
    private static (ProgramResource Droplet, ProgramResource Tag) AddHaproxy(
        RegionContext context, ProgramResource vpc, List<string> sshKeys, List<string> tags, IReadOnlyList<ProgramResource> records)
    {
        var region = context.Region;
        var userData = context.BalancerUserData
            ?? throw new InvalidOperationException($"region '{region.Name}': the HAProxy droplet needs user-data");
        var tag = context.Program.Add(BalancerTagName(region), "digitalocean:index/tag:Tag",
            new PMap { { "name", Tag($"{context.Config.NamePrefix}-{region.Key}-lb") } },
            Pinned());
        // Read only at first boot, like the nodes': a re-render never replaces the region's endpoint.
        var droplet = AddDroplet(context, region.Balancer.LogicalName, region.Balancer.Name, region.Balancer.Size ?? DefaultHaproxySize,
            vpc, sshKeys, tags.Append(tag.Out("name")).ToList(), userData, dependsOn: records.Select(r => r.Name).ToList());
        return (droplet, tag);
    }

    /// <summary>
    /// A droplet in the region's VPC with the region's image, the stack's SSH keys and the given first-boot
    /// user-data (and, for a node, its data volume, attached at creation before first boot).
    /// </summary>
    private static ProgramResource AddDroplet(
        RegionContext context, string logicalName, string name, string size, ProgramResource vpc, List<string> sshKeys,
        List<string> tags, string userData, ProgramResource? volume = null, List<string>? dependsOn = null)
    {
        var region = context.Region;
        var properties = new PMap
        {
            { "name", name },
            { "region", region.Config.Location },
            { "size", size },
            { "image", region.Config.Image ?? DefaultImage },
            { "vpcUuid", vpc.Out("id") },
            { "sshKeys", sshKeys },
            { "tags", tags },
        };
        if (volume is not null) properties.Add("volumeIds", new List<string> { volume.Out("id") });
        properties.Add("userData", userData);
        return context.Program.Add(logicalName, DropletType, properties,
            Pinned(new ResourceOptions
            {
                // cloud-init runs once, on first boot; SSH keys and the image are also only read then.
                // Each would replace the droplet, and a re-render must never replace a running VM: a node
                // is replaced by bumping its generation, which renames it.
                IgnoreChanges = ["userData", "sshKeys", "image"],
                DependsOn = dependsOn,
            }));
    }

    /// <summary>
    /// A droplet in the region's VPC, built like a node (same image, keys, tags, user-data read at first boot
    /// only), with its own tag selecting it into its own firewall: inbound only <see cref="HostSpec.Inbound"/>
    /// and SSH from the operators, outbound open. DigitalOcean cannot fix a droplet's private address, so
    /// <see cref="HostSpec.PrivateIp"/> must be null and the returned private address is the droplet's output.
    /// The firewall selects by tag, so it is its own resource and no droplet depends on another's firewall.
    /// </summary>
    public HostResources AddHost(RegionContext context, RegionResources region, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(host);
        var topology = context.Region;
        var config = context.Config;
        if (host.PrivateIp is not null)
            throw new InvalidOperationException($"region '{topology.Name}': DigitalOcean cannot fix host {host.Name}'s private address ({host.PrivateIp})");

        var inbound = new List<object>();
        foreach (var rule in host.Inbound)
        {
            RefuseTheInternet(host, rule);
            // A rule nobody may use (say, other regions' hosts in a one-region stack) is left out: the firewall drops it.
            if (rule.Sources.Count > 0) inbound.Add(Inbound(Port(rule.Port), rule.Sources));
        }
        if (config.Ssh.AllowedCidrs.Count > 0) inbound.Add(Inbound("22", config.Ssh.AllowedCidrs));

        var tag = context.Program.Add(HostTagName(host), "digitalocean:index/tag:Tag",
            new PMap { { "name", Tag(host.Name) } },
            Pinned());
        var tags = Tags(context).Append(tag.Out("name")).ToList();
        if (host.Pool is { } pool) tags.Add(PoolTag(context, pool).Out("name"));
        var droplet = AddDroplet(context, host.LogicalName, host.Name, host.Size, context.Program.Resource(VpcName(topology)),
            SshKeys(context), tags, host.UserData);
        AddFirewall(context, HostFirewallName(host), host.Name, tag.Name, inbound);
        return new HostResources(droplet.Out("ipv4Address"), droplet.Out("ipv4AddressPrivate"),
            [droplet.Name, tag.Name, HostFirewallName(host)]);
    }

    /// <summary>The tag every member of a pool carries, declared by the first member.</summary>
    private static ProgramResource PoolTag(RegionContext context, string pool)
    {
        var name = $"{pool}-tag";
        return context.Program.Resources.Find(r => r.Name == name)
            ?? context.Program.Add(name, "digitalocean:index/tag:Tag", new PMap { { "name", Tag($"{context.Config.NamePrefix}-{pool}") } }, Pinned());
    }

    /// <summary>
    /// The application behind a second load balancer, <c>{region}-app-lb</c>: a DigitalOcean load balancer has one
    /// health check for all its forwarding rules, and the search one checks cluster health over HTTPS on 9200; an
    /// application rule there would be judged by the cluster's health, not the application's. This one forwards
    /// HTTP on the public port to the servers' port in the VPC (selected by their pool tag), checks the health
    /// path, and admits <c>application.clientCidrs</c>.
    /// </summary>
    public ApplicationResources AddApplicationPool(RegionContext context, RegionResources region, ApplicationPool pool)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(pool);
        var topology = context.Region;
        if (topology.Balancer.Kind != BalancerKind.DigitalOceanLoadBalancer)
            throw new NotSupportedException($"region '{topology.Name}': application pools need DigitalOcean's load balancer (HAProxy has no application frontend)");
        var poolName = $"{topology.Key}-app";
        var tag = PoolTag(context, poolName);
        var properties = new PMap
        {
            { "name", $"{context.Config.NamePrefix}-{poolName}" },
            { "region", topology.Config.Location },
            { "vpcUuid", Ref.To(VpcName(topology), "id") },
            { "dropletTag", tag.Out("name") },
            { "forwardingRules", new List<object>
                {
                    new PMap
                    {
                        { "entryProtocol", "http" },
                        { "entryPort", pool.PublicPort },
                        { "targetProtocol", "http" },
                        { "targetPort", pool.Port },
                    },
                }
            },
            { "healthcheck", new PMap
                {
                    { "protocol", "http" },
                    { "port", pool.Port },
                    { "path", pool.HealthPath },
                    { "checkIntervalSeconds", 5 },
                    { "responseTimeoutSeconds", 3 },
                    { "unhealthyThreshold", 2 },
                    { "healthyThreshold", 2 },
                }
            },
        };
        if (!pool.ClientCidrs.Contains("0.0.0.0/0"))
            properties.Add("firewall", new PMap { { "allows", pool.ClientCidrs.Select(c => $"cidr:{c}").ToList() } });
        var lb = context.Program.Add($"{poolName}-lb", "digitalocean:index/loadBalancer:LoadBalancer", properties, Pinned());
        var host = lb.Out("ip");
        return new ApplicationResources($"http://{host}:{Port(pool.PublicPort)}", host, [lb.Name, tag.Name]);
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

    private static ProgramResource AddBalancer(RegionContext context, ProgramResource vpc, ProgramResource nodeTag)
    {
        var region = context.Region;
        var http = context.Config.Elasticsearch.HttpPort;
        var transport = context.Config.Elasticsearch.TransportPort;
        var forwardingRules = new List<object>
        {
            // TLS passes through: clients speak TLS to Elasticsearch itself, with their own credentials.
            new PMap
            {
                { "entryProtocol", "https" },
                { "entryPort", http },
                { "targetProtocol", "https" },
                { "targetPort", http },
                { "tlsPassthrough", true },
            },
        };
        if (ForwardsTransport(context))
        {
            // The transport port for cross-cluster replication in proxy mode: plain TCP passthrough, so the
            // transport TLS (node certificates on both sides) ends at a node. Checked by the one health check
            // below, so a node leaves both rules together.
            forwardingRules.Add(new PMap
            {
                { "entryProtocol", "tcp" },
                { "entryPort", transport },
                { "targetProtocol", "tcp" },
                { "targetPort", transport },
            });
        }
        var properties = new PMap
        {
            { "name", region.Balancer.Name },
            { "region", region.Config.Location },
            { "vpcUuid", vpc.Out("id") },
            // By tag, not by droplet ids: the balancer does not depend on the droplets, and a rebuilt node
            // joins it without the balancer being updated.
            { "dropletTag", nodeTag.Out("name") },
            { "forwardingRules", forwardingRules },
            // One health check for every rule (DigitalOcean has no per-rule checks): HTTPS to the node's own
            // HTTP port; unauthenticated, answered by the health-only anonymous role.
            { "healthcheck", new PMap
                {
                    { "protocol", "https" },
                    { "port", http },
                    { "path", HealthCheckPath },
                    { "checkIntervalSeconds", 5 },
                    { "responseTimeoutSeconds", 3 },
                    { "unhealthyThreshold", 2 },
                    { "healthyThreshold", 2 },
                }
            },
        };
        // A size unit count (1–200), or a legacy slug such as lb-small.
        if (region.Balancer.Size is { } size)
        {
            if (int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var units)) properties.Add("sizeUnit", units);
            else properties.Add("size", size);
        }
        return context.Program.Add(region.Balancer.LogicalName, "digitalocean:index/loadBalancer:LoadBalancer", properties, Pinned());
    }

    /// <summary>
    /// One DigitalOcean SSH key per configured public key, shared by every DigitalOcean region of the stack:
    /// an account holds a public key only once. Named by a hash of the key, so adding or removing one key
    /// touches only that key. Droplets take them by fingerprint.
    /// </summary>
    private static List<string> SshKeys(RegionContext context)
    {
        var fingerprints = new List<string>();
        foreach (var publicKey in context.Config.Ssh.PublicKeys)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(publicKey.Trim())))[..8];
            var name = $"digitalocean-ssh-key-{hash}";
            if (!context.Program.Resources.Any(r => r.Name == name))
            {
                context.Program.Add(name, "digitalocean:index/sshKey:SshKey",
                    new PMap { { "name", $"{context.Config.NamePrefix}-{hash}" }, { "publicKey", publicKey.Trim() } },
                    Pinned());
            }
            fingerprints.Add(Ref.To(name, "fingerprint"));
        }
        return fingerprints;
    }

    private static PMap Inbound(string ports, IReadOnlyList<string> sources) => new()
    {
        { "protocol", "tcp" },
        { "portRange", ports },
        { "sourceAddresses", sources.ToList() },
    };

    /// <summary>The record's name inside the zone: the node's DNS name without the zone.</summary>
    private static string RecordName(EsNode node, string zone)
    {
        var fqdn = node.DnsName ?? throw new InvalidOperationException($"DigitalOcean node {node.Name} has no DNS name");
        var suffix = "." + zone;
        return fqdn.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? fqdn[..^suffix.Length] : fqdn;
    }

    /// <summary>Volume names are lowercase letters, digits and dashes, start with a letter, at most 64 characters.</summary>
    private static string VolumeName(EsNode node)
    {
        var name = NotVolumeChar().Replace($"{node.Name}-data".ToLowerInvariant(), "-");
        if (!char.IsAsciiLetter(name[0])) name = "v" + name;
        if (name.Length <= MaxVolumeName) return name;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return $"{name[..(MaxVolumeName - 9)].TrimEnd('-')}-{hash}";
    }

    private static string FirewallName(RegionTopology region) => $"{region.Key}-fw";

    private static string VpcName(RegionTopology region) => $"{region.Key}-vpc";

    private static string HostTagName(HostSpec host) => $"{host.LogicalName}-tag";

    private static string HostFirewallName(HostSpec host) => $"{host.LogicalName}-fw";

    private static string BalancerFirewallName(RegionTopology region) => $"{region.Balancer.LogicalName}-fw";

    private static string BalancerTagName(RegionTopology region) => $"{region.Balancer.LogicalName}-tag";

    private static List<string> Tags(RegionContext context) => context.TagList().Select(Tag).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>DigitalOcean tags match <c>^[a-zA-Z0-9:_\-]+$</c> and are at most 255 characters.</summary>
    internal static string Tag(string text)
    {
        var tag = NotTagChar().Replace(text, "-");
        if (tag.Length == 0) tag = "-";
        return tag.Length <= MaxTag ? tag : tag[..MaxTag];
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static ResourceOptions Pinned(ResourceOptions? options = null) => RegionContext.Pinned(ProviderPackages.DigitalOcean, options);

    [GeneratedRegex(@"[^a-zA-Z0-9:_\-]")]
    private static partial Regex NotTagChar();

    [GeneratedRegex("[^a-z0-9-]")]
    private static partial Regex NotVolumeChar();
}
