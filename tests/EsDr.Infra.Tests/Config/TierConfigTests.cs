using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>The database and application keys: what they read, and every mistake named at its key path.</summary>
public class TierConfigTests
{
    /// <summary>Two regions (Linode NodeBalancer, AWS NLB), each with a database host and an application pool.</summary>
    private static Dictionary<string, string> WithTiers()
    {
        var config = TestConfig.TwoRegions()
            .With("regions", "[0].database", new JsonObject { ["size"] = "g6-dedicated-4" })
            .With("regions", "[0].application", new JsonObject { ["nodes"] = 2, ["size"] = "g6-standard-2" })
            .With("regions", "[1].database", new JsonObject { ["size"] = "r6i.large" })
            .With("regions", "[1].application", new JsonObject { ["nodes"] = 1, ["size"] = "t3.small" });
        config["es-dr:database"] = """{"engine":"mysql","semiSync":true}""";
        config["es-dr:application"] = """{"port":8080,"healthPath":"/healthz","publicPort":80,"cloudConfig":{"packages":["python3"]}}""";
        return config;
    }

    [Fact]
    public void Parse_Tiers_ReadsEveryField()
    {
        var config = TestConfig.Parse(WithTiers());

        Assert.Equal(new DatabaseSettings(DatabaseEngine.MySql, true, 10_000, 168), config.Database);
        Assert.Equal("g6-dedicated-4", config.Regions[0].Database!.Size);
        Assert.Equal(new RegionApplication(2, "g6-standard-2"), config.Regions[0].Application);
        Assert.Equal((8080, "/healthz", 80), (config.Application!.Port, config.Application.HealthPath, config.Application.PublicPort));
        Assert.Equal(["0.0.0.0/0"], config.Application.ClientCidrs);
        Assert.Equal("python3", config.Application.CloudConfig!["packages"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Parse_WithoutTiers_HasNone()
    {
        var config = TestConfig.Parse();

        Assert.Null(config.Database);
        Assert.Null(config.Application);
        Assert.All(config.Regions, r => Assert.Null(r.Database));
    }

    public static TheoryData<string, string, JsonNode?, string> BadTiers() => new()
    {
        { "database", "engine", "postgres", "es-dr:database.engine: must be one of mariadb, mysql, got 'postgres'" },
        { "database", "semiSync", "sometimes", "es-dr:database.semiSync: must be true or false, got 'sometimes'" },
        { "database", "binlogRetentionHours", 0, "es-dr:database.binlogRetentionHours: must be at least 1, got 0" },
        { "database", "replicas", 2, "es-dr:database.replicas: unknown key (expected one of: engine, semiSync, semiSyncTimeoutMs, binlogRetentionHours)" },
        { "regions", "[0].database", null, "es-dr:regions[0].database: the active region 'fra' must have the database primary, since other regions have database hosts" },
        { "regions", "[0].database", new JsonObject(), "es-dr:regions[0].database.size: is required" },
        { "regions", "[0].database", new JsonObject { ["size"] = "x", ["disk"] = 10 }, "es-dr:regions[0].database.disk: unknown key (expected one of: size)" },
        { "regions", "[1].application.nodes", 0, "es-dr:regions[1].application.nodes: must be between 1 and 20, got 0" },
        { "regions", "[1].application.count", 2, "es-dr:regions[1].application.count: unknown key (expected one of: nodes, size)" },
        { "regions", "[1].database", null, "es-dr:regions[1].application: needs a database host in the same region (database: { size }): 3306 admits only the region's own application servers" },
        { "regions", "[0].elasticsearch.nodes", 11, "es-dr:regions[0].application: application servers take hosts 21 and up of the first subnet, which Elasticsearch nodes 11 and up would share; use at most 10 Elasticsearch nodes in a region with an application pool" },
        { "application", "port", 9200, "es-dr:application.port: 9200 is used by SSH, MySQL or Elasticsearch (and their health checks); pick another port" },
        { "application", "publicPort", 3306, "es-dr:application.publicPort: 3306 is MySQL's port (a HAProxy VM passes it to the region's database host); pick another port" },
        { "application", "publicPort", 70000, "es-dr:application.publicPort: must be a TCP port (1-65535), got 70000" },
        { "application", "healthPath", "/_health", "es-dr:application.healthPath: must be a path such as /healthz (letters, digits and / - % ? & = . only: what every balancer's check accepts), got '/_health'" },
        { "application", "healthPath", "healthz", "es-dr:application.healthPath: must be a path such as /healthz (letters, digits and / - % ? & = . only: what every balancer's check accepts), got 'healthz'" },
        { "application", "clientCidrs", new JsonArray("everyone"), "es-dr:application.clientCidrs[0]: must be an IPv4 network such as 0.0.0.0/0 or 198.51.100.0/24, got 'everyone': not a network address and prefix length (a.b.c.d/n)" },
        { "application", "cloudConfig", new JsonObject { ["package_update"] = false }, "es-dr:application.cloudConfig.package_update: is set by es-dr for every application server; remove it" },
        { "application", "cloudConfig", "packages: [x]", "es-dr:application.cloudConfig: must be an object, got 'packages: [x]'" },
        { "application", "cloudInitFile", "app.yaml", "es-dr:application.cloudInitFile: unknown key (expected one of: port, healthPath, publicPort, clientCidrs, cloudConfig)" },
    };

    [Theory]
    [MemberData(nameof(BadTiers))]
    public void Parse_BadTierConfig_ReportsTheExactErrorAtItsKeyPath(string key, string path, JsonNode? value, string expected)
    {
        var config = WithTiers().With(key, path, value?.DeepClone());

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }

    /// <summary>
    /// Behind HAProxy the pool is accepted where the servers have fixed private addresses (Linode, OVH) and refused on
    /// DigitalOcean, naming the region's key.
    /// </summary>
    [Fact]
    public void Parse_ApplicationBehindHaproxy_IsAcceptedOnLinodeAndOvh_AndRefusedOnDigitalOcean()
    {
        foreach (var (file, cloud) in new[] { ("stacks/Pulumi.linode-python-app.yaml", Cloud.Linode), ("stacks/Pulumi.ovh-haproxy.yaml", Cloud.Ovh) })
        {
            var stack = Repository.Load(file);
            var parsed = StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys);
            Assert.All(parsed.Regions, r => Assert.Equal((cloud, BalancerKind.HaProxy, true), (r.Cloud, r.LoadBalancer.Kind, r.Application is not null)));
        }

        var digitalOcean = Repository.Load("stacks/Pulumi.digitalocean.yaml");
        var config = digitalOcean.Config.ToDictionary(k => k.Key, k => k.Value)
            .With("regions", "[0].loadBalancer", new JsonObject { ["kind"] = "haproxy" });
        var error = Assert.Throws<InvalidConfigException>(() => StackConfigParser.Parse(TestConfig.Project, digitalOcean.Stack, config, digitalOcean.SecretKeys));

        Assert.Contains(
            "es-dr:regions[0].application: is not supported behind HAProxy on DigitalOcean (droplets have no fixed private address for HAProxy's config); use loadBalancer.kind: digitalocean",
            error.Errors.Select(e => e.ToString()));
    }

    public static TheoryData<string, string?, string> BadPlacements() => new()
    {
        // A region asks for a tier the stack does not declare, and the other way round.
        { "es-dr:database", null, "es-dr:regions[0].database: needs the stack-level es-dr:database (engine: mariadb or mysql)" },
        { "es-dr:application", null, "es-dr:regions[0].application: needs the stack-level es-dr:application (port, healthPath, publicPort)" },
    };

    [Theory]
    [MemberData(nameof(BadPlacements))]
    public void Parse_TierWithoutItsStackLevelKey_IsRefused(string key, string? value, string expected)
    {
        var config = WithTiers();
        if (value is null) config.Remove(key); else config[key] = value;

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_StackLevelTiersWithNoRegionUsingThem_AreRefused()
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:database"] = """{"engine":"mariadb"}""";
        config["es-dr:application"] = """{"port":8080}""";

        var errors = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config)).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains("es-dr:database: no region has a database host; add database: { size } to the active region (and to standbys for replicas)", errors);
        Assert.Contains("es-dr:application: no region has an application pool; add application: { nodes, size } to a region", errors);
    }

    [Fact]
    public void Parse_DatabaseOnOvh_IsAccepted()
    {
        var config = WithTiers().With("regions", "[1]", JsonNode.Parse("""
            {"name":"gra","cloud":"ovh","location":"GRA11","projectId":"p1","image":"img-1","state":"standby",
             "network":{"cidr":"10.60.0.0/24"},"elasticsearch":{"nodes":3,"size":"b3-16","memoryGb":16},"database":{"size":"b3-8"}}
            """));

        config["es-dr:deployKey"] = "SENTINEL-SECRET-deployKey";

        var parsed = StackConfigParser.Parse(TestConfig.Project, "test", config, ["es-dr:deployKey"]);

        Assert.Equal(Cloud.Ovh, parsed.Regions[1].Cloud);
        Assert.Equal("b3-8", parsed.Regions[1].Database!.Size);
    }

    public static TheoryData<string, string> BadAppNames() => new()
    {
        { "Www", "es-dr:dns.appName: must be one DNS label such as 'www' (the record is <appName>.<zone>), got 'Www'" },
        { "search", "es-dr:dns.appName: 'search' is already the search endpoint's name (dns.searchName)" },
    };

    [Theory]
    [MemberData(nameof(BadAppNames))]
    public void Parse_BadApplicationDnsName_IsRefused(string name, string expected)
    {
        var config = WithTiers();
        config["es-dr:dns"] = $$"""{"provider":"route53","zone":"example.com","zoneId":"Z123","appName":"{{name}}"}""";

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_ApplicationDnsNameWithoutAnApplication_IsRefused()
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:dns"] = """{"provider":"route53","zone":"example.com","zoneId":"Z123","appName":"www"}""";

        var error = Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config));

        Assert.Equal("es-dr:dns.appName: needs an application tier (es-dr:application and a region with application)", error.Errors.Single().ToString());
    }
}
