using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

public class MonitoringConfigTests
{
    private const string Token = "es-dr:alertWebhookToken";

    /// <summary>The two-region test config with a Linode monitoring host in Amsterdam and its token set (as a secret).</summary>
    private static Dictionary<string, string> Monitored() => new(TestConfig.TwoRegions())
    {
        ["es-dr:monitoring"] = """
            {"cloud":"linode","location":"nl-ams","size":"g6-standard-1","network":{"cidr":"10.90.0.0/24"},
             "webhookUrl":"https://recovery.example.com/alerts","alerts":{"yellowFor":"15m","ccrLagOperations":500,"probeFor":"90s"}}
            """,
        [Token] = "SENTINEL-SECRET-token",
    };

    private static StackConfig Parse(Dictionary<string, string> config) =>
        StackConfigParser.Parse(TestConfig.Project, "test", config, config.ContainsKey(Token) ? [Token] : []);

    [Fact]
    public void Parse_Monitoring_ReadsEveryFieldAndMapsTheThresholds()
    {
        var m = Parse(Monitored()).Monitoring!;

        Assert.Equal(Cloud.Linode, m.Cloud);
        Assert.Equal("nl-ams", m.Location);
        Assert.Equal("10.90.0.0/24", m.NetworkCidr);
        Assert.Equal("https://recovery.example.com/alerts", m.WebhookUrl);
        Assert.Equal("http://127.0.0.1:9093", m.AlertmanagerUrl); // recovery runs on the monitoring host
        var thresholds = Infra.Compilation.MonitoringSite.Thresholds(m.Thresholds);
        Assert.Equal(TimeSpan.FromMinutes(15), thresholds.YellowFor);
        Assert.Equal(500, thresholds.CcrLagOperations);
        Assert.Equal(TimeSpan.FromSeconds(90), thresholds.ProbeFor);
        Assert.Equal(new Infra.Renderers.Monitoring.AlertThresholds().RedFor, thresholds.RedFor);
    }

    [Fact]
    public void Parse_AlertmanagerUrl_IsReadAsGiven()
    {
        var config = Monitored().With("monitoring", "alertmanagerUrl", "https://alertmanager.example.com:9093");

        Assert.Equal("https://alertmanager.example.com:9093", Parse(config).Monitoring!.AlertmanagerUrl);
    }

    [Fact]
    public void Compile_MonitoringWithoutTheWebhookToken_DeclaresItSecretForPulumiToRequire()
    {
        var config = Monitored();
        config.Remove(Token);

        var compiled = Infra.Compilation.StackCompilation.Compile(Parse(config));

        var declared = Assert.IsType<Infra.Program.PMap>(compiled.Program.Config[ProgramSecrets.AlertWebhookToken]);
        Assert.Equal(true, declared["secret"]);
        Assert.False(declared.ContainsKey("default"));
    }

    [Fact]
    public void Parse_WebhookTokenLongerThanItsMaximum_IsRefusedByItsLengthAlone()
    {
        var config = Monitored();
        config[Token] = new string('t', 200) + new string('é', 30);

        var error = Assert.Throws<InvalidConfigException>(() => Parse(config));

        Assert.Equal(
            "es-dr:alertWebhookToken: must be at most 256 bytes (it is written into the monitoring host's user-data, whose size is limited), got 260",
            error.Errors.Single().ToString());
    }

    [Fact]
    public void Parse_WebhookTokenOfTheMaximumLength_IsAccepted()
    {
        var config = Monitored();
        config[Token] = new string('t', ProgramSecrets.AlertWebhookTokenMaxBytes);

        Assert.NotNull(Parse(config).Monitoring);
    }

    public static TheoryData<string, JsonNode?, string> BadMonitoring() => new()
    {
        { "location", "eu-central", "es-dr:monitoring.location: 'eu-central' is where region 'fra' runs; monitoring must be in a location outside every Elasticsearch region to see that region's loss" },
        { "location", null, "es-dr:monitoring.location: is required" },
        { "cloud", "digitalocean", "es-dr:monitoring.cloud: the monitoring host runs on linode or aws (a reserved public address that its outbound traffic leaves from), not 'digitalocean'" },
        { "cloud", "gcp", "es-dr:monitoring.cloud: must be one of linode, digitalocean, aws, ovh, got 'gcp'" },
        { "network", new JsonObject { ["cidr"] = "10.10.0.0/24" }, "es-dr:monitoring.network.cidr: overlaps regions[0].network.cidr (10.10.0.0/24); the monitoring site needs its own address space" },
        { "network", new JsonObject { ["cidr"] = "198.51.100.0/24" }, "es-dr:monitoring.network.cidr: must be private address space (10/8, 172.16/12, 192.168/16), got '198.51.100.0/24'" },
        { "webhookUrl", "http://recovery.example.com/alerts", "es-dr:monitoring.webhookUrl: must be the recovery program's https:// alert endpoint without credentials (the bearer token is sent from es-dr:alertWebhookToken), got 'http://recovery.example.com/alerts'" },
        { "webhookUrl", "https://user:pw@recovery.example.com/alerts", "es-dr:monitoring.webhookUrl: must be the recovery program's https:// alert endpoint without credentials (the bearer token is sent from es-dr:alertWebhookToken), got 'https://user:pw@recovery.example.com/alerts'" },
        { "recoveryMetricsAddress", "recovery.example.com:9464", "es-dr:monitoring.recoveryMetricsAddress: no longer read: Prometheus scrapes the recovery program's /metrics beside monitoring.webhookUrl (same scheme, host and port, path …/metrics), where watch and serve serve it on their --listen; remove this key" },
        { "alertmanagerUrl", "alertmanager:9093", "es-dr:monitoring.alertmanagerUrl: must be Alertmanager's http:// or https:// base URL without credentials, query or fragment, got 'alertmanager:9093'" },
        { "alertmanagerUrl", "https://u:p@alertmanager.example.com:9093", "es-dr:monitoring.alertmanagerUrl: must be Alertmanager's http:// or https:// base URL without credentials, query or fragment, got 'https://u:p@alertmanager.example.com:9093'" },
        { "zone", "eu-central-1a", "es-dr:monitoring.zone: linode has no availability zones; remove the key" },
        { "size", null, "es-dr:monitoring.size: is required" },
        { "alerts", new JsonObject { ["yellowFor"] = "half an hour" }, "es-dr:monitoring.alerts.yellowFor: must be a duration such as 90s, 5m or 1h, got 'half an hour'" },
        { "alerts", new JsonObject { ["ccrLagOperations"] = 0 }, "es-dr:monitoring.alerts.ccrLagOperations: must be at least 1, got 0" },
        { "alerts", new JsonObject { ["replicaLag"] = 5 }, "es-dr:monitoring.alerts.replicaLag: unknown key (expected one of: redFor, yellowFor, nodesMissingFor, ccrLagOperations, ccrLagFor, replicaLagSeconds, replicaLagFor, probeFor)" },
        { "clod", "aws", "es-dr:monitoring.clod: unknown key (expected one of: cloud, location, size, image, zone, network, webhookUrl, alertmanagerUrl, alerts)" },
    };

    [Theory]
    [MemberData(nameof(BadMonitoring))]
    public void Parse_BadMonitoring_ReportsTheExactErrorAtItsKeyPath(string path, JsonNode? value, string expected)
    {
        var config = Monitored().With("monitoring", path, value?.DeepClone());

        var error = Assert.Throws<InvalidConfigException>(() => Parse(config));

        Assert.Contains(expected, error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_AwsMonitoringWithoutImageOrZone_NamesBoth()
    {
        var config = Monitored().With("monitoring", "cloud", "aws").With("monitoring", "location", "eu-north-1");

        var error = Assert.Throws<InvalidConfigException>(() => Parse(config));

        Assert.Contains("es-dr:monitoring.image: an AWS monitoring host needs the id of a Debian 12 AMI in monitoring.location (ami-…)", error.Errors.Select(e => e.ToString()));
        Assert.Contains("es-dr:monitoring.zone: an AWS monitoring host needs the availability zone of its subnet, e.g. eu-north-1a", error.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_MonitoringLocation_ClashesOnlyWithRegionsOfTheSameCloud()
    {
        // AWS eu-west-1 hosts region dub; AWS eu-north-1 hosts none (Linode eu-central, fra, is another cloud).
        var config = Monitored().With("monitoring", "cloud", "aws").With("monitoring", "location", "eu-west-1")
            .With("monitoring", "zone", "eu-west-1a").With("monitoring", "image", "ami-0123456789abcdef0");

        var error = Assert.Throws<InvalidConfigException>(() => Parse(config));

        Assert.Contains("es-dr:monitoring.location: 'eu-west-1' is where region 'dub' runs; monitoring must be in a location outside every Elasticsearch region to see that region's loss",
            error.Errors.Select(e => e.ToString()));
        Assert.NotNull(Parse(config.With("monitoring", "location", "eu-north-1").With("monitoring", "zone", "eu-north-1a")).Monitoring);
    }

    [Fact]
    public void Parse_RegionNamedLikeTheMonitoringSite_IsRefused()
    {
        var config = Monitored().With("regions", "[1].name", "monitoring");

        var error = Assert.Throws<InvalidConfigException>(() => Parse(config));

        Assert.Contains("es-dr:regions[1].name: 'monitoring' names the monitoring site's resources; choose another region name", error.Errors.Select(e => e.ToString()));
    }
}
