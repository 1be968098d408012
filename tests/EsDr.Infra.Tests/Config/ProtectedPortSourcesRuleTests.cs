using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>
/// <c>elasticsearch.clientCidrs</c>, <c>ssh.allowedCidrs</c> and <c>deployer.cidrs</c> reach a data port or SSH: every
/// network is spelled canonically, and what a port admits covers at most one /8 of public address space, however it
/// is written.
/// </summary>
public class ProtectedPortSourcesRuleTests
{
    private const string OverOneSlash8 = "more than the 16,777,216 public addresses (one /8) a data port or SSH may be opened to";

    private static List<string> Refusals(Dictionary<string, string> config) =>
        Assert.Throws<InvalidConfigException>(() => TestConfig.Parse(config)).Errors.Select(e => e.ToString()).ToList();

    private static Dictionary<string, string> With(string key, string path, params string[] cidrs) =>
        TestConfig.TwoRegions().With(key, path, new JsonArray([.. cidrs.Select(c => JsonValue.Create(c))]));

    public static TheoryData<string, string> SourceKeys() => new()
    {
        { "elasticsearch", "clientCidrs" },
        { "ssh", "allowedCidrs" },
        { "deployer", "cidrs" },
    };

    [Theory]
    [MemberData(nameof(SourceKeys))]
    public void TwoHalvesOfTheInternet_AreRefusedLikeSlashZero(string key, string path)
    {
        var errors = Refusals(With(key, path, "0.0.0.0/1", "128.0.0.0/1"));

        Assert.Equal(2, errors.Count);
        Assert.StartsWith($"es-dr:{key}.{path}[0]: '0.0.0.0/1' admits 2,092,957,696 public addresses to ", errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"es-dr:{key}.{path}[1]: '128.0.0.0/1' admits 1,609,300,992 public addresses to ", errors[1], StringComparison.Ordinal);
        Assert.All(errors, e => Assert.Contains(OverOneSlash8, e, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SourceKeys))]
    public void ManySmallNetworks_AreMeasuredTogether(string key, string path)
    {
        // 256 /16s of 11/8 are one /8; one more /16 makes them more.
        var cidrs = Enumerable.Range(0, 256).Select(i => $"11.{i}.0.0/16").Append("12.0.0.0/16").ToArray();

        var error = Assert.Single(Refusals(With(key, path, cidrs)));

        Assert.StartsWith($"es-dr:{key}.{path}: together admits 16,842,752 public addresses to ", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SourceKeys))]
    public void OneSlash8OfPublicSpace_AndAnyPrivateSpace_AreAccepted(string key, string path)
    {
        var config = TestConfig.Parse(With(key, path, "17.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"));

        Assert.NotNull(config);
    }

    [Fact]
    public void ClientsAndDeployer_ShareTheRegionalEndpoint_SoTheirUnionIsMeasured()
    {
        var config = With("elasticsearch", "clientCidrs", "17.0.0.0/8").With("deployer", "cidrs", new JsonArray("18.0.0.0/8"));

        var error = Assert.Single(Refusals(config));

        Assert.Equal(
            "es-dr:elasticsearch.clientCidrs: with deployer.cidrs admits 33,554,432 public addresses to Elasticsearch (9200), "
            + OverOneSlash8 + "; list the networks of your clients",
            error);
    }

    [Theory]
    [InlineData("010.0.0.0/8", "'010' is not a number from 0 to 255 written without leading zeros")]
    [InlineData("0.0.0.0/+0", "'+0' is not a prefix length from 0 to 32 written as a plain number")]
    [InlineData("198.51.100.7/24", "host bits are set; the network is 198.51.100.0/24")]
    public void NonCanonicalSpelling_IsRefusedSayingWhy(string cidr, string problem)
    {
        var error = Assert.Single(Refusals(With("elasticsearch", "clientCidrs", cidr)));

        Assert.Equal($"es-dr:elasticsearch.clientCidrs[0]: must be an IPv4 network such as 198.51.100.0/24, got '{cidr}': {problem}", error);
    }

    [Fact]
    public void ApplicationClients_MayStillBeTheWholeInternet()
    {
        var config = TestConfig.TwoRegions();
        config["es-dr:application"] = """{"clientCidrs":["0.0.0.0/0"]}""";
        config = config.With("regions", "[0].application", new JsonObject { ["nodes"] = 1, ["size"] = "g6-standard-1" });

        Assert.Equal(["0.0.0.0/0"], TestConfig.Parse(config).Application!.ClientCidrs);
    }
}
