using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>A stack of several regions with a HAProxy region needs the secret <c>deployKey</c> to push its config.</summary>
public class DeployKeyRuleTests
{
    private const string HaproxyRegion = """
        {"name":"ams","cloud":"digitalocean","location":"ams3","state":"standby","network":{"cidr":"10.30.0.0/24"},
         "dnsZone":"es.example.com","elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":60},"loadBalancer":{"kind":"haproxy"}}
        """;

    private static Dictionary<string, string> TwoRegionsOneHaproxy() => TestConfig.TwoRegions().With("regions", "[1]", JsonNode.Parse(HaproxyRegion));

    [Fact]
    public void MultiRegionStackWithHaproxy_WithoutDeployKey_IsRefusedNamingTheKeyAndTheRegions()
    {
        var error = Assert.Throws<InvalidConfigException>(() => StackConfigParser.Parse(TestConfig.Project, "test", TwoRegionsOneHaproxy(), []));

        var only = Assert.Single(error.Errors);
        Assert.Equal("es-dr:deployKey", only.Path);
        Assert.Contains("HAProxy in ams", only.Message, StringComparison.Ordinal);
        Assert.Contains("pulumi config set --secret deployKey", only.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiRegionStackWithHaproxy_WithASecretDeployKey_IsAccepted()
    {
        var config = TwoRegionsOneHaproxy();
        config["es-dr:deployKey"] = "SENTINEL-SECRET-deployKey";

        var parsed = StackConfigParser.Parse(TestConfig.Project, "test", config, ["es-dr:deployKey"]);

        Assert.Contains(ProgramSecrets.DeployKey, parsed.SecretsSet);
    }

    [Fact]
    public void MultiRegionStackWithHaproxy_WithADeployKeyInPlainText_IsRefused()
    {
        var config = TwoRegionsOneHaproxy();
        config["es-dr:deployKey"] = "-----BEGIN OPENSSH PRIVATE KEY-----";

        var error = Assert.Throws<InvalidConfigException>(() => StackConfigParser.Parse(TestConfig.Project, "test", config, []));

        Assert.Equal("es-dr:deployKey", Assert.Single(error.Errors).Path);
        Assert.DoesNotContain("BEGIN OPENSSH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StacksWithoutHaproxy_OrWithOneRegion_NeedNoDeployKey()
    {
        StackConfigParser.Parse(TestConfig.Project, "test", TestConfig.TwoRegions(), []);
        var single = TwoRegionsOneHaproxy();
        single["es-dr:regions"] = $"[{HaproxyRegion.Replace("standby", "active", StringComparison.Ordinal)}]";
        single["es-dr:activeRegion"] = "ams";

        var parsed = StackConfigParser.Parse(TestConfig.Project, "test", single, []);

        Assert.Single(parsed.Regions);
    }
}
