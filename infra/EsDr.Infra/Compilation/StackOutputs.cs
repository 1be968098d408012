using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// The stack outputs recovery reads (<c>pulumi stack output --json</c>) to find things: per region its
/// endpoint, cluster name and state, and per node its name, addresses and the logical names of every
/// resource that makes up the node (for <c>--target</c> and <c>--target-replace</c>).
/// </summary>
public static class StackOutputs
{
    public static void Add(
        PulumiProgram program,
        DeploymentTopology topology,
        IReadOnlyList<RegionOutputs> regions)
    {
        program.Outputs.Add("activeRegion", topology.Config.ActiveRegion);
        var pushed = DeployReach.PushedHaproxies(topology.Config).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var map = new PMap();
        foreach (var (region, resources, extras) in regions)
        {
            var nodes = resources.Nodes.Select(n => (object)new PMap
            {
                { "name", n.Node.Name },
                { "ordinal", n.Node.Ordinal },
                { "generation", n.Node.Generation },
                { "privateIp", n.PrivateIp },
                { "publicIp", n.PublicIp },
                { "resources", n.ResourceNames.Concat(extras[n.Node.LogicalName]).ToList() },
            }).ToList();
            map.Add(region.Name, new PMap
            {
                { "cloud", StackConfigParser.Spell(region.Cloud) },
                { "location", region.Config.Location },
                { "state", StackConfigParser.Spell(region.Config.State) },
                { "generation", region.Config.Generation },
                { "clusterName", region.ClusterName },
                { "endpoint", resources.Endpoint },
                // This very cluster: a HAProxy region's endpoint follows the active region (its cluster port does not).
                { "clusterEndpoint", resources.ClusterEndpoint },
                { "balancer", new PMap
                    {
                        { "kind", StackConfigParser.Spell(region.Balancer.Kind) },
                        // With its config push: a failover's up must leave a lost region's push alone (it would SSH
                        // into the dead VM), and a node rebuild's up must push the new node's address.
                        { "resources", pushed.Contains(region.Name)
                            ? resources.BalancerResourceNames.Append(HaproxyConfigPush.ResourceName(resources)).ToList()
                            : resources.BalancerResourceNames },
                    }
                },
                { "networkResources", resources.NetworkResourceNames },
                { "nodes", nodes },
            });
        }
        program.Outputs.Add("regions", map);
        // Not secret: recovery verifies every cluster's TLS chain against it.
        program.Outputs.Add("caCertificate", Ref.To(ClusterSecurity.CaCert, "certPem"));
        program.Outputs.Add("credentials", Credentials(regions.Select(r => r.Region)));
    }

    /// <summary>
    /// The one secret output, read only by recovery's <c>pulumi stack output credentials --show-secrets</c>:
    /// each cluster's <c>elastic</c> password as an interpolation of its generated password (the program text
    /// holds no secret), wrapped in <c>fn::secret</c> so Pulumi stores and prints it masked.
    /// </summary>
    private static PMap Credentials(IEnumerable<RegionTopology> regions)
    {
        var perRegion = new PMap();
        foreach (var region in regions)
            perRegion.Add(region.Name, new PMap { { "elasticPassword", Ref.To(ClusterSecurity.ElasticPasswordName(region), "result") } });
        return new PMap { { "fn::secret", new PMap { { "regions", perRegion } } } };
    }
}

/// <summary>What one region contributes to the outputs: its resources and each node's TLS resources.</summary>
public sealed record RegionOutputs(
    RegionTopology Region, RegionResources Resources, IReadOnlyDictionary<string, IReadOnlyList<string>> NodeCredentials);
