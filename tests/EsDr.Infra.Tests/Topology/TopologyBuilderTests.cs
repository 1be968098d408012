using System.Text.Json.Nodes;
using EsDr.Infra.Tests.Support;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Topology;

public class TopologyBuilderTests
{
    private static DeploymentTopology Build(Dictionary<string, string>? config = null) =>
        TopologyBuilder.Build(TestConfig.Parse(config));

    [Fact]
    public void Build_TwoRegions_GivesEachAClusterOfItsConfiguredNodes()
    {
        var topology = Build();

        Assert.Equal(["shop-fra", "shop-dub"], topology.Regions.Select(r => r.ClusterName));
        Assert.Equal(["shop-fra-es-1", "shop-fra-es-2", "shop-fra-es-3"], topology.Regions[0].Nodes.Select(n => n.Name));
        Assert.Equal("fra", topology.Active.Name);
    }

    [Fact]
    public void Build_NodesGetFixedPrivateAddressesInTheirSubnet()
    {
        var fra = Build().Regions[0];

        Assert.Equal(["10.10.0.11", "10.10.0.12", "10.10.0.13"], fra.Nodes.Select(n => n.PrivateIp));
        Assert.Equal(["10.10.0.11", "10.10.0.12", "10.10.0.13"], fra.SeedHosts);
    }

    [Fact]
    public void Build_RegionWithZones_SpreadsNodesOverOneSubnetPerZone()
    {
        var dub = Build().Regions[1];

        Assert.Equal(["10.20.0.0/18", "10.20.64.0/18", "10.20.128.0/18"], dub.Network.Subnets.Select(s => s.Cidr));
        Assert.Equal(["eu-west-1a", "eu-west-1b", "eu-west-1c"], dub.Nodes.Select(n => n.Zone));
        Assert.Equal(["10.20.0.11", "10.20.64.12", "10.20.128.13"], dub.Nodes.Select(n => n.PrivateIp));
    }

    [Fact]
    public void Build_BrandNewCluster_BootstrapsFromTheFirstThreeNodes()
    {
        var config = TestConfig.TwoRegions().With("regions", "[0].elasticsearch.nodes", 5);

        var fra = Build(config).Regions[0];

        Assert.Equal(["shop-fra-es-1", "shop-fra-es-2", "shop-fra-es-3"], fra.FoundingNodeNames);
        Assert.False(fra.Nodes[3].IsFounding);
    }

    [Fact]
    public void Build_ReplacedNode_GetsANewNameAndNeverBootstraps()
    {
        var config = TestConfig.TwoRegions().With("regions", "[0].elasticsearch.nodeGenerations", new JsonObject { ["2"] = 2 });

        var node = Build(config).Regions[0].Nodes[1];

        Assert.Equal("fra-es-2-gen2", node.LogicalName);
        Assert.Equal("shop-fra-es-2-gen2", node.Name);
        Assert.False(node.IsFounding);
        Assert.Equal("10.10.0.12", node.PrivateIp);
    }

    [Fact]
    public void Build_RebuiltRegion_NamesEveryResourceForItsGeneration()
    {
        var config = TestConfig.TwoRegions().With("regions", "[1].generation", 3);

        var dub = Build(config).Regions[1];

        Assert.Equal("dub-gen3", dub.Key);
        Assert.Equal("shop-dub-gen3", dub.ClusterName);
        Assert.Equal("dub-gen3-es-1", dub.Nodes[0].LogicalName);
        Assert.All(dub.Nodes.Take(3), n => Assert.True(n.IsFounding));
    }

    [Fact]
    public void Build_DigitalOceanNodes_AreFoundByNameInTheRegionsDomain()
    {
        var config = TestConfig.TwoRegions()
            .With("regions", "[1]", JsonNode.Parse("""
                {"name":"nyc","cloud":"digitalocean","location":"nyc3","state":"standby","dnsZone":"search.example.com",
                 "network":{"cidr":"10.110.0.0/20"},"elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":50}}
                """));

        var nyc = Build(config).Regions[1];

        Assert.All(nyc.Nodes, n => Assert.Null(n.PrivateIp));
        Assert.Equal("shop-nyc-es-1.search.example.com", nyc.SeedHosts[0]);
        Assert.Equal(4, nyc.HeapGb);
    }
}
