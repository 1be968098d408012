using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

public class StackConfigParserTests
{
    [Fact]
    public void Parse_ValidTwoRegionConfig_ReadsEveryField()
    {
        var config = TestConfig.Parse();

        Assert.Equal("shop", config.NamePrefix);
        Assert.Equal("fra", config.Active.Name);
        Assert.Equal("9.5.7", config.Elasticsearch.Version);
        Assert.Equal("trial", config.Elasticsearch.License);
        Assert.Equal(2, config.Regions.Count);
        Assert.Equal(Cloud.Aws, config.Regions[1].Cloud);
        Assert.Equal(BalancerKind.Nlb, config.Regions[1].LoadBalancer.Kind);
        Assert.Equal(BalancerKind.NodeBalancer, config.Regions[0].LoadBalancer.Kind);
        Assert.Equal(["eu-west-1a", "eu-west-1b", "eu-west-1c"], config.Regions[1].Zones);
        Assert.Equal(RegionState.Standby, config.Regions[1].State);
        Assert.Equal(1, config.Regions[0].Generation);
        Assert.Equal("search", config.Tags["team"]);
    }

    [Fact]
    public void Parse_ScalarsGivenAsStrings_AreReadAsPulumiPassesThem()
    {
        var config = TestConfig.TwoRegions().With("regions", "[0].elasticsearch.nodes", "5").With("regions", "[0].generation", "2");

        var parsed = TestConfig.Parse(config);

        Assert.Equal(5, parsed.Regions[0].Elasticsearch.Nodes);
        Assert.Equal(2, parsed.Regions[0].Generation);
    }

    [Fact]
    public void Parse_NodeGenerations_AreKeyedByNodeNumber()
    {
        var config = TestConfig.TwoRegions().With("regions", "[0].elasticsearch.nodeGenerations", new JsonObject { ["2"] = 3 });

        var parsed = TestConfig.Parse(config);

        Assert.Equal(1, parsed.Regions[0].Elasticsearch.GenerationOf(1));
        Assert.Equal(3, parsed.Regions[0].Elasticsearch.GenerationOf(2));
    }

    [Fact]
    public void Parse_ProviderNamespacesAreLeftToTheirProviders()
    {
        var config = TestConfig.TwoRegions();
        config["aws:region"] = "eu-west-1";

        var parsed = TestConfig.Parse(config);

        Assert.Equal("shop", parsed.NamePrefix);
    }

    [Fact]
    public void Parse_SeveralProblems_AreAllReportedAtOnce()
    {
        var config = TestConfig.TwoRegions()
            .With("regions", "[0].elasticsearch.nodes", 2)
            .With("regions", "[1].cloud", "azure")
            .With("elasticsearch", "version", "7.17.0");

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains(error.Errors, e => e.Path == "es-dr:regions[1].cloud");
        // Shape errors stop before cross-field rules, so a broken enum does not hide as something else.
        Assert.True(error.Errors.Count >= 1);
    }

    [Fact]
    public void Parse_SecretValueForAKeyWrittenIntoTheProgram_IsRefused()
    {
        var error = Assert.Throws<InvalidConfigException>(() =>
            StackConfigParser.Parse("es-dr", "test", TestConfig.TwoRegions(), ["es-dr:ssh"]));

        Assert.Equal("es-dr:ssh: is a secret, but it is written into the program as plain text; set it without --secret", error.Errors.Single().ToString());
    }

    public static TheoryData<string, string, JsonNode?, string> BadConfigs() => new()
    {
        { "regions", "[1].elasticsearch.nodes", 2, "es-dr:regions[1].elasticsearch.nodes: must be an odd number of at least 3, got 2" },
        { "regions", "[0].elasticsearch.nodes", 1, "es-dr:regions[0].elasticsearch.nodes: must be an odd number of at least 3, got 1" },
        { "regions", "[0].elasticsearch.nodes", "three", "es-dr:regions[0].elasticsearch.nodes: must be a whole number, got 'three'" },
        { "regions", "[0].cloud", "azure", "es-dr:regions[0].cloud: must be one of linode, digitalocean, aws, ovh, got 'azure'" },
        { "regions", "[0].colud", "linode", "es-dr:regions[0].colud: unknown key (expected one of: name, cloud, location, zones, network, generation, state, image, projectId, dnsZone, elasticsearch, loadBalancer, database, application)" },
        { "regions", "[0].elasticsearch.replicas", 1, "es-dr:regions[0].elasticsearch.replicas: unknown key (expected one of: nodes, size, memoryGb, volumeGb, nodeGenerations)" },
        { "regions", "[0].state", "standby", "es-dr:regions[0].state: region 'fra' is the active region but its state is 'standby'; it must be 'active'" },
        { "regions", "[1].state", "active", "es-dr:regions[1].state: only the active region ('fra') may be 'active'; use 'standby'" },
        { "regions", "[1].state", "sleeping", "es-dr:regions[1].state: must be one of active, standby, lost, rebuilding, got 'sleeping'" },
        { "regions", "[1].name", "fra", "es-dr:regions[1].name: 'fra' is used by an earlier region; region names must be unique" },
        { "regions", "[1].name", "Dublin", "es-dr:regions[1].name: must be 1-12 lowercase letters, digits or '-', starting with a letter, got 'Dublin'" },
        { "regions", "[1].network.cidr", "10.10.0.0/24", "es-dr:regions[1].network.cidr: overlaps regions[0].network.cidr (10.10.0.0/24); regions must not share address space" },
        { "regions", "[1].network.cidr", "8.8.0.0/16", "es-dr:regions[1].network.cidr: must be private address space (10/8, 172.16/12, 192.168/16), got '8.8.0.0/16'" },
        { "regions", "[1].network.cidr", "10.20.0.1/16", "es-dr:regions[1].network.cidr: must be an IPv4 network such as 10.10.0.0/16, got '10.20.0.1/16': host bits are set; the network is 10.20.0.0/16" },
        { "regions", "[1].network.cidr", "10.0.0.0/8", "es-dr:regions[1].network.cidr: must be between a /16 and a /24, got /8" },
        { "regions", "[0].loadBalancer", new JsonObject { ["kind"] = "nlb" }, "es-dr:regions[0].loadBalancer.kind: 'nlb' is not available on linode; use 'nodebalancer' or 'haproxy'" },
        { "regions", "[1].loadBalancer", new JsonObject { ["kind"] = "haproxy" }, "es-dr:regions[1].loadBalancer.kind: 'haproxy' is not available on aws; use 'nlb' or 'alb'" },
        { "regions", "[1].image", null, "es-dr:regions[1].image: AWS regions need the id of a Debian 12 AMI in that region (ami-…; Debian's owner id is 136693071363)" },
        { "regions", "[0].zones", new JsonArray("a"), "es-dr:regions[0].zones: linode has no availability zones; remove the key" },
        { "regions", "[1].zones", new JsonArray(), "es-dr:regions[1].zones: AWS regions need at least one availability zone, e.g. [us-east-1a, us-east-1b, us-east-1c]" },
        { "regions", "[0].elasticsearch.size", "g9-mystery", "es-dr:regions[0].elasticsearch.size: 'g9-mystery' is not a size we know the memory of; set elasticsearch.memoryGb so the JVM heap can be sized" },
        { "regions", "[0].elasticsearch.size", "g6-nanode-1", "es-dr:regions[0].elasticsearch.size: 'g6-nanode-1' has less than 2 GB of memory; Elasticsearch needs at least 2" },
        { "regions", "[0].elasticsearch.volumeGb", 5, "es-dr:regions[0].elasticsearch.volumeGb: must be at least 10 (GB of data volume per node), got 5" },
        { "regions", "[0].elasticsearch.nodeGenerations", new JsonObject { ["4"] = 2 }, "es-dr:regions[0].elasticsearch.nodeGenerations.4: names node 4, but the region has 3 nodes" },
        { "regions", "[0].elasticsearch.nodeGenerations", new JsonObject { ["first"] = 2 }, "es-dr:regions[0].elasticsearch.nodeGenerations.first: must be keyed by a node number (1, 2, …)" },
        { "regions", "[0].generation", 0, "es-dr:regions[0].generation: must be at least 1, got 0" },
        { "regions", "[0].location", null, "es-dr:regions[0].location: is required" },
        { "regions", "[0].cloud", "ovh", "es-dr:regions[0].projectId: OVH regions need the Public Cloud project id (the provider's serviceName)" },
        { "regions", "[1].cloud", "digitalocean", "es-dr:regions[1].dnsZone: DigitalOcean regions need a domain managed in DigitalOcean: droplets cannot be given fixed private addresses, so nodes find each other by name" },
        { "elasticsearch", "version", "7.17.0", "es-dr:elasticsearch.version: must be an exact Elasticsearch 9.x version such as 9.5.7, got '7.17.0': es-dr-recovery speaks to the cluster through the 9.x .NET client, which 7.x clusters refuse" },
        { "elasticsearch", "license", "gold", "es-dr:elasticsearch.license: must be one of basic, trial, platinum, enterprise, got 'gold'" },
        { "elasticsearch", "security", false, "es-dr:elasticsearch.security: must be true: clusters always run with authentication and TLS on transport and HTTP" },
        { "elasticsearch", "clientCidrs", new JsonArray("0.0.0.0/0"), "es-dr:elasticsearch.clientCidrs[0]: '0.0.0.0/0' admits 3,702,258,688 public addresses (the whole internet) to Elasticsearch (9200), more than the 16,777,216 public addresses (one /8) a data port or SSH may be opened to; list the networks of your clients" },
        { "elasticsearch", "clientCidrs", new JsonArray("::/0"), "es-dr:elasticsearch.clientCidrs[0]: must be an IPv4 network such as 198.51.100.0/24, got '::/0': an IPv6 network; only IPv4 networks are supported" },
        { "elasticsearch", "clientCidrs", new JsonArray("app-servers"), "es-dr:elasticsearch.clientCidrs[0]: must be an IPv4 network such as 198.51.100.0/24, got 'app-servers': not a network address and prefix length (a.b.c.d/n)" },
        { "ssh", "allowedCidrs", new JsonArray("everywhere"), "es-dr:ssh.allowedCidrs[0]: must be an IPv4 network such as 203.0.113.0/24, got 'everywhere': not a network address and prefix length (a.b.c.d/n)" },
        { "ssh", "allowedCidrs", new JsonArray("0.0.0.0/0"), "es-dr:ssh.allowedCidrs[0]: '0.0.0.0/0' admits 3,702,258,688 public addresses (the whole internet) to SSH (22), more than the 16,777,216 public addresses (one /8) a data port or SSH may be opened to; list your operators' networks or a bastion" },
        { "regions", "[0].location", "eu-central\"].x}${alertWebhookToken", "es-dr:regions[0].location: must be a name such as eu-west-1, t3.medium or linode/debian12 (letters, digits and . _ - / : + @ only), got 'eu-central\"].x}${alertWebhookToken'" },
        { "regions", "[1].zones", new JsonArray("eu-west-1a", "${es-ca-key.privateKeyPem}"), "es-dr:regions[1].zones[1]: must be a name such as eu-west-1, t3.medium or linode/debian12 (letters, digits and . _ - / : + @ only), got '${es-ca-key.privateKeyPem}'" },
        { "regions", "[0].elasticsearch.size", "${deployKey}", "es-dr:regions[0].elasticsearch.size: must be a name such as eu-west-1, t3.medium or linode/debian12 (letters, digits and . _ - / : + @ only), got '${deployKey}'" },
        { "tags", "fn::readFile", "/home/ops/.ssh/id_ed25519", "es-dr:tags.fn::readFile: is a Pulumi YAML function name ('fn::' starts one); choose another tag key" },
        { "tags", "FN::Secret", "x", "es-dr:tags.FN::Secret: is a Pulumi YAML function name ('fn::' starts one); choose another tag key" },
        { "ssh", "publicKeys", new JsonArray("not-a-key"), "es-dr:ssh.publicKeys[0]: must be an OpenSSH public key ('ssh-ed25519 AAAA… comment')" },
        { "ssh", "publicKeys", new JsonArray(), "es-dr:ssh.publicKeys: must list at least one SSH public key" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Parse_BadConfig_ReportsTheExactErrorAtItsKeyPath(string key, string path, JsonNode? value, string expected)
    {
        var config = TestConfig.TwoRegions().With(key, path, value?.DeepClone());

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_ProgramSecret_IsNotedAsSetButItsValueIsNeverRead()
    {
        var flat = new Dictionary<string, string>(TestConfig.TwoRegions()) { ["es-dr:alertWebhookToken"] = "s3cr3t-token" };

        var config = StackConfigParser.Parse("es-dr", "test", flat, ["es-dr:alertWebhookToken"]);

        Assert.Contains(ProgramSecrets.AlertWebhookToken, config.SecretsSet);
        Assert.DoesNotContain("s3cr3t-token", config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ProgramSecretSetInPlainText_IsNotedForAWarning_NotRefused()
    {
        // The program reads it through fn::secret either way; `es-dr show` warns that the file holds it in clear.
        var flat = new Dictionary<string, string>(TestConfig.TwoRegions()) { ["es-dr:deployKey"] = "-----BEGIN OPENSSH PRIVATE KEY-----" };

        var config = StackConfigParser.Parse("es-dr", "test", flat, []);

        Assert.Equal([ProgramSecrets.DeployKey], config.SecretsInPlainText);
        Assert.Contains(ProgramSecrets.DeployKey, config.SecretsSet);
    }

    [Fact]
    public void Parse_ProgramSecret_WhenPulumiDoesNotSayWhichKeysAreSecret_IsNotCalledPlainText()
    {
        var flat = new Dictionary<string, string>(TestConfig.TwoRegions()) { ["es-dr:deployKey"] = "SENTINEL-SECRET-deployKey" };

        var config = StackConfigParser.Parse("es-dr", "test", flat);

        Assert.Empty(config.SecretsInPlainText);
        Assert.Contains(ProgramSecrets.DeployKey, config.SecretsSet);
    }

    public static TheoryData<string, string, string> BadTopLevelKeys() => new()
    {
        { "es-dr:activeRegion", "lon", "es-dr:activeRegion: 'lon' is not the name of a region in es-dr:regions" },
        { "es-dr:namePrefix", "Shop_Prod", "es-dr:namePrefix: must be 1-20 lowercase letters, digits or '-', starting with a letter, got 'Shop_Prod'" },
        { "es-dr:regionz", "[]", "es-dr:regionz: unknown key (expected one of: namePrefix, activeRegion, elasticsearch, ssh, deployer, tags, regions, dns, replication, database, application, monitoring, recovery, alertWebhookToken, deployKey)" },
        { "es-dr:regions", "{\"name\":\"fra\"}", "es-dr:regions: must be a list, got an object" },
        { "es-dr:regions", "[{\"name\":", "es-dr:regions: is not valid structured config: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. LineNumber: 0 | BytePositionInLine: 9." },
        { "es-dr:regions", "[]", "es-dr:regions: must list at least one region" },
    };

    [Theory]
    [MemberData(nameof(BadTopLevelKeys))]
    public void Parse_BadTopLevelValue_ReportsTheExactError(string key, string value, string expected)
    {
        var config = TestConfig.TwoRegions();
        config[key] = value;

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_AlbInOneZone_IsRefused()
    {
        var config = TestConfig.TwoRegions()
            .With("regions", "[1].loadBalancer", new JsonObject { ["kind"] = "alb" })
            .With("regions", "[1].zones", new JsonArray("eu-west-1a"));

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Equal("es-dr:regions[1].zones: an ALB needs subnets in at least two availability zones; list two or more zones or use an NLB", error.Errors.Single().ToString());
    }

    [Fact]
    public void Parse_OvhRegionWithZonesVolumeAndNodeBalancer_NamesEachMistake()
    {
        var config = TestConfig.TwoRegions().With("regions", "[1]", JsonNode.Parse("""
            {"name":"gra","cloud":"ovh","location":"GRA11","projectId":"p1","image":"img-1","state":"standby","zones":["a"],
             "network":{"cidr":"10.60.0.0/24"},"loadBalancer":{"kind":"nodebalancer"},
             "elasticsearch":{"nodes":3,"size":"flavor-id","memoryGb":16,"volumeGb":100}}
            """));

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Equal(
            [
                "es-dr:regions[1].loadBalancer.kind: 'nodebalancer' is not available on ovh; use 'haproxy'",
                "es-dr:regions[1].zones: OVH regions are deployed on one private subnet; remove the key",
                "es-dr:regions[1].elasticsearch.volumeGb: is not used on OVH: the provider cannot attach volumes to instances, so data lives on the flavor's local disk; remove the key",
            ],
            error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_MissingRequiredKeys_AreEachNamed()
    {
        var config = new Dictionary<string, string> { ["es-dr:namePrefix"] = "shop" };

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Equal(
            ["es-dr:activeRegion: is required", "es-dr:elasticsearch: is required", "es-dr:ssh: is required", "es-dr:regions: is required"],
            error.Errors.Select(e => e.ToString()));
    }
}
