using EsDr.Infra.Compilation;
using EsDr.Infra.Renderers;
using EsDr.Infra.Tests.Renderers;
using static EsDr.Infra.Tests.Compilation.DatabaseTierTests;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>User-data stays readable where it fits; only a VM that does not fit as rendered gets its compile-time files compressed.</summary>
public class UserDataDeliveryTests
{
    private const string CompressedSuffix = " (in user-data as gz+b64)";

    [Fact]
    public void Compile_AwsStack_CompressesOnlyTheMonitoringHost()
    {
        var compiled = Compile("stacks/Pulumi.aws.yaml");

        Assert.Equal([MonitoringSite.HostLogicalName], compiled.Topology.CompressedUserData);
        var userData = compiled.Files.Where(f => f.Path == UserDataDelivery.RenderedPath).ToList();
        Assert.Equal(14, userData.Count);
        Assert.All(userData.Where(f => f.Region != MonitoringSite.Key), f => Assert.DoesNotContain(CloudConfigCompression.Encoding, f.Text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Pulumi.prod.yaml")]
    [InlineData("stacks/Pulumi.linode-shop.yaml")]
    public void Compile_StackWhoseUserDataFits_CompressesNothing(string file)
    {
        var compiled = Compile(file);

        Assert.Empty(compiled.Topology.CompressedUserData);
        Assert.DoesNotContain(compiled.Files, f => f.Text.Contains(CloudConfigCompression.Encoding, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("stacks/Pulumi.aws.yaml")]
    [InlineData("stacks/Pulumi.ovh-haproxy.yaml")]
    public async Task Compile_AwsMonitoringHost_CloudInitWritesEachCompressedFileAsShown(string file)
    {
        var compiled = Compile(file);
        var host = compiled.Files.Where(f => f.Region == MonitoringSite.Key).ToList();
        var shown = host.Where(f => f.Path.EndsWith(CompressedSuffix, StringComparison.Ordinal))
            .ToDictionary(f => f.Path[..^CompressedSuffix.Length], f => f.Text);

        var written = await CloudConfigCompressionTests.WrittenByCloudInit(Assert.Single(host, f => f.Path == UserDataDelivery.RenderedPath).Text);

        Assert.Contains("/etc/prometheus/esdr-rules.yml", shown.Keys);
        Assert.All(shown, f => Assert.Equal(f.Value, written[f.Key]));
    }
}
