using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>
/// <c>es-dr:deployer.cidrs</c>: required when <c>pulumi up</c> reaches into the regions (replication set-up, HAProxy
/// config push), so the first multi-region deploy cannot fail half-way on a firewall; never the whole internet.
/// </summary>
public class DeployerRuleTests
{
    private const string HaproxyStandby = """
        {"name":"ams","cloud":"digitalocean","location":"ams3","state":"standby","network":{"cidr":"10.30.0.0/24"},
         "dnsZone":"es.example.com","elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":60},"loadBalancer":{"kind":"haproxy"}}
        """;

    private static Dictionary<string, string> WithoutDeployer(Dictionary<string, string> config)
    {
        config.Remove("es-dr:deployer");
        return config;
    }

    private static string Refusal(Dictionary<string, string> config)
    {
        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));
        return Assert.Single(error.Errors).ToString();
    }

    [Fact]
    public void Replication_WithoutDeployer_IsRefusedSayingWhatTheDeployReaches()
    {
        var config = WithoutDeployer(TestConfig.TwoRegions());
        config["es-dr:replication"] = """{"indexPatterns":["logs-*"]}""";

        Assert.Equal(
            "es-dr:deployer.cidrs: is required: `pulumi up` of this stack runs on the deploying machine and `es-dr-recovery replication apply` "
            + "calls every regional endpoint on 9200 (a HAProxy VM's on 9210); list the network that machine leaves from "
            + "(a self-hosted CI runner or a bastion with a fixed address, e.g. 203.0.113.10/32)",
            Refusal(config));
    }

    [Fact]
    public void PushedHaproxy_WithoutDeployer_IsRefusedNamingTheRegionsAndPort22()
    {
        var config = WithoutDeployer(TestConfig.TwoRegions()).With("regions", "[1]", JsonNode.Parse(HaproxyStandby));
        config["es-dr:deployKey"] = "SENTINEL-SECRET-deployKey";

        Assert.Contains("the HAProxy config push connects to the HAProxy VM of ams on port 22", Refusal(config), StringComparison.Ordinal);
    }

    [Fact]
    public void StackThatReachesNothing_NeedsNoDeployer()
    {
        // Two regions behind cloud balancers, no replication: the deploy only talks to cloud APIs.
        var config = TestConfig.Parse(WithoutDeployer(TestConfig.TwoRegions()));

        Assert.Null(config.Deployer);
    }

    [Fact]
    public void LostStandby_FollowsNobody_SoReplicationAloneNeedsNoDeployer()
    {
        var config = WithoutDeployer(TestConfig.TwoRegions()).With("regions", "[1].state", "lost");
        config["es-dr:replication"] = """{"indexPatterns":["logs-*"]}""";

        Assert.Empty(DeployReach.ReplicationFollowers(TestConfig.Parse(config)));
    }

    [Theory]
    [InlineData("0.0.0.0/0", "es-dr:deployer.cidrs[0]: '0.0.0.0/0' admits 3,702,258,688 public addresses (the whole internet) to Elasticsearch (9200) and SSH (22), more than the 16,777,216 public addresses (one /8) a data port or SSH may be opened to; list the network the deploying machine leaves from")]
    [InlineData("::/0", "es-dr:deployer.cidrs[0]: must be an IPv4 network such as 203.0.113.10/32, got '::/0': an IPv6 network; only IPv4 networks are supported")]
    [InlineData("runner", "es-dr:deployer.cidrs[0]: must be an IPv4 network such as 203.0.113.10/32, got 'runner': not a network address and prefix length (a.b.c.d/n)")]
    public void DeployerCidr_ThatIsTheInternetOrNoNetwork_IsRefused(string cidr, string expected)
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:deployer"] = $$"""{"cidrs":["{{cidr}}"]}""";

        Assert.Equal(expected, Refusal(config));
    }

    [Fact]
    public void Deployer_WithAnUnknownKey_IsRefusedNamingIt()
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:deployer"] = """{"cidrs":["192.0.2.10/32"],"runner":"x"}""";

        Assert.Equal("es-dr:deployer.runner: unknown key (expected one of: cidrs)", Refusal(config));
    }
}
