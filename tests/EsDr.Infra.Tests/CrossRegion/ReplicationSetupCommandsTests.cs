using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.CrossRegion;

public class ReplicationSetupCommandsTests
{
    private static Dictionary<string, string> WithReplication(string json = """{"indexPatterns":["products-*","orders-*"]}""")
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:replication"] = json;
        return config;
    }

    private static PulumiProgram Compile(Dictionary<string, string> config)
    {
        var compiled = StackCompilation.Compile(TestConfig.Parse(config));
        Assert.True(compiled.Problems.Count == 0, string.Join("\n", compiled.Problems.Select(p => $"{p.Where}: {p.Message}")));
        return compiled.Program;
    }

    [Fact]
    public void Standby_FollowsTheActiveRegionThroughBothBalancersTransportPassthrough()
    {
        var command = (string)Compile(WithReplication()).Resource("ccr-dub").Properties["create"];

        Assert.StartsWith("./bin/es-dr-recovery replication apply ", command, StringComparison.Ordinal);
        Assert.Contains("--leader-alias 'fra'", command, StringComparison.Ordinal);
        Assert.Contains("--leader-proxy '${fra-lb.ipv4}:9300'", command, StringComparison.Ordinal);
        Assert.Contains("--leader-server-name 'shop-fra'", command, StringComparison.Ordinal);
        Assert.Contains("--follower-url 'https://${dub-lb.dnsName}:9200'", command, StringComparison.Ordinal);
        Assert.Contains("--pattern 'products-*' --pattern 'orders-*'", command, StringComparison.Ordinal);
    }

    [Fact]
    public void HaproxyRegions_AreSetUpThroughTheirClusterPort_WhichReachesTheirOwnCluster()
    {
        // Both regions' HAProxy send client traffic on 9200 to the active region: set-up must reach each cluster itself.
        var config = WithReplication()
            .With("regions", "[0].loadBalancer", JsonNode.Parse("""{"kind":"haproxy"}"""))
            .With("regions", "[1]", JsonNode.Parse("""
                {"name":"ams","cloud":"digitalocean","location":"ams3","state":"standby","network":{"cidr":"10.30.0.0/24"},
                 "dnsZone":"es.example.com","elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":60},"loadBalancer":{"kind":"haproxy"}}
                """));
        config["es-dr:deployKey"] = "SENTINEL-SECRET-deployKey";

        var command = (string)Compile(config).Resource("ccr-ams").Properties["create"];

        Assert.Contains("--leader-url 'https://${fra-lb.ipAddress}:9210'", command, StringComparison.Ordinal);
        Assert.Contains("--follower-url 'https://${ams-lb.ipv4Address}:9210'", command, StringComparison.Ordinal);
        Assert.Contains("--leader-proxy '${fra-lb.ipAddress}:9300'", command, StringComparison.Ordinal);
    }

    [Fact]
    public void AlbRegion_IsReachedThroughItsTransportOnlyBalancer()
    {
        var config = WithReplication().With("regions", "[1].loadBalancer", new JsonObject { ["kind"] = "alb" });

        var command = (string)Compile(config).Resource("ccr-dub").Properties["create"];

        Assert.Contains("--follower-url 'https://${dub-lb.dnsName}:9200'", command, StringComparison.Ordinal);
        Assert.Contains("--follower-proxy '${dub-lb-transport.dnsName}:9300'", command, StringComparison.Ordinal);
    }

    [Fact]
    public void Passwords_ReachTheCommandOnlyThroughItsEnvironment()
    {
        var properties = Compile(WithReplication()).Resource("ccr-dub").Properties;

        var environment = (PMap)properties["environment"];
        Assert.Equal("${fra-elastic-password.result}", environment["ES_LEADER_PASSWORD"]);
        Assert.Equal("${dub-elastic-password.result}", environment["ES_FOLLOWER_PASSWORD"]);
        Assert.DoesNotContain("password", (string)properties["create"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SwitchingTheActiveRegion_ReversesTheSetUpAndChangesItsTriggers()
    {
        var before = Compile(WithReplication()).Resource("ccr-dub").Properties;
        var config = WithReplication().With("regions", "[0].state", "standby").With("regions", "[1].state", "active");
        config["es-dr:activeRegion"] = "dub";

        var program = Compile(config);

        Assert.DoesNotContain(program.Resources, r => r.Name == "ccr-dub");
        var after = program.Resource("ccr-fra").Properties;
        Assert.Contains("--leader-alias 'dub'", (string)after["create"], StringComparison.Ordinal);
        Assert.NotEqual(((IEnumerable<object>)before["triggers"]).Take(2), ((IEnumerable<object>)after["triggers"]).Take(2));
    }

    [Fact]
    public void LostRegion_IsNotAskedToFollow()
    {
        var program = Compile(WithReplication().With("regions", "[1].state", "lost"));

        Assert.DoesNotContain(program.Resources, r => r.Name.StartsWith("ccr-", StringComparison.Ordinal));
    }

    [Fact]
    public void NodeCertificates_NameTheirClusterForProxyModeServerNameVerification()
    {
        var csr = Compile(WithReplication()).Resource("fra-es-1-tls-csr").Properties;

        Assert.Contains("shop-fra", (IEnumerable<string>)csr["dnsNames"]);
    }

    public static TheoryData<Dictionary<string, string>, string> BadReplication() => new()
    {
        { WithReplication().With("elasticsearch", "license", "basic"), "es-dr:elasticsearch.license: cross-cluster replication needs 'trial', 'platinum' or 'enterprise', not 'basic'" },
        { WithReplication("""{"indexPatterns":["Products"]}"""), "es-dr:replication.indexPatterns[0]: 'Products' is not a simple index pattern (lower case, '*' wildcards, no leading '-', '_' or '.', no commas or spaces)" },
        { WithReplication("""{"indexPatterns":[]}"""), "es-dr:replication.indexPatterns: must list at least one index pattern, e.g. [products-*]" },
        { WithReplication("""{"patterns":["a-*"]}"""), "es-dr:replication.patterns: unknown key (expected one of: indexPatterns)" },
    };

    [Theory]
    [MemberData(nameof(BadReplication))]
    public void BadReplicationConfig_ReportsTheExactError(Dictionary<string, string> config, string expected)
    {
        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void OneRegion_CannotReplicate()
    {
        var config = WithReplication().With("regions", "[1]", null);
        config["es-dr:regions"] = JsonNode.Parse(config["es-dr:regions"])!.AsArray().Where(n => n is not null).Select(n => n!.DeepClone()).Aggregate(new JsonArray(), (a, n) => { a.Add(n); return a; }).ToJsonString();

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains("es-dr:replication: needs a second region to replicate to", error.Errors.Select(e => e.ToString()));
    }
}
