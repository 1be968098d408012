using System.Text.RegularExpressions;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Config;

/// <summary>
/// Cross-field validation of a parsed config: each rule is one small named function returning the errors
/// it finds, each error naming the key path. Shape errors (types, unknown keys) are caught by the parser.
/// </summary>
public static partial class ConfigRules
{
    private delegate IEnumerable<ConfigError> Rule(StackConfig c);

    private static readonly Rule[] Rules =
    [
        NamePrefixIsShortDnsLabel,
        AtLeastOneRegion,
        RegionCountIsWithinTheLimit,
        CidrListsNameEachNetworkOnce,
        ZonesAreNames,
        RegionNamesAreUniqueDnsLabels,
        ActiveRegionIsDeclaredAndOnlyItIsActive,
        ElasticsearchVersionIsSupported,
        LicenseIsKnown,
        SecurityIsOn,
        SshHasKeysAndSources,
        SourcesOfProtectedPortsAreCanonicalAndFewOfTheInternet,
        DeployerIsNamedWhereTheDeployReachesTheRegions,
        NodeCountIsOddAndAtLeastThree,
        GenerationsArePositive,
        NetworksArePrivateAndDisjoint,
        BalancerFitsCloud,
        ZonesOnlyWhereTheCloudHasThem,
        MemoryIsKnown,
        VolumeIsLargeEnough,
        CloudSpecificFieldsArePresent,
        DnsIsComplete,
        ReplicationIsPossible,
        DatabaseTierIsPlaceable,
        ApplicationTierIsPlaceable,
        ApplicationDnsNameIsServed,
        MonitoringCloudCanHostIt,
        MonitoringIsOutsideEveryRegion,
        MonitoringNetworkIsPrivateAndDisjoint,
        MonitoringWebhookIsHttps,
        MonitoringAlertmanagerUrlIsHttp,
        MonitoringThresholdsArePositive,
    ];

    /// <summary>Licences Elasticsearch accepts; CCR (issue 3) needs trial, platinum or enterprise.</summary>
    public static readonly string[] Licenses = ["basic", "trial", "platinum", "enterprise"];

    public static IReadOnlyList<ConfigError> Check(StackConfig config) => Rules.SelectMany(r => r(config)).ToList();

    private static string Key(StackConfig c, string path) => $"{c.Project}:{path}";
    private static string RegionKey(StackConfig c, int i, string path) => Key(c, $"regions[{i}]{(path.Length > 0 ? "." + path : "")}");

    /// <summary>
    /// A multi-region <c>pulumi up</c> reaches into the regions (<see cref="DeployReach"/>); without a named
    /// deployer network every firewall refuses it and the first <c>up</c> fails half-way.
    /// </summary>
    private static IEnumerable<ConfigError> DeployerIsNamedWhereTheDeployReachesTheRegions(StackConfig c)
    {
        if (c.Deployer is { Cidrs.Count: > 0 }) yield break;
        var reaches = new List<string>();
        if (DeployReach.ReplicationFollowers(c).Count > 0)
            reaches.Add("`es-dr-recovery replication apply` calls every regional endpoint on 9200 (a HAProxy VM's on 9210)");
        var pushed = DeployReach.PushedHaproxies(c);
        if (pushed.Count > 0)
            reaches.Add($"the HAProxy config push connects to the HAProxy VM of {string.Join(", ", pushed.Select(r => r.Name))} on port 22");
        if (reaches.Count > 0)
            yield return new(Key(c, "deployer.cidrs"),
                $"is required: `pulumi up` of this stack runs on the deploying machine and {string.Join("; ", reaches)}; "
                + "list the network that machine leaves from (a self-hosted CI runner or a bastion with a fixed address, e.g. 203.0.113.10/32)");
    }

    private static IEnumerable<ConfigError> NamePrefixIsShortDnsLabel(StackConfig c)
    {
        if (!DnsLabel().IsMatch(c.NamePrefix) || c.NamePrefix.Length > 20)
            yield return new(Key(c, "namePrefix"), $"must be 1-20 lowercase letters, digits or '-', starting with a letter, got '{c.NamePrefix}'");
    }

    private static IEnumerable<ConfigError> AtLeastOneRegion(StackConfig c)
    {
        if (c.Regions.Count == 0) yield return new(Key(c, "regions"), "must list at least one region");
    }

    private static IEnumerable<ConfigError> RegionNamesAreUniqueDnsLabels(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var name = c.Regions[i].Name;
            if (!DnsLabel().IsMatch(name) || name.Length > 12)
                yield return new(RegionKey(c, i, "name"), $"must be 1-12 lowercase letters, digits or '-', starting with a letter, got '{name}'");
            else if (c.Regions.Take(i).Any(r => r.Name == name))
                yield return new(RegionKey(c, i, "name"), $"'{name}' is used by an earlier region; region names must be unique");
            else if (StackWideNamePrefixes.Contains(name))
                yield return new(RegionKey(c, i, "name"), $"'{name}' names the stack-wide resources ({string.Join(", ", StackWideNamePrefixes.Order(StringComparer.Ordinal).Select(p => p + "-…"))}); a region named so would collide with them; choose another name");
        }
    }

    /// <summary>
    /// The first word of every resource that belongs to no region (the CA, the database passwords, DNS, CCR, a cloud
    /// account's SSH keys, the monitoring site). A region's resources are named <c>&lt;region&gt;-…</c>, so a region named like one of these
    /// would declare a resource twice (<c>db-monitor-password</c>). A test holds this list to the emitted programs.
    /// </summary>
    public static IReadOnlySet<string> StackWideNamePrefixes { get; } = new HashSet<string>(StringComparer.Ordinal) { "ccr", "db", "digitalocean", "dns", "es", "monitoring" };

    private static IEnumerable<ConfigError> ActiveRegionIsDeclaredAndOnlyItIsActive(StackConfig c)
    {
        if (c.Regions.All(r => r.Name != c.ActiveRegion))
        {
            yield return new(Key(c, "activeRegion"), $"'{c.ActiveRegion}' is not the name of a region in {Key(c, "regions")}");
            yield break;
        }
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var r = c.Regions[i];
            if (r.Name == c.ActiveRegion && r.State != RegionState.Active)
                yield return new(RegionKey(c, i, "state"), $"region '{r.Name}' is the active region but its state is '{StackConfigParser.Spell(r.State)}'; it must be 'active'");
            else if (r.Name != c.ActiveRegion && r.State == RegionState.Active)
                yield return new(RegionKey(c, i, "state"), $"only the active region ('{c.ActiveRegion}') may be 'active'; use 'standby'");
        }
    }

    private static IEnumerable<ConfigError> ElasticsearchVersionIsSupported(StackConfig c)
    {
        if (ElasticsearchVersion.Refusal(c.Elasticsearch.Version) is { } refusal)
            yield return new(Key(c, "elasticsearch.version"), refusal);
    }

    private static IEnumerable<ConfigError> LicenseIsKnown(StackConfig c)
    {
        if (!Licenses.Contains(c.Elasticsearch.License))
            yield return new(Key(c, "elasticsearch.license"), $"must be one of {string.Join(", ", Licenses)}, got '{c.Elasticsearch.License}'");
    }

    private static IEnumerable<ConfigError> SecurityIsOn(StackConfig c)
    {
        if (!c.Elasticsearch.Security)
            yield return new(Key(c, "elasticsearch.security"), "must be true: clusters always run with authentication and TLS on transport and HTTP");
    }

    private static IEnumerable<ConfigError> SshHasKeysAndSources(StackConfig c)
    {
        if (c.Ssh.PublicKeys.Count == 0)
            yield return new(Key(c, "ssh.publicKeys"), "must list at least one SSH public key");
        for (var i = 0; i < c.Ssh.PublicKeys.Count; i++)
            if (!SshKey().IsMatch(c.Ssh.PublicKeys[i]))
                yield return new(Key(c, $"ssh.publicKeys[{i}]"), "must be an OpenSSH public key ('ssh-ed25519 AAAA… comment')");
        if (c.Ssh.AllowedCidrs.Count == 0)
            yield return new(Key(c, "ssh.allowedCidrs"), "must list at least one CIDR allowed to reach SSH");
    }

    private static IEnumerable<ConfigError> NodeCountIsOddAndAtLeastThree(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var n = c.Regions[i].Elasticsearch.Nodes;
            if (n < 3 || n % 2 == 0)
                yield return new(RegionKey(c, i, "elasticsearch.nodes"), $"must be an odd number of at least 3, got {n}");
            else if (n > 99)
                yield return new(RegionKey(c, i, "elasticsearch.nodes"), $"must be at most 99, got {n}");
        }
    }

    private static IEnumerable<ConfigError> GenerationsArePositive(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var r = c.Regions[i];
            if (r.Generation < 1)
                yield return new(RegionKey(c, i, "generation"), $"must be at least 1, got {r.Generation}");
            foreach (var (ordinal, gen) in r.Elasticsearch.NodeGenerations.OrderBy(kv => kv.Key))
            {
                var path = RegionKey(c, i, $"elasticsearch.nodeGenerations.{ordinal}");
                if (ordinal > r.Elasticsearch.Nodes)
                    yield return new(path, $"names node {ordinal}, but the region has {r.Elasticsearch.Nodes} nodes");
                else if (gen < 1)
                    yield return new(path, $"must be at least 1, got {gen}");
            }
        }
    }

    private static IEnumerable<ConfigError> NetworksArePrivateAndDisjoint(StackConfig c)
    {
        var parsed = new List<(int Index, Ipv4Cidr Cidr)>();
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var text = c.Regions[i].NetworkCidr;
            if (CidrError(RegionKey(c, i, "network.cidr"), text, "10.10.0.0/16") is { } error)
            {
                yield return error;
                continue;
            }
            var cidr = Ipv4Cidr.Parse(text);
            if (!cidr.IsPrivate)
                yield return new(RegionKey(c, i, "network.cidr"), $"must be private address space (10/8, 172.16/12, 192.168/16), got '{text}'");
            else if (cidr.PrefixLength is < 16 or > 24)
                yield return new(RegionKey(c, i, "network.cidr"), $"must be between a /16 and a /24, got /{cidr.PrefixLength}");
            else if (parsed.FirstOrDefault(p => p.Cidr.Overlaps(cidr)) is { Cidr.PrefixLength: > 0 } clash)
                yield return new(RegionKey(c, i, "network.cidr"), $"overlaps regions[{clash.Index}].network.cidr ({clash.Cidr}); regions must not share address space");
            parsed.Add((i, cidr));
        }
    }

    private static IEnumerable<ConfigError> BalancerFitsCloud(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var r = c.Regions[i];
            var available = AvailableBalancers(r.Cloud);
            if (!available.Contains(r.LoadBalancer.Kind))
                yield return new(RegionKey(c, i, "loadBalancer.kind"),
                    $"'{StackConfigParser.Spell(r.LoadBalancer.Kind)}' is not available on {StackConfigParser.Spell(r.Cloud)}; use {string.Join(" or ", available.Select(k => $"'{StackConfigParser.Spell(k)}'"))}");
            if (r.LoadBalancer.Kind == BalancerKind.Alb && r.Zones.Count < 2)
                yield return new(RegionKey(c, i, "zones"), "an ALB needs subnets in at least two availability zones; list two or more zones or use an NLB");
        }
    }

    /// <summary>What each cloud's adapter can put in front of a cluster.</summary>
    public static IReadOnlyList<BalancerKind> AvailableBalancers(Cloud cloud) => cloud switch
    {
        Cloud.Linode => [BalancerKind.NodeBalancer, BalancerKind.HaProxy],
        Cloud.DigitalOcean => [BalancerKind.DigitalOceanLoadBalancer, BalancerKind.HaProxy],
        Cloud.Aws => [BalancerKind.Nlb, BalancerKind.Alb],
        _ => [BalancerKind.HaProxy],
    };

    private static IEnumerable<ConfigError> ZonesOnlyWhereTheCloudHasThem(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var r = c.Regions[i];
            if (r.Zones.Count > 0 && r.Cloud is Cloud.Linode or Cloud.DigitalOcean)
                yield return new(RegionKey(c, i, "zones"), $"{StackConfigParser.Spell(r.Cloud)} has no availability zones; remove the key");
            if (r.Zones.Count > 0 && r.Cloud == Cloud.Ovh)
                yield return new(RegionKey(c, i, "zones"), "OVH regions are deployed on one private subnet; remove the key");
            if (r.Cloud == Cloud.Aws && r.Zones.Count == 0)
                yield return new(RegionKey(c, i, "zones"), "AWS regions need at least one availability zone, e.g. [us-east-1a, us-east-1b, us-east-1c]");
            for (var z = 0; z < r.Zones.Count; z++)
                if (r.Zones.Take(z).Contains(r.Zones[z]))
                    yield return new(RegionKey(c, i, $"zones[{z}]"), $"'{r.Zones[z]}' is listed twice");
        }
    }

    private static IEnumerable<ConfigError> MemoryIsKnown(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var r = c.Regions[i];
            if (string.IsNullOrEmpty(r.Elasticsearch.Size)) continue; // reported by the parser
            if (r.Elasticsearch.MemoryGb is { } gb && gb < 2)
                yield return new(RegionKey(c, i, "elasticsearch.memoryGb"), $"must be at least 2, got {gb}");
            else if (r.Elasticsearch.MemoryGb is null && InstanceSizes.MemoryGb(r.Cloud, r.Elasticsearch.Size) is null)
                yield return new(RegionKey(c, i, "elasticsearch.size"),
                    $"'{r.Elasticsearch.Size}' is not a size we know the memory of; set elasticsearch.memoryGb so the JVM heap can be sized");
            else if ((r.Elasticsearch.MemoryGb ?? InstanceSizes.MemoryGb(r.Cloud, r.Elasticsearch.Size)) < 2)
                yield return new(RegionKey(c, i, "elasticsearch.size"), $"'{r.Elasticsearch.Size}' has less than 2 GB of memory; Elasticsearch needs at least 2");
        }
    }

    private static IEnumerable<ConfigError> VolumeIsLargeEnough(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var gb = c.Regions[i].Elasticsearch.VolumeGb;
            if (c.Regions[i].Cloud == Cloud.Ovh && gb != 0)
                yield return new(RegionKey(c, i, "elasticsearch.volumeGb"), "is not used on OVH: the provider cannot attach volumes to instances, so data lives on the flavor's local disk; remove the key");
            else if (c.Regions[i].Cloud != Cloud.Ovh && gb < 10)
                yield return new(RegionKey(c, i, "elasticsearch.volumeGb"), $"must be at least 10 (GB of data volume per node), got {gb}");
        }
    }

    private static IEnumerable<ConfigError> CloudSpecificFieldsArePresent(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
        {
            var r = c.Regions[i];
            if (string.IsNullOrWhiteSpace(r.Location))
                yield return new(RegionKey(c, i, "location"), "must name the cloud's region, e.g. eu-central (Linode), fra1 (DigitalOcean), eu-west-1 (AWS), GRA11 (OVH)");
            if (r.Cloud == Cloud.Ovh && string.IsNullOrWhiteSpace(r.ProjectId))
                yield return new(RegionKey(c, i, "projectId"), "OVH regions need the Public Cloud project id (the provider's serviceName)");
            if (r.Cloud == Cloud.Ovh && string.IsNullOrWhiteSpace(r.Image))
                yield return new(RegionKey(c, i, "image"), "OVH regions need the id of a Debian 12 image in that region");
            if (r.Cloud == Cloud.Aws && !(r.Image ?? "").StartsWith("ami-", StringComparison.Ordinal))
                yield return new(RegionKey(c, i, "image"),
                    "AWS regions need the id of a Debian 12 AMI in that region (ami-…; Debian's owner id is 136693071363)");
            if (r.Cloud != Cloud.Ovh && r.ProjectId is not null)
                yield return new(RegionKey(c, i, "projectId"), "is only used by OVH regions; remove the key");
            if (r.Cloud == Cloud.DigitalOcean && string.IsNullOrWhiteSpace(r.DnsZone))
                yield return new(RegionKey(c, i, "dnsZone"),
                    "DigitalOcean regions need a domain managed in DigitalOcean: droplets cannot be given fixed private addresses, so nodes find each other by name");
            if (r.DnsZone is { Length: > 0 } zone && !DnsName().IsMatch(zone))
                yield return new(RegionKey(c, i, "dnsZone"), $"must be a domain name such as example.com, got '{zone}'");
        }
    }

    private static IEnumerable<ConfigError> ReplicationIsPossible(StackConfig c)
    {
        if (c.Replication is not { } replication) yield break;
        if (c.Elasticsearch.License == "basic")
            yield return new(Key(c, "elasticsearch.license"), "cross-cluster replication needs 'trial', 'platinum' or 'enterprise', not 'basic'");
        if (c.Regions.Count < 2)
            yield return new(Key(c, "replication"), "needs a second region to replicate to");
        if (replication.IndexPatterns.Count == 0)
            yield return new(Key(c, "replication.indexPatterns"), "must list at least one index pattern, e.g. [products-*]");
        for (var i = 0; i < replication.IndexPatterns.Count; i++)
            if (!IndexPattern.IsValid(replication.IndexPatterns[i]))
                yield return new(Key(c, $"replication.indexPatterns[{i}]"),
                    $"'{replication.IndexPatterns[i]}' is not a simple index pattern (lower case, '*' wildcards, no leading '-', '_' or '.', no commas or spaces)");
    }

    private static IEnumerable<ConfigError> DnsIsComplete(StackConfig c)
    {
        if (c.Dns is not { } dns) yield break;
        if (!DnsName().IsMatch(dns.Zone))
            yield return new(Key(c, "dns.zone"), $"must be a domain name such as example.com, got '{dns.Zone}'");
        if (!DnsLabel().IsMatch(dns.SearchName))
            yield return new(Key(c, "dns.searchName"), $"must be one DNS label such as 'search' (the record is <searchName>.<zone>), got '{dns.SearchName}'");
        switch (dns.Provider)
        {
            case DnsProvider.Route53 when !(dns.ZoneId ?? "").StartsWith('Z'):
                yield return new(Key(c, "dns.zoneId"), "Route 53 needs the hosted zone id (Z…) of dns.zone");
                break;
            case DnsProvider.Linode when !int.TryParse(dns.ZoneId, out _):
                yield return new(Key(c, "dns.zoneId"), "Linode needs the numeric id of the domain dns.zone (linode-cli domains list)");
                break;
        }
        var minimumTtl = dns.Provider == DnsProvider.DigitalOcean ? 30 : 1;
        if (dns.Ttl < minimumTtl || dns.Ttl > 60)
            yield return new(Key(c, "dns.ttl"), $"must be between {minimumTtl} and 60 seconds so failover is seen quickly, got {dns.Ttl}");
        if (dns.HealthCheckIntervalSeconds is not (10 or 30))
            yield return new(Key(c, "dns.healthCheck.intervalSeconds"), $"must be 10 or 30 (what Route 53 offers), got {dns.HealthCheckIntervalSeconds}");
        if (dns.FailureThreshold is < 1 or > 10)
            yield return new(Key(c, "dns.healthCheck.failureThreshold"), $"must be between 1 and 10, got {dns.FailureThreshold}");
    }

    /// <summary>
    /// The clusters' firewalls admit the monitoring host by an address reserved before the host exists
    /// (see README, "Monitoring"): DigitalOcean reserved IPs do not carry a droplet's outbound traffic and
    /// OVH has no reserved address in the provider, so only Linode and AWS can host it.
    /// </summary>
    private static IEnumerable<ConfigError> MonitoringCloudCanHostIt(StackConfig c)
    {
        if (c.Monitoring is not { } m) yield break;
        if (m.Cloud is not (Cloud.Linode or Cloud.Aws))
            yield return new(Key(c, "monitoring.cloud"),
                $"the monitoring host runs on linode or aws (a reserved public address that its outbound traffic leaves from), not '{StackConfigParser.Spell(m.Cloud)}'");
        if (string.IsNullOrWhiteSpace(m.Location))
            yield return new(Key(c, "monitoring.location"), "must name the cloud's region for the monitoring host, e.g. us-east (Linode) or eu-north-1 (AWS)");
        if (string.IsNullOrWhiteSpace(m.Size))
            yield return new(Key(c, "monitoring.size"), "must name the host's instance type, e.g. g6-standard-1 (Linode) or t3.small (AWS)");
        if (m.Cloud == Cloud.Aws && !(m.Image ?? "").StartsWith("ami-", StringComparison.Ordinal))
            yield return new(Key(c, "monitoring.image"), "an AWS monitoring host needs the id of a Debian 12 AMI in monitoring.location (ami-…)");
        if (m.Cloud == Cloud.Aws && string.IsNullOrWhiteSpace(m.Zone))
            yield return new(Key(c, "monitoring.zone"), "an AWS monitoring host needs the availability zone of its subnet, e.g. eu-north-1a");
        if (m.Cloud != Cloud.Aws && m.Zone is not null)
            yield return new(Key(c, "monitoring.zone"), $"{StackConfigParser.Spell(m.Cloud)} has no availability zones; remove the key");
    }

    /// <summary>The point of the host is to survive a region's loss, so it never shares a location with a cluster.</summary>
    private static IEnumerable<ConfigError> MonitoringIsOutsideEveryRegion(StackConfig c)
    {
        if (c.Monitoring is not { } m) yield break;
        for (var i = 0; i < c.Regions.Count; i++)
            if (c.Regions[i].Name == Compilation.MonitoringSite.Key)
                yield return new(RegionKey(c, i, "name"), $"'{Compilation.MonitoringSite.Key}' names the monitoring site's resources; choose another region name");
        var clash = c.Regions.FirstOrDefault(r => r.Cloud == m.Cloud && string.Equals(r.Location, m.Location, StringComparison.OrdinalIgnoreCase));
        if (clash is not null)
            yield return new(Key(c, "monitoring.location"),
                $"'{m.Location}' is where region '{clash.Name}' runs; monitoring must be in a location outside every Elasticsearch region to see that region's loss");
    }

    private static IEnumerable<ConfigError> MonitoringNetworkIsPrivateAndDisjoint(StackConfig c)
    {
        if (c.Monitoring is not { } m) yield break;
        var path = Key(c, "monitoring.network.cidr");
        if (CidrError(path, m.NetworkCidr, "10.90.0.0/24") is { } error)
        {
            yield return error;
            yield break;
        }
        var cidr = Ipv4Cidr.Parse(m.NetworkCidr);
        if (!cidr.IsPrivate)
            yield return new(path, $"must be private address space (10/8, 172.16/12, 192.168/16), got '{m.NetworkCidr}'");
        else if (cidr.PrefixLength is < 16 or > 24)
            yield return new(path, $"must be between a /16 and a /24, got /{cidr.PrefixLength}");
        else
        {
            for (var i = 0; i < c.Regions.Count; i++)
                if (Ipv4Cidr.TryParse(c.Regions[i].NetworkCidr, out var region) && region.Overlaps(cidr))
                    yield return new(path, $"overlaps regions[{i}].network.cidr ({region}); the monitoring site needs its own address space");
        }
    }

    private static IEnumerable<ConfigError> MonitoringWebhookIsHttps(StackConfig c)
    {
        if (c.Monitoring is not { } m) yield break;
        if (!Uri.TryCreate(m.WebhookUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.UserInfo))
            yield return new(Key(c, "monitoring.webhookUrl"),
                $"must be the recovery program's https:// alert endpoint without credentials (the bearer token is sent from es-dr:alertWebhookToken), got '{m.WebhookUrl}'");
    }

    /// <summary>Recovery reads Alertmanager's API there; over https the stack's CA must issue its certificate.</summary>
    private static IEnumerable<ConfigError> MonitoringAlertmanagerUrlIsHttp(StackConfig c)
    {
        if (c.Monitoring is not { } m) yield break;
        if (!Uri.TryCreate(m.AlertmanagerUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            yield return new(Key(c, "monitoring.alertmanagerUrl"), $"must be Alertmanager's http:// or https:// base URL without credentials, query or fragment, got '{m.AlertmanagerUrl}'");
    }

    private static IEnumerable<ConfigError> MonitoringThresholdsArePositive(StackConfig c)
    {
        if (c.Monitoring?.Thresholds is not { } t) yield break;
        if (t.CcrLagOperations is < 1)
            yield return new(Key(c, "monitoring.alerts.ccrLagOperations"), $"must be at least 1, got {t.CcrLagOperations}");
        if (t.ReplicaLagSeconds is < 1)
            yield return new(Key(c, "monitoring.alerts.replicaLagSeconds"), $"must be at least 1, got {t.ReplicaLagSeconds}");
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/=]{16,}( .*)?$")]
    private static partial Regex SshKey();

    [GeneratedRegex(@"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")]
    private static partial Regex DnsName();
}
