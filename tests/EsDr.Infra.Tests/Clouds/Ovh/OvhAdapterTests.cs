using System.Diagnostics;
using System.Text.Json;
using EsDr.Infra.Clouds.Ovh;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Clouds.Aws;

namespace EsDr.Infra.Tests.Clouds.Ovh;

public class OvhAdapterTests
{
    private const string Instance = "ovh:CloudProject/instance:Instance";
    private const string FlavorId = "e0d1c2b3-1111-4a1b-9c3d-1e2f3a4b5c6d";
    private const string BalancerFlavorId = "5f8c1d2e-0000-4a1b-9c3d-1e2f3a4b5c6d";
    private const string ImageId = "9d0e2f4c-1b7a-4f43-a0d5-3f1c2b6a7e90";

    /// <summary>Two OVH regions (gra active, sbg standby).</summary>
    private static AwsTestStack Build(string? gra = null, string? sbg = null) =>
        AwsTestStack.Build(AwsTestStack.Config("gra",
            gra ?? AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active"),
            sbg ?? AwsTestStack.OvhRegion("sbg", "10.50.0.0/16")));

    [Fact]
    public void Program_ValidatesAgainstTheProviderSchemas()
    {
        var stack = Build();

        var problems = stack.Problems();

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Program_NextToAnAwsRegion_ValidatesAgainstTheProviderSchemas()
    {
        var stack = AwsTestStack.Build(AwsTestStack.Config("gra",
            AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active"),
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16")));

        var problems = stack.Problems();

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Ovh_ElasticsearchNodes_HaveNoPublicInterface()
    {
        var stack = Build();

        var gra = stack.Topology.Regions.Single(r => r.Name == "gra");
        foreach (var node in gra.Nodes)
        {
            var network = (PMap)stack.Program.Resource(node.LogicalName).Properties["network"];
            Assert.Equal(false, network["public"]);
            Assert.Equal(node.PrivateIp, network.Get("private", "ip"));
            Assert.Equal("${gra-subnet.id}", network.Get("private", "network", "subnetId"));
            Assert.Equal(node.PrivateIp, new OvhAdapter().NetworkHost(node));
        }
    }

    [Fact]
    public void Ovh_HaProxyVm_IsTheOnlyPublicInstance_OnItsFixedAddress_WithTheBalancerUserData()
    {
        var stack = Build();

        var gra = stack.Topology.Regions.Single(r => r.Name == "gra");
        var publicInstances = stack.InRegion("gra").Where(r => r.Type == Instance && (bool)r.Properties.Get("network", "public")).ToList();

        var vm = Assert.Single(publicInstances);
        Assert.Equal(gra.Balancer.LogicalName, vm.Name);
        Assert.Equal("10.40.0.5", gra.Balancer.PrivateIp);
        Assert.Equal(gra.Balancer.PrivateIp, vm.Properties.Get("network", "private", "ip"));
        Assert.Equal("#cloud-config\nhostname: haproxy\n", vm.Properties["userData"]);
        Assert.Equal(BalancerFlavorId, vm.Properties.Get("flavor", "flavorId"));
    }

    [Fact]
    public void Ovh_HaProxyVmWithoutASize_TakesTheNodesFlavor()
    {
        var stack = Build(gra: AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace($",\"size\":\"{BalancerFlavorId}\"", "", StringComparison.Ordinal));

        Assert.Equal(FlavorId, stack.Program.Resource("gra-lb").Properties.Get("flavor", "flavorId"));
    }

    [Fact]
    public void Ovh_Nodes_ReachTheInternetThroughTheGateway_FromFirstBoot()
    {
        var stack = Build();

        var gateway = stack.Program.Resource("gra-gw");
        var subnet = stack.Program.Resource("gra-subnet");

        Assert.Equal("${gra-net.regionsOpenstackIds[\"GRA11\"]}", gateway.Properties["networkId"]);
        Assert.Equal("${gra-subnet.id}", gateway.Properties["subnetId"]);
        Assert.Equal(false, subnet.Properties["noGateway"]);
        Assert.All(stack.InRegion("gra").Where(r => r.Type == Instance), i =>
        {
            Assert.Contains("gra-gw", i.Options.DependsOn!);
            Assert.Equal("${gra-net.regionsOpenstackIds[\"GRA11\"]}", i.Properties.Get("network", "private", "network", "id"));
        });
    }

    [Fact]
    public void Ovh_NodePublicIp_IsTheGatewaysEgressAddress()
    {
        var stack = Build();

        var gra = stack.Region("gra");

        Assert.All(gra.Nodes, n => Assert.Equal("${gra-gw.externalInformations[0].ips[0].ip}", n.PublicIp));
        Assert.Equal(["10.40.0.11", "10.40.0.12", "10.40.0.13"], gra.Nodes.Select(n => n.PrivateIp));
        Assert.Equal(["gra-es-1"], gra.Nodes[0].ResourceNames);
    }

    [Fact]
    public void Ovh_Endpoint_IsTheHaProxyVmsPublicIpv4OnTheHttpPort()
    {
        var stack = Build();

        var command = stack.Program.Resource("gra-lb-public-ip");

        Assert.Equal("https://${gra-lb-public-ip.stdout}:9200", stack.Region("gra").Endpoint);
        Assert.Equal("${gra-lb.addresses}", command.Properties.Get("environment", "ADDRESSES", "fn::toJSON"));
        Assert.Equal(["gra-lb", "gra-lb-public-ip"], stack.Region("gra").BalancerResourceNames);
        Assert.Equal(["gra-net", "gra-subnet", "gra-gw", "gra-ssh-key"], stack.Region("gra").NetworkResourceNames);
    }

    [Theory]
    [InlineData("""[{"ip":"2001:41d0:304:200::1","version":6},{"ip":"10.40.0.5","version":4},{"ip":"51.75.10.20","version":4}]""", "51.75.10.20")]
    [InlineData("""[{"ip": "51.75.10.20", "version": 4}, {"ip": "10.40.0.5", "version": 4}]""", "51.75.10.20")]
    [InlineData("""[{"ip":"172.16.3.4","version":4},{"ip":"192.168.1.1","version":4},{"ip":"169.254.1.1","version":4},{"ip":"172.32.0.9","version":4}]""", "172.32.0.9")]
    public void PublicIpv4Script_PicksThePublicAddress(string addresses, string expected)
    {
        var (stdout, exit) = RunScript(addresses);

        Assert.Equal(0, exit);
        Assert.Equal(expected, stdout);
    }

    [Fact]
    public void PublicIpv4Script_WithoutAPublicAddress_Fails()
    {
        var (stdout, exit) = RunScript("""[{"ip":"10.40.0.5","version":4},{"ip":"2001:41d0::1","version":6}]""");

        Assert.NotEqual(0, exit);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Ovh_Instances_AreGivenFlavorAndImageIds_AndIgnoreChangesThatWouldReplaceEveryNode()
    {
        var stack = Build();

        Assert.All(stack.OfType(Instance), i =>
        {
            Assert.Equal(ImageId, i.Properties.Get("bootFrom", "imageId"));
            Assert.Equal("0123456789abcdef0123456789abcdef", i.Properties["serviceName"]);
            Assert.Equal("hourly", i.Properties["billingPeriod"]);
            Assert.Equal(["userData", "flavor", "bootFrom", "sshKey"], i.Options.IgnoreChanges!);
            Assert.Equal("2.12.0", i.Options.Version);
        });
        Assert.Equal(FlavorId, stack.Program.Resource("gra-es-1").Properties.Get("flavor", "flavorId"));
    }

    [Fact]
    public void Ovh_DhcpPool_StaysClearOfEveryFixedAddress()
    {
        var stack = Build();

        foreach (var region in stack.Topology.Regions)
        {
            var subnet = stack.Program.Resource($"{region.Key}-subnet");
            var start = Last((string)subnet.Properties["start"]);
            var fixedAddresses = region.Nodes.Select(n => n.PrivateIp!).Append(region.Balancer.PrivateIp!);
            Assert.All(fixedAddresses, ip => Assert.True(Last(ip) < start, $"{ip} is inside the DHCP pool"));
            Assert.Equal(region.Network.Cidr, subnet.Properties["network"]);
        }
        Assert.Equal("10.40.0.254", stack.Program.Resource("gra-subnet").Properties["end"]);
        Assert.Equal("10.50.255.254", stack.Program.Resource("sbg-subnet").Properties["end"]);
    }

    [Fact]
    public void Ovh_RegionsOfOneStack_GetDifferentVlans()
    {
        var stack = Build();

        var vlans = stack.OfType("ovh:CloudProject/networkPrivate:NetworkPrivate").Select(n => (int)n.Properties["vlanId"]).ToList();

        Assert.Equal(2, vlans.Distinct().Count());
        Assert.All(vlans, v => Assert.InRange(v, 1, 4000));
    }

    [Fact]
    public void Ovh_HasNoDataVolume_AndAddsNoCloudFirewall()
    {
        var stack = Build();
        var withoutFirewalls = AwsTestStack.Build(stack.Topology.Config, firewalls: false);

        var gra = stack.Topology.Regions[0];

        Assert.Null(new OvhAdapter().DataVolumeDevice(gra, gra.Nodes[0]));
        Assert.Empty(stack.OfType("ovh:CloudProject/volume:Volume"));
        Assert.Equal(withoutFirewalls.Program.Resources.Select(r => r.Name), stack.Program.Resources.Select(r => r.Name));
    }

    [Fact]
    public void Ovh_WithZones_IsRefused()
    {
        var gra = AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace("\"location\":\"GRA11\",", "\"location\":\"EU-WEST-PAR\",\"zones\":[\"eu-west-par-a\",\"eu-west-par-b\"],", StringComparison.Ordinal);

        var error = Assert.Throws<NotSupportedException>(() => Build(gra: gra));

        Assert.Contains("zones", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ovh_GenerationBump_RenamesExactlyThatNode()
    {
        var before = Build();
        var bumped = Build(gra: AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace("\"volumeGb\":50}", "\"volumeGb\":50,\"nodeGenerations\":{\"3\":2}}", StringComparison.Ordinal));

        var names = before.Program.Resources.Select(r => r.Name).ToList();
        var bumpedNames = bumped.Program.Resources.Select(r => r.Name).ToList();

        Assert.Equal(["gra-es-3"], names.Except(bumpedNames));
        Assert.Equal(["gra-es-3-gen2"], bumpedNames.Except(names));
        Assert.Equal("10.40.0.13", bumped.Program.Resource("gra-es-3-gen2").Properties.Get("network", "private", "ip"));
    }

    private static int Last(string ip) => int.Parse(ip.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture)
        + 256 * int.Parse(ip.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs the endpoint command the way the command provider does: <c>/bin/sh -c</c>, with the environment set.</summary>
    private static (string Stdout, int Exit) RunScript(string addresses)
    {
        // Normalise to a JSON array so the test data reads like fn::toJSON output.
        var json = JsonDocument.Parse(addresses).RootElement.GetRawText();
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(OvhAdapter.PublicIpv4Script);
        start.Environment["ADDRESSES"] = json;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (stdout, process.ExitCode);
    }
}
