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
}
