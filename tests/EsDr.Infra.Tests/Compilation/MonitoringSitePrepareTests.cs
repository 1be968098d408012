using EsDr.Infra.Clouds;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>The first half of the monitoring site: its network and reserved address, before any region exists.</summary>
public class MonitoringSitePrepareTests
{
    private static StackConfig Config(Cloud cloud)
    {
        var flat = new Dictionary<string, string>(TestConfig.TwoRegions())
        {
            ["es-dr:monitoring"] = """
                {"cloud":"aws","location":"eu-north-1","zone":"eu-north-1a","image":"ami-0123456789abcdef0","size":"t3.small",
                 "network":{"cidr":"10.90.0.0/24"},"webhookUrl":"https://recovery.example.com/alerts"}
                """,
            ["es-dr:alertWebhookToken"] = "x",
        };
        var config = StackConfigParser.Parse(TestConfig.Project, "test", flat, ["es-dr:alertWebhookToken"]);
        return config with { Monitoring = config.Monitoring! with { Cloud = cloud, Zone = cloud == Cloud.Aws ? "eu-north-1a" : null } };
    }

    private static (PulumiProgram Program, MonitoringSite Site) Prepare(Cloud cloud)
    {
        var config = Config(cloud);
        var program = new PulumiProgram(config.Project);
        var site = MonitoringSite.Prepare(TopologyBuilder.Build(config), program, CloudAdapters.All.Single(a => a.Cloud == cloud));
        return (program, site);
    }

    [Theory]
    [InlineData(Cloud.Linode, "linode:index/networkingIp:NetworkingIp", "${monitoring-public-ip.address}")]
    [InlineData(Cloud.Aws, "aws:ec2/eip:Eip", "${monitoring-public-ip.publicIp}")]
    public void Prepare_CreatesTheNetworkAndReservesTheAddressButNoVm(Cloud cloud, string addressType, string address)
    {
        var (program, site) = Prepare(cloud);

        Assert.Equal(address, site.Address.Address);
        Assert.Equal(addressType, program.Resource(MonitoringSite.AddressLogicalName).Type);
        Assert.DoesNotContain(program.Resources, r => r.Type.Contains("instance", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(program.Resources, r => r.Name == "monitoring-vpc");
        Assert.All(program.Resources, r => Assert.StartsWith(MonitoringSite.Key, r.Name, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Cloud.DigitalOcean)]
    [InlineData(Cloud.Ovh)]
    public void Prepare_OnACloudWithoutAnOutboundReservedAddress_IsRefused(Cloud cloud) =>
        Assert.Throws<NotSupportedException>(() => Prepare(cloud));

    [Fact]
    public void AdmittedByEndpoints_AddsTheAddressAsAClientAndChangesNothingElse()
    {
        var config = Config(Cloud.Linode);
        var (_, site) = Prepare(Cloud.Linode);
        var topology = TopologyBuilder.Build(config);

        var admitted = site.AdmittedByEndpoints(topology);

        Assert.Equal([.. config.Elasticsearch.ClientCidrs, "${monitoring-public-ip.address}/32"], admitted.Config.Elasticsearch.ClientCidrs);
        Assert.Equal(topology.Regions, admitted.Regions);
        Assert.Equal(config.Ssh, admitted.Config.Ssh);
    }
}
