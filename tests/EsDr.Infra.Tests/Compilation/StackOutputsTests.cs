using EsDr.Infra.Compilation;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>The outputs recovery reads: the one secret <c>credentials</c> output and the stack's CA.</summary>
public class StackOutputsTests
{
    [Fact]
    public void Credentials_IsOneSecretOutput_InterpolatingEachRegionsGeneratedPassword()
    {
        var (_, program, _) = StackCompiler.Default().Compile(TestConfig.Parse());

        var secret = Assert.IsType<PMap>(program.Outputs["credentials"]);
        var inner = Assert.IsType<PMap>(Assert.Single(secret, kv => kv.Key == "fn::secret").Value);
        var regions = Assert.IsType<PMap>(inner["regions"]);
        Assert.Equal(["fra", "dub"], regions.Select(kv => kv.Key));
        foreach (var (region, value) in regions)
        {
            var password = (string)((PMap)value)["elasticPassword"];
            Assert.Matches(@"^\$\{[a-z0-9-]+-elastic-password\.result\}$", password);
            var resource = password[2..^".result}".Length];
            Assert.Equal("random:index/randomPassword:RandomPassword", program.Resources.Single(r => r.Name == resource).Type);
        }
    }

    [Fact]
    public void CaCertificate_IsThePublicCertOfTheStackCa() =>
        Assert.Equal("${es-ca-cert.certPem}", StackCompiler.Default().Compile(TestConfig.Parse()).Program.Outputs["caCertificate"]);

    [Theory]
    [InlineData("stacks/Pulumi.linode-python-app.yaml", "atl")]
    [InlineData("stacks/Pulumi.ovh-haproxy.yaml", "sbg")]
    public void PushedHaproxyRegion_BalancerResources_IncludeItsConfigPush(string file, string region)
    {
        // A failover leaves the lost region's balancer resources alone: its push would SSH into the dead VM.
        var stack = Repository.Load(file);
        var program = StackCompilation.Compile(EsDr.Infra.Config.StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys)).Program;

        var balancer = (PMap)((PMap)((PMap)program.Outputs["regions"])[region])["balancer"];

        Assert.Contains($"{region}-lb-config-push", (IEnumerable<string>)balancer["resources"]);
        Assert.Contains(program.Resources, r => r.Name == $"{region}-lb-config-push");
    }

    [Fact]
    public void CloudBalancerRegion_HasNoConfigPushAmongItsResources()
    {
        var balancer = (PMap)((PMap)((PMap)StackCompiler.Default().Compile(TestConfig.Parse()).Program.Outputs["regions"])["fra"])["balancer"];

        Assert.DoesNotContain((IEnumerable<string>)balancer["resources"], r => r.EndsWith("-config-push", StringComparison.Ordinal));
    }
}
