using EsDr.Infra.Clouds.Ovh;
using EsDr.Infra.Compilation;
using EsDr.Infra.Tests.Clouds.Aws;

namespace EsDr.Infra.Tests.Clouds.Ovh;

public class OvhAdapterHostTests
{
    private const string FlavorId = "e0d1c2b3-1111-4a1b-9c3d-1e2f3a4b5c6d";
    private const string UserData = "#cloud-config\nhostname: shop-gra-db-1\n";

    private static AwsTestStack Build() =>
        AwsTestStack.Build(AwsTestStack.Config("gra",
            AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active"),
            AwsTestStack.OvhRegion("sbg", "10.50.0.0/16")));

    private static HostSpec Database(string region, string ip, params InboundRule[] inbound) =>
        new($"{region}-db-1", $"shop-{region}-db-1", FlavorId, ip, UserData, inbound, "database");

    private static InboundRule MySql(params string[] sources) => new("mysql", 3306, sources);

    [Fact]
    public void AddHost_CreatesAVmWithItsUserDataOnTheFixedAddress()
    {
        var stack = Build();

        var host = stack.AddHost("gra", Database("gra", "10.40.0.20", MySql("10.40.0.0/24", "${sbg-db-1-public-ip.stdout}/32")));
        stack.AddHost("sbg", Database("sbg", "10.50.0.20", MySql("10.50.0.0/16", "${gra-db-1-public-ip.stdout}/32")));

        var vm = stack.Program.Resource("gra-db-1");
        Assert.Equal("ovh:CloudProject/instance:Instance", vm.Type);
        Assert.Equal("shop-gra-db-1", vm.Properties["name"]);
        Assert.Equal(FlavorId, vm.Properties.Get("flavor", "flavorId"));
        Assert.Equal(UserData, vm.Properties["userData"]);
        // Public: the other region's replica and the operators reach it there. Private: on its fixed address.
        Assert.Equal(true, vm.Properties.Get("network", "public"));
        Assert.Equal("10.40.0.20", vm.Properties.Get("network", "private", "ip"));
        Assert.Equal("${gra-subnet.id}", vm.Properties.Get("network", "private", "network", "subnetId"));
        Assert.Equal("${gra-net.regionsOpenstackIds[\"GRA11\"]}", vm.Properties.Get("network", "private", "network", "id"));
        Assert.Equal("${gra-ssh-key.name}", vm.Properties.Get("sshKey", "name"));
        Assert.Equal(["userData", "flavor", "bootFrom", "sshKey"], vm.Options.IgnoreChanges!);
        Assert.Equal(["gra-gw"], vm.Options.DependsOn!);

        Assert.Equal("${gra-db-1-public-ip.stdout}", host.PublicIp);
        Assert.Equal("10.40.0.20", host.PrivateIp);
        Assert.Equal(["gra-db-1", "gra-db-1-public-ip"], host.ResourceNames);
        Assert.Equal("${gra-db-1.addresses}", stack.Program.Resource("gra-db-1-public-ip").Properties.Get("environment", "ADDRESSES", "fn::toJSON"));
        var problems = stack.Problems();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void AddHost_AddsNoCloudFirewall_TheCallerFiltersOnTheHost()
    {
        // OVH's counterpart of a security group: none exists, so the rules go into the host's own nftables.
        var stack = Build();
        var before = stack.Program.Resources.Select(r => r.Name).ToList();

        stack.AddHost("gra", Database("gra", "10.40.0.20", MySql("10.40.0.0/24", "${sbg-gw.externalInformations[0].ips[0].ip}/32")));

        Assert.False(new OvhAdapter().FiltersInTheCloud);
        Assert.Equal(["gra-db-1", "gra-db-1-public-ip"], stack.Program.Resources.Select(r => r.Name).Except(before));
        Assert.Equal(UserData, stack.Program.Resource("gra-db-1").Properties["userData"]);
        var problems = stack.Problems();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    public void AddHost_InternetWideSource_IsRefused(string source)
    {
        var stack = Build();
        var before = stack.Program.Resources.Count;

        var error = Assert.Throws<InvalidOperationException>(() =>
            stack.AddHost("gra", Database("gra", "10.40.0.20", MySql("10.40.0.0/24", source))));

        Assert.Equal($"host shop-gra-db-1: inbound rule 'mysql' (port 3306) admits {source}, the whole internet; list the networks that need it", error.Message);
        Assert.Equal(before, stack.Program.Resources.Count);
    }

    [Theory]
    [InlineData("10.40.0.128")] // the DHCP pool's first address
    [InlineData("10.40.0.1")] // the subnet's gateway
    [InlineData("10.40.1.20")] // outside the network
    [InlineData("10.40.0.5")] // the HAProxy VM
    [InlineData("10.40.0.11")] // an Elasticsearch node
    public void AddHost_AddressInThePoolOrTaken_IsRefused(string ip)
    {
        var stack = Build();

        var error = Assert.Throws<InvalidOperationException>(() => stack.AddHost("gra", Database("gra", ip, MySql("10.40.0.0/24"))));

        Assert.StartsWith($"OVH host shop-gra-db-1: '{ip}' ", error.Message, StringComparison.Ordinal);
    }
}
