using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Config;

/// <summary>A stack of several regions with a HAProxy region needs the secret <c>deployKey</c> to push its config: its program declares it.</summary>
public class DeployKeyRuleTests
{
    private const string HaproxyRegion = """
        {"name":"ams","cloud":"digitalocean","location":"ams3","state":"standby","network":{"cidr":"10.30.0.0/24"},
         "dnsZone":"es.example.com","elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":60},"loadBalancer":{"kind":"haproxy"}}
        """;

    private static Dictionary<string, string> TwoRegionsOneHaproxy() => TestConfig.TwoRegions().With("regions", "[1]", JsonNode.Parse(HaproxyRegion));

    [Fact]
    public void MultiRegionStackWithHaproxy_WithoutDeployKey_Compiles_AndItsProgramDeclaresTheKeySecretForPulumiToRequire()
    {
        // Without a default, pulumi-yaml stops the run on it: "missing required configuration variable 'deployKey'"
        // (pkg/pulumiyaml/run.go registerConfig, config.Try); `es-dr show` says how to set it.
        var compiled = StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, "test", TwoRegionsOneHaproxy(), []));

        var declared = Assert.IsType<PMap>(compiled.Program.Config[ProgramSecrets.DeployKey]);
        Assert.Equal(true, declared["secret"]);
        Assert.False(declared.ContainsKey("default"));
        Assert.DoesNotContain(ProgramSecrets.DeployKey, compiled.Config.SecretsSet);
    }

    [Fact]
    public void MultiRegionStackWithHaproxy_WithASecretDeployKey_IsAccepted()
    {
        var config = TwoRegionsOneHaproxy();
        config["es-dr:deployKey"] = "SENTINEL-SECRET-deployKey";

        var parsed = StackConfigParser.Parse(TestConfig.Project, "test", config, ["es-dr:deployKey"]);

        Assert.Contains(ProgramSecrets.DeployKey, parsed.SecretsSet);
        Assert.Empty(parsed.SecretsInPlainText);
    }

    [Fact]
    public void MultiRegionStackWithHaproxy_WithADeployKeyInPlainText_IsAcceptedAndNotedAsPlainText()
    {
        var config = TwoRegionsOneHaproxy();
        config["es-dr:deployKey"] = "-----BEGIN OPENSSH PRIVATE KEY-----";

        var parsed = StackConfigParser.Parse(TestConfig.Project, "test", config, []);

        Assert.Equal([ProgramSecrets.DeployKey], parsed.SecretsInPlainText);
        Assert.DoesNotContain("BEGIN OPENSSH", parsed.ToString(), StringComparison.Ordinal);
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
        Assert.False(StackCompilation.Compile(parsed).Program.Config.ContainsKey(ProgramSecrets.DeployKey));
        Assert.False(StackCompilation.Compile(TestConfig.Parse()).Program.Config.ContainsKey(ProgramSecrets.DeployKey));
    }
}
