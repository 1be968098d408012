using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.CrossRegion;

public class DnsFailoverTests
{
    private static StackCompilation Compile(Dictionary<string, string> config)
    {
        var compiled = StackCompilation.Compile(TestConfig.Parse(config));
        Assert.True(compiled.Problems.Count == 0, string.Join("\n", compiled.Problems.Select(p => $"{p.Where}: {p.Message}")));
        return compiled;
    }

    private static Dictionary<string, string> WithDns(string json)
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:dns"] = json;
        return config;
    }

    private const string Route53 = """{"provider":"route53","zone":"example.com","zoneId":"Z0123","searchName":"search","ttl":60,"healthCheck":{"intervalSeconds":10,"failureThreshold":3}}""";

    [Fact]
    public void Route53_ActiveRegionIsPrimary_FirstStandbyIsSecondary()
    {
        var program = Compile(WithDns(Route53)).Program;

        var primary = program.Resource("dns-fra-search").Properties;
        var secondary = program.Resource("dns-dub-search").Properties;
        Assert.Equal("PRIMARY", ((PMap)((IEnumerable<PMap>)primary["failoverRoutingPolicies"]).Single())["type"]);
        Assert.Equal("SECONDARY", ((PMap)((IEnumerable<PMap>)secondary["failoverRoutingPolicies"]).Single())["type"]);
        Assert.Equal("search.example.com", primary["name"]);
        Assert.Equal("${dns-fra-health.id}", primary["healthCheckId"]);
    }

    [Fact]
    public void Route53_SwitchingTheActiveRegion_SwapsPrimaryAndSecondary()
    {
        var config = WithDns(Route53)
            .With("regions", "[0].state", "standby")
            .With("regions", "[1].state", "active");
        config["es-dr:activeRegion"] = "dub";

        var program = Compile(config).Program;

        Assert.Equal("PRIMARY", ((IEnumerable<PMap>)program.Resource("dns-dub-search").Properties["failoverRoutingPolicies"]).Single()["type"]);
        Assert.Equal("SECONDARY", ((IEnumerable<PMap>)program.Resource("dns-fra-search").Properties["failoverRoutingPolicies"]).Single()["type"]);
    }

    [Fact]
    public void Route53_HealthCheck_FailsOnARedOrMasterlessCluster()
    {
        var check = Compile(WithDns(Route53)).Program.Resource("dns-fra-health").Properties;

        Assert.Equal("HTTPS", check["type"]);
        Assert.Equal("/_cluster/health?wait_for_status=yellow&timeout=1s", check["resourcePath"]);
        Assert.Equal(10, check["requestInterval"]);
        Assert.Equal(3, check["failureThreshold"]);
        Assert.Equal("${fra-lb.ipv4}", check["ipAddress"]);
    }

    [Fact]
    public void Route53_BalancerKnownByName_GetsAnAliasRecordAndANameCheck()
    {
        var program = Compile(WithDns(Route53)).Program;

        var record = program.Resource("dns-dub-search").Properties;
        var alias = ((IEnumerable<PMap>)record["aliases"]).Single();
        Assert.Equal("${dub-lb.dnsName}", alias["name"]);
        Assert.Equal("${dub-lb.zoneId}", alias["zoneId"]);
        Assert.False(record.ContainsKey("ttl"));
        Assert.Equal("${dub-lb.dnsName}", program.Resource("dns-dub-health").Properties["fqdn"]);
    }

    [Fact]
    public void Route53_Resources_UseTheGlobalProviderOutsideEveryRegion()
    {
        var program = Compile(WithDns(Route53)).Program;

        Assert.Equal("us-east-1", program.Resource("dns-aws").Properties["region"]);
        Assert.All(program.Resources.Where(r => r.Name.StartsWith("dns-", StringComparison.Ordinal) && r.Name != "dns-aws"),
            r => Assert.Equal("${dns-aws}", r.Options.Provider));
    }

    [Fact]
    public void LinodeDomain_PointsTheRecordAtTheActiveRegionsBalancer()
    {
        var program = Compile(WithDns("""{"provider":"linode","zone":"shop.example","zoneId":"1234567","searchName":"search","ttl":30}""")).Program;

        var record = program.Resource("dns-search").Properties;
        Assert.Equal(1234567, record["domainId"]);
        Assert.Equal("A", record["recordType"]);
        Assert.Equal("${fra-lb.ipv4}", record["target"]);
    }

    [Fact]
    public void DigitalOceanDomain_ActiveRegionKnownByName_GetsAFullyQualifiedCname()
    {
        var config = WithDns("""{"provider":"digitalocean","zone":"example.com","searchName":"search","ttl":30}""")
            .With("regions", "[0].state", "standby")
            .With("regions", "[1].state", "active");
        config["es-dr:activeRegion"] = "dub";

        var record = Compile(config).Program.Resource("dns-search").Properties;

        Assert.Equal("CNAME", record["type"]);
        Assert.Equal("${dub-lb.dnsName}.", record["value"]);
    }

    [Fact]
    public void NoDnsConfig_EmitsNoDnsResources() =>
        Assert.DoesNotContain(Compile(TestConfig.TwoRegions()).Program.Resources, r => r.Name.StartsWith("dns-", StringComparison.Ordinal));

    public static TheoryData<string, string> BadDns() => new()
    {
        { """{"provider":"route53","zone":"example.com"}""", "es-dr:dns.zoneId: Route 53 needs the hosted zone id (Z…) of dns.zone" },
        { """{"provider":"linode","zone":"example.com","zoneId":"abc"}""", "es-dr:dns.zoneId: Linode needs the numeric id of the domain dns.zone (linode-cli domains list)" },
        { """{"provider":"route53","zone":"example.com","zoneId":"Z1","ttl":300}""", "es-dr:dns.ttl: must be between 1 and 60 seconds so failover is seen quickly, got 300" },
        { """{"provider":"digitalocean","zone":"example.com","ttl":10}""", "es-dr:dns.ttl: must be between 30 and 60 seconds so failover is seen quickly, got 10" },
        { """{"provider":"route53","zone":"example.com","zoneId":"Z1","healthCheck":{"intervalSeconds":15}}""", "es-dr:dns.healthCheck.intervalSeconds: must be 10 or 30 (what Route 53 offers), got 15" },
        { """{"provider":"bind","zone":"example.com"}""", "es-dr:dns.provider: must be one of route53, linode, digitalocean, got 'bind'" },
        { """{"provider":"route53","zone":"example.com","zoneId":"Z1","searchName":"a.b"}""", "es-dr:dns.searchName: must be one DNS label such as 'search' (the record is <searchName>.<zone>), got 'a.b'" },
        { """{"provider":"route53","zone":"example.com","zoneId":"Z1","name":"x"}""", "es-dr:dns.name: unknown key (expected one of: provider, zone, zoneId, searchName, appName, ttl, healthCheck)" },
    };

    [Theory]
    [MemberData(nameof(BadDns))]
    public void BadDnsConfig_ReportsTheExactError(string json, string expected)
    {
        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(WithDns(json)));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }
}
