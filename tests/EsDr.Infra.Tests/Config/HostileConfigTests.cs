using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>
/// Config values that used to crash the compiler deep in rendering (issue 9's reproducers, named after it):
/// each is now refused by the parser or a config rule, naming its key path.
/// </summary>
public class HostileConfigTests
{
    private static Dictionary<string, string> Stack(string file) => Repository.Load(file).Config.ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Compiles the whole stack, so a crash anywhere in rendering fails the test, not only in the parser.</summary>
    private static List<string> Errors(Dictionary<string, string> config)
    {
        var e = Assert.Throws<InvalidConfigException>(() => StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, "test", config)));
        return e.Errors.Select(x => x.ToString()).ToList();
    }

    private static Dictionary<string, string> Set(Dictionary<string, string> config, string key, string path, JsonNode? value) =>
        config.With(key, path, value);

    [Fact]
    public void EmptyDuration_RedFor_IsRefusedAtItsKey()
    {
        var config = Set(Stack("Pulumi.prod.yaml"), "monitoring", "alerts.redFor", "");

        Assert.Equal(["es-dr:monitoring.alerts.redFor: must be a duration such as 90s, 5m or 1h, got ''"], Errors(config));
    }

    [Fact]
    public void ListKeyGivenAsScalar_CloudConfigRuncmd_IsRefusedAtItsKey()
    {
        var config = Set(Stack("Pulumi.dev.yaml"), "application", "cloudConfig", new JsonObject { ["runcmd"] = "echo hi" });

        Assert.Equal(["es-dr:application.cloudConfig.runcmd: must be a list (es-dr adds its items to its own), got 'echo hi'"], Errors(config));
    }

    [Fact]
    public void MoreRegionsThanTheLimit_WithMonitoring_IsRefusedAtTheRegionsKey()
    {
        var config = Stack("Pulumi.prod.yaml");
        var regions = (JsonArray)JsonNode.Parse(config["es-dr:regions"])!;
        var template = regions[1]!;
        for (var i = regions.Count; i <= ConfigRules.MaxRegions; i++)
        {
            var region = template.DeepClone();
            region["name"] = $"r{i}";
            region["location"] = $"location-{i}";
            region["network"]!["cidr"] = $"10.{100 + i}.0.0/16";
            regions.Add(region);
        }
        config["es-dr:regions"] = regions.ToJsonString();

        Assert.Equal([$"es-dr:regions: must list at most {ConfigRules.MaxRegions} regions, got {ConfigRules.MaxRegions + 1}"], Errors(config));
    }

    [Theory]
    [InlineData("ssh", "allowedCidrs", "203.0.113.0/24", "203.0.113.0/+24")]
    [InlineData("ssh", "allowedCidrs", "203.0.113.0/24", "203.0.113.0/24")]
    [InlineData("deployer", "cidrs", "192.0.2.10/32", "192.0.2.10/+32")]
    [InlineData("application", "clientCidrs", "0.0.0.0/0", "0.0.0.0/+0")]
    public void DuplicateCidrsAfterNormalisation_AreRefusedAtTheSecond(string key, string list, string first, string second)
    {
        var config = Stack("Pulumi.prod.yaml");
        config["es-dr:deployer"] = """{"cidrs":["192.0.2.10/32"]}""";
        Set(config, key, list, new JsonArray(first, second));

        // Whichever rule refuses the second spelling (a duplicate, or a non-canonical CIDR), it is named at its key.
        var error = Assert.Single(Errors(config));
        Assert.StartsWith($"es-dr:{key}.{list}[1]: ", error, StringComparison.Ordinal);
        Assert.Contains($"'{second}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\u0001", "U+0001")]
    [InlineData("\u001b[31m", "U+001B")]
    [InlineData("\t", "U+0009")]
    [InlineData("\n", "U+000A")]
    [InlineData("\u007f", "U+007F")]
    [InlineData("\u0085", "U+0085")]
    [InlineData("\u2028", "U+2028")]
    [InlineData("\ufeff", "U+FEFF")]
    [InlineData("\uffff", "U+FFFF")]
    public void ControlCharacterInAString_IsRefusedNamingTheKey(string character, string codePoint)
    {
        var config = Set(Stack("Pulumi.dev.yaml"), "tags", "env", $"d{character}ev");

        Assert.Equal([$"es-dr:tags.env: holds the non-printable character {codePoint}; config strings are single lines of printable text"], Errors(config));
    }

    [Fact]
    public void ControlCharacterInAKey_IsRefusedWithTheCharacterEscaped()
    {
        var config = Stack("Pulumi.dev.yaml");
        config["es-dr:tags"] = "{\"e\\u001bnv\":\"dev\"}";

        Assert.Equal(["es-dr:tags.e\\u001Bnv: the key holds the non-printable character U+001B; config strings are single lines of printable text"], Errors(config));
    }

    [Fact]
    public void ControlCharacterInATopLevelValue_IsRefusedNamingTheKey()
    {
        var config = Stack("Pulumi.dev.yaml");
        config["es-dr:namePrefix"] = "dev\r";

        Assert.Equal(["es-dr:namePrefix: holds the non-printable character U+000D; config strings are single lines of printable text"], Errors(config));
    }

    [Fact]
    public void UnknownKeyHoldingAnEscapeSequence_IsReportedEscaped_SoItCannotDriveTheTerminal()
    {
        var config = Stack("Pulumi.dev.yaml");
        config["es-dr:\u001b[2J\u001b[31mok"] = "x";

        var error = Assert.Single(Errors(config));

        Assert.StartsWith("es-dr:\\u001B[2J\\u001B[31mok: unknown key", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error);
    }

    [Fact]
    public void NewlinesAndTabsInCloudConfig_AreFileContentAndAccepted()
    {
        var config = Set(Stack("Pulumi.dev.yaml"), "application", "cloudConfig", new JsonObject
        {
            ["write_files"] = new JsonArray(new JsonObject { ["path"] = "/etc/app.conf", ["content"] = "a = 1\n\tb = 2\n" }),
        });

        var compiled = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, "test", config));

        Assert.Empty(compiled.Problems);
    }

    [Fact]
    public void OtherControlCharactersInCloudConfig_AreRefused()
    {
        var config = Set(Stack("Pulumi.dev.yaml"), "application", "cloudConfig", new JsonObject { ["runcmd"] = new JsonArray("echo \u0007") });

        Assert.Equal(["es-dr:application.cloudConfig.runcmd[0]: holds the non-printable character U+0007; cloud-config strings are printable text, tabs and newlines"], Errors(config));
    }

    [Fact]
    public void LoneSurrogateInAStructuredValue_IsRefusedNamingTheKey()
    {
        var config = Stack("Pulumi.dev.yaml");
        config["es-dr:tags"] = """{"env":"d\ud800ev"}""";

        Assert.Equal(["es-dr:tags.env: is not valid UTF-16 text (a lone surrogate)"], Errors(config));
    }

    [Fact]
    public void LoneSurrogateInATopLevelValue_IsRefusedNamingTheKey()
    {
        var config = Stack("Pulumi.dev.yaml");
        config["es-dr:namePrefix"] = "dev\ud800";

        Assert.Equal(["es-dr:namePrefix: is not valid UTF-16 text (a lone surrogate)"], Errors(config));
    }

    [Fact]
    public void DuplicateKeysInAStructuredValue_AreRefusedNamingTheKey()
    {
        var config = Stack("Pulumi.dev.yaml");
        config["es-dr:tags"] = """{"env":"dev","env":"prod"}""";

        var error = Assert.Single(Errors(config));

        Assert.StartsWith("es-dr:tags: is not valid structured config: ", error, StringComparison.Ordinal);
        Assert.Contains("'env'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9210, "the HAProxy VM's cluster port")]
    [InlineData(8404, "the HAProxy VM's health endpoint")]
    [InlineData(9200, "Elasticsearch's HTTP port")]
    [InlineData(9300, "Elasticsearch's transport port")]
    public void PublicPortTakenOnTheBalancer_IsRefusedNamingWhatUsesIt(int port, string user)
    {
        var config = Set(Stack("stacks/Pulumi.ovh-haproxy.yaml"), "application", "publicPort", port);

        Assert.Equal([$"es-dr:application.publicPort: {port} is {user}; pick another port"], Errors(config));
    }

    [Theory]
    [InlineData("198.51.100.10/32")]
    [InlineData("eu_west_1a")]
    [InlineData("EU-WEST-1A")]
    [InlineData("10")]
    public void ZoneThatIsNotAName_IsRefusedBeforeItNamesASubnet(string zone)
    {
        // Found by the fuzz suite: the zone names the subnet's resources, and '.' broke every reference to them.
        var config = Set(Stack("stacks/Pulumi.aws.yaml"), "regions", "[0].zones[2]", zone);

        Assert.Equal([$"es-dr:regions[0].zones[2]: {ZoneMessage(zone)}"], Errors(config));
    }

    [Fact]
    public void MonitoringZoneThatIsNotAName_IsRefusedBeforeItNamesTheSitesSubnet()
    {
        var config = Set(Stack("stacks/Pulumi.ovh-haproxy.yaml"), "monitoring", "zone", "example.com");

        Assert.Equal([$"es-dr:monitoring.zone: {ZoneMessage("example.com")}"], Errors(config));
    }

    private static string ZoneMessage(string zone) =>
        $"must be an availability zone such as eu-west-1a (a lowercase letter, then letters, digits and '-', at most 32), got '{zone}'";

    [Fact]
    public void DurationBeyondAWeek_IsRefusedInsteadOfOverflowing()
    {
        var config = Set(Stack("Pulumi.prod.yaml"), "monitoring", "alerts.redFor", "2147483647h");

        Assert.Equal(["es-dr:monitoring.alerts.redFor: must be at most 7 days (168h), got '2147483647h'"], Errors(config));
    }

    [Fact]
    public void MergeKeyAsATagValue_IsEmittedQuoted()
    {
        // A size is a name and refuses '<<'; a tag is free text, and YAML would read it unquoted as a merge key.
        var config = Stack("Pulumi.prod.yaml");
        config["es-dr:tags"] = """{"env":"<<"}""";

        var yaml = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, "test", config)).Yaml;

        Assert.Contains("env: \"<<\"", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("env: <<", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeKeyAsMonitoringSize_IsRefusedNamingTheKey() =>
        Assert.Equal(["es-dr:monitoring.size: must be a name such as eu-west-1, t3.medium or linode/debian12 (letters, digits and . _ - / : + @ only), got '<<'"],
            Errors(Set(Stack("Pulumi.prod.yaml"), "monitoring", "size", "<<")));
}
