using System.Text.Json.Nodes;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>Every VM's user-data fits its cloud's limit once Pulumi resolves it; a config whose user-data cannot fit is refused.</summary>
public class UserDataBudgetTests
{
    public static TheoryData<string> Stacks() => Repository.StackFileData();

    private static readonly string[] VmTypes =
        ["aws:ec2/instance:Instance", "linode:index/instance:Instance", "digitalocean:index/droplet:Droplet", "ovh:CloudProject/instance:Instance"];

    private static StackCompilation Compile(string file)
    {
        var stack = Repository.Load(file);
        return Compile(stack.Config.ToDictionary(), stack);
    }

    private static StackCompilation Compile(Dictionary<string, string> config, StackFile stack) =>
        StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, config, stack.SecretKeys));

    /// <summary>
    /// The AWS example stack with application servers whose own cloud-config carries a command of 16 000 characters:
    /// nothing compresses a command, so their user-data cannot fit AWS's 16 KB.
    /// </summary>
    internal static Dictionary<string, string> AwsStackWithOversizedApplicationCloudConfig()
    {
        var config = Repository.Load("stacks/Pulumi.aws.yaml").Config.ToDictionary();
        return config.With("application", "cloudConfig", new JsonObject { ["runcmd"] = new JsonArray("echo " + new string('x', 16_000)) });
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void Compile_EveryVmOfEveryStack_UserDataFitsItsCloudsLimit(string file)
    {
        var compiled = Compile(file);

        Assert.Equal(compiled.Program.Resources.Count(r => VmTypes.Contains(r.Type)), compiled.UserData.Count);
        Assert.All(compiled.UserData, s => Assert.True(s.Fits, $"{s.Vm}: {s.Bound} bytes, over {s.Limit}"));
    }

    [Theory]
    [InlineData("stacks/Pulumi.aws.yaml")]
    [InlineData("stacks/Pulumi.ovh-haproxy.yaml")]
    public void Compile_AwsMonitoringHost_UserDataFitsAwsLimit(string file)
    {
        var compiled = Compile(file);

        var host = Assert.Single(compiled.UserData, s => s.Vm == MonitoringSite.HostLogicalName);
        Assert.Equal("AWS", host.Limit.Cloud);
        Assert.InRange(host.Bound, 1, 16_384);
    }

    [Fact]
    public void Compile_ApplicationCloudConfigTooLargeForAws_IsRefusedNamingEachVmItsBoundAndTheLimit()
    {
        var stack = Repository.Load("stacks/Pulumi.aws.yaml");

        var refused = Assert.Throws<InvalidConfigException>(() => Compile(AwsStackWithOversizedApplicationCloudConfig(), stack));

        Assert.Equal(
            [
                "use1-app-1: user-data can reach 19831 bytes once Pulumi fills in what is known only at deploy time, over AWS's limit of 16384 bytes (raw, before base64), even with its files known at compile time written compressed",
                "use1-app-2: user-data can reach 19831 bytes once Pulumi fills in what is known only at deploy time, over AWS's limit of 16384 bytes (raw, before base64), even with its files known at compile time written compressed",
                "usw2-app-1: user-data can reach 19782 bytes once Pulumi fills in what is known only at deploy time, over AWS's limit of 16384 bytes (raw, before base64), even with its files known at compile time written compressed",
            ],
            refused.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void TooLarge_OnACloudCountingBase64_NamesTheEncodedSizeToo()
    {
        var size = new UserDataSize("gra-db", new UserDataLimit("OVH", 65_535, UserDataCount.Base64, "base64-encoded"), 50_000);

        Assert.Equal(
            "gra-db: user-data can reach 50000 bytes (66668 base64-encoded) once Pulumi fills in what is known only at deploy time, over OVH's limit of 65535 bytes (base64-encoded)",
            size.TooLarge(compressed: false).ToString());
    }
}
