using System.Text.Json.Nodes;
using EsDr.Infra.Renderers.Database;
using EsDr.Infra.Tests.Support;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Topology;

/// <summary>Database and application hosts: fixed addresses in the first subnet (database host 6, server n host 20+n), roles and names.</summary>
public class TierHostsTests
{
    private static DeploymentTopology Build(Func<Dictionary<string, string>, Dictionary<string, string>>? change = null)
    {
        var config = TestConfig.TwoRegions()
            .With("regions", "[0].database", new JsonObject { ["size"] = "g6-dedicated-4" })
            .With("regions", "[0].application", new JsonObject { ["nodes"] = 2, ["size"] = "g6-standard-2" })
            .With("regions", "[1].database", new JsonObject { ["size"] = "r6i.large" })
            .With("regions", "[1].generation", 2);
        config["es-dr:database"] = """{"engine":"mariadb"}""";
        config["es-dr:application"] = """{"port":8080}""";
        return TopologyBuilder.Build(TestConfig.Parse(change?.Invoke(config) ?? config));
    }

    [Fact]
    public void ActiveRegionsDatabase_IsThePrimaryOnHostSix()
    {
        var fra = Build().Regions[0];

        Assert.Equal(new DatabaseHost(MySqlRole.Primary, 1, "fra-db", "shop-fra-db", "10.10.0.6", "g6-dedicated-4"), fra.Database);
    }

    [Fact]
    public void StandbyDatabase_IsAReplicaInTheFirstZonesSubnet_NamedWithTheRegionsGeneration()
    {
        var dub = Build().Regions[1];

        Assert.Equal(new DatabaseHost(MySqlRole.Replica, 2, "dub-gen2-db", "shop-dub-gen2-db", "10.20.0.6", "r6i.large"), dub.Database);
        Assert.Empty(dub.Applications);
    }

    [Fact]
    public void ApplicationServers_TakeHostsTwentyOneUp()
    {
        var fra = Build().Regions[0];

        Assert.Equal(["fra-app-1@10.10.0.21", "fra-app-2@10.10.0.22"], fra.Applications.Select(a => $"{a.LogicalName}@{a.PrivateIp}"));
        Assert.DoesNotContain(fra.Nodes, n => fra.Applications.Any(a => a.PrivateIp == n.PrivateIp) || n.PrivateIp == fra.Database!.PrivateIp);
    }

    [Fact]
    public void DigitalOceanHosts_HaveNoFixedAddress()
    {
        var topology = Build(c =>
        {
            c["es-dr:activeRegion"] = "nyc";
            return c.With("regions", "[0]", JsonNode.Parse("""
                {"name":"nyc","cloud":"digitalocean","location":"nyc3","state":"active","dnsZone":"example.com","network":{"cidr":"10.110.0.0/20"},
                 "elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":50},"database":{"size":"s-2vcpu-4gb"},"application":{"nodes":1,"size":"s-1vcpu-2gb"}}
                """));
        });

        var nyc = topology.Regions[0];

        Assert.Null(nyc.Database!.PrivateIp);
        Assert.Null(Assert.Single(nyc.Applications).PrivateIp);
    }
}
