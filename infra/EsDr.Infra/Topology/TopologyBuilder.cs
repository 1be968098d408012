using EsDr.Infra.Config;

namespace EsDr.Infra.Topology;

/// <summary>
/// Decides names and addresses. Naming: <c>{region}[-gen{R}]</c> for a region at generation R &gt; 1, and
/// <c>{regionKey}-es-{n}[-gen{G}]</c> for node n at generation G &gt; 1. Addressing: node n gets host
/// <see cref="NodeHostOffset"/>+n of its subnet, the HAProxy VM host <see cref="BalancerHostOffset"/>, so
/// seed hosts and certificate SANs are known before any VM exists and replacing one node changes
/// nothing on the others.
/// </summary>
public static class TopologyBuilder
{
    public const uint BalancerHostOffset = 5;
    public const uint NodeHostOffset = 10;

    /// <summary>The database server's host number in the region's first subnet.</summary>
    public const uint DatabaseHostOffset = 6;

    /// <summary>Application server n gets host <see cref="ApplicationHostOffset"/>+n of the region's first subnet.</summary>
    public const uint ApplicationHostOffset = 20;

    /// <summary>A brand-new cluster bootstraps from its first three master-eligible nodes; later nodes join.</summary>
    public const int FoundingNodeCount = 3;

    public static DeploymentTopology Build(StackConfig config) =>
        new(config, config.Regions.Select((r, i) => BuildRegion(config, r) with
        {
            Database = BuildDatabase(config, r, i),
            Applications = BuildApplications(config, r),
        }).ToList());

    private static string RegionKey(RegionConfig region) => region.Generation > 1 ? $"{region.Name}-gen{region.Generation}" : region.Name;

    /// <summary>Fixed addresses in the first subnet, except on DigitalOcean, which cannot fix droplet addresses.</summary>
    private static string? FixedHost(RegionConfig region, uint offset) =>
        region.Cloud == Cloud.DigitalOcean ? null : Ipv4Cidr.Parse(BuildNetwork(region).Subnets[0].Cidr).Host(offset);

    private static DatabaseHost? BuildDatabase(StackConfig config, RegionConfig region, int index)
    {
        if (region.Database is not { } db) return null;
        var logical = $"{RegionKey(region)}-db";
        return new DatabaseHost(
            region.Name == config.ActiveRegion ? Renderers.Database.MySqlRole.Primary : Renderers.Database.MySqlRole.Replica,
            (uint)index + 1, logical, $"{config.NamePrefix}-{logical}", FixedHost(region, DatabaseHostOffset), db.Size);
    }

    private static List<ApplicationHost> BuildApplications(StackConfig config, RegionConfig region)
    {
        if (region.Application is not { } app) return [];
        return Enumerable.Range(1, app.Nodes).Select(n =>
        {
            var logical = $"{RegionKey(region)}-app-{n}";
            return new ApplicationHost(n, logical, $"{config.NamePrefix}-{logical}", FixedHost(region, ApplicationHostOffset + (uint)n), app.Size);
        }).ToList();
    }

    private static RegionTopology BuildRegion(StackConfig config, RegionConfig region)
    {
        var key = RegionKey(region);
        var network = BuildNetwork(region);
        var memory = region.Elasticsearch.MemoryGb ?? InstanceSizes.MemoryGb(region.Cloud, region.Elasticsearch.Size) ?? 2;
        var nodes = Enumerable.Range(1, region.Elasticsearch.Nodes)
            .Select(n => BuildNode(config, region, key, network, n))
            .ToList();
        var balancerLogical = $"{key}-lb";
        var balancer = new RegionBalancer(
            region.LoadBalancer.Kind,
            balancerLogical,
            $"{config.NamePrefix}-{balancerLogical}",
            region.LoadBalancer.Kind == BalancerKind.HaProxy && region.Cloud != Cloud.DigitalOcean
                ? Ipv4Cidr.Parse(network.Subnets[0].Cidr).Host(BalancerHostOffset)
                : null,
            region.LoadBalancer.Size);
        return new RegionTopology(region, key, $"{config.NamePrefix}-{key}", network, nodes, balancer, Renderers.JvmHeap.HeapGb(memory));
    }

    private static RegionNetwork BuildNetwork(RegionConfig region)
    {
        var cidr = Ipv4Cidr.Parse(region.NetworkCidr);
        if (region.Zones.Count <= 1)
            return new RegionNetwork(region.NetworkCidr, [new Subnet(region.NetworkCidr, region.Zones.Count == 1 ? region.Zones[0] : null)]);
        // One subnet per zone, each the largest power-of-two slice that fits.
        var bits = (int)Math.Ceiling(Math.Log2(region.Zones.Count));
        var prefix = Math.Min(cidr.PrefixLength + bits, 28);
        return new RegionNetwork(region.NetworkCidr,
            region.Zones.Select((z, i) => new Subnet(cidr.Subnet(prefix, i).ToString(), z)).ToList());
    }

    private static EsNode BuildNode(StackConfig config, RegionConfig region, string regionKey, RegionNetwork network, int ordinal)
    {
        var generation = region.Elasticsearch.GenerationOf(ordinal);
        var logical = generation > 1 ? $"{regionKey}-es-{ordinal}-gen{generation}" : $"{regionKey}-es-{ordinal}";
        var name = $"{config.NamePrefix}-{logical}";
        var subnet = network.Subnets[(ordinal - 1) % network.Subnets.Count];
        var fixedIp = region.Cloud != Cloud.DigitalOcean;
        return new EsNode(
            ordinal,
            generation,
            logical,
            name,
            fixedIp ? Ipv4Cidr.Parse(subnet.Cidr).Host(NodeHostOffset + (uint)ordinal) : null,
            // Stable across node generations, so a rebuilt node keeps the name its peers and HAProxy know.
            fixedIp ? null : $"{config.NamePrefix}-{regionKey}-es-{ordinal}.{region.DnsZone}",
            subnet,
            IsFounding: ordinal <= FoundingNodeCount && generation == 1);
    }
}
