using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using EsDr.Infra.Clouds.Ovh;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
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
    public void Ovh_HaProxyVm_IsTheOnlyPublicInstance_OnItsFixedAddress_WithTheBalancerUserDataReference()
    {
        var stack = Build();

        var gra = stack.Topology.Regions.Single(r => r.Name == "gra");
        var publicInstances = stack.InRegion("gra").Where(r => r.Type == Instance && (bool)r.Properties.Get("network", "public")).ToList();

        var vm = Assert.Single(publicInstances);
        Assert.Equal(gra.Balancer.LogicalName, vm.Name);
        Assert.Equal("10.40.0.5", gra.Balancer.PrivateIp);
        Assert.Equal(gra.Balancer.PrivateIp, vm.Properties.Get("network", "private", "ip"));
        // A reference to the variable the compiler fills in once every region's node addresses are known.
        Assert.Equal("${gra-lb-cloud-init}", vm.Properties["userData"]);
        Assert.True(stack.Program.Variables.ContainsKey("gra-lb-cloud-init"));
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
    [InlineData("""[{"ip":"123456789012.1.1.1","version":4},{"ip":"51.75.10.20","version":4}]""", "51.75.10.20")]
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
    public void Ovh_HaProxyVm_CompiledUserData_AdmitsClientsTheDeployerTheNetworkAndPeersOnHttp_OnlyPeersOnTransport()
    {
        // The real compiler: the VM is the only filter in front of the nodes (OVH has no cloud firewall).
        var config = AwsTestStack.Config("gra",
            AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active"),
            AwsTestStack.OvhRegion("sbg", "10.50.0.0/16"));
        var (_, program, _) = StackCompiler.Default().Compile(config);

        var problems = ProgramValidator.Validate(ProgramYamlWriter.Write(program), AwsTestStack.Schemas);
        var userData = (string)program.Variables["gra-lb-cloud-init"];

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal("${gra-lb-cloud-init}", program.Resource("gra-lb").Properties["userData"]);
        const string Peer = "${sbg-gw.externalInformations[0].ips[0].ip}/32";
        Assert.Equal(["10.40.0.0/24", AwsTestStack.ClientsCidr, AwsTestStack.DeployerCidr, Peer], Sources(userData, 9200));
        Assert.Equal([Peer], Sources(userData, 9300));
        // The operators' networks reach SSH only, through the VM's own nftables rule; so does the deployer, which pushes the config.
        Assert.DoesNotContain(AwsTestStack.OperatorsCidr, Sources(userData, 9200));
        Assert.Contains($"tcp dport 22 ip saddr {{ 10.40.0.0/24, {AwsTestStack.OperatorsCidr}, {AwsTestStack.DeployerCidr} }} accept", userData, StringComparison.Ordinal);
    }

    [Fact]
    public void Ovh_WithZones_IsRefusedByTheRules()
    {
        var gra = AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace("\"location\":\"GRA11\",", "\"location\":\"EU-WEST-PAR\",\"zones\":[\"eu-west-par-a\",\"eu-west-par-b\"],", StringComparison.Ordinal);

        Assert.Equal("es-dr:regions[0].zones: OVH regions are deployed on one private subnet; remove the key", AwsTestStack.Refusal("gra", gra));
    }

    [Fact]
    public void AddRegion_GivenZones_StillRefusesThem()
    {
        // Unreachable through the parser (above); the adapter builds exactly one subnet and keeps its own guard.
        var config = AwsTestStack.Config("gra", AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active"));
        config = config with { Regions = [config.Regions[0] with { Zones = ["eu-west-par-a", "eu-west-par-b"] }] };

        var error = Assert.Throws<NotSupportedException>(() => AwsTestStack.Build(config));

        Assert.Equal("region 'gra': OVH regions have one subnet; remove 'zones'", error.Message);
    }

    [Fact]
    public void Ovh_WithVolumeGb_IsRefusedByTheRules()
    {
        var gra = AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace("\"memoryGb\":8}", "\"memoryGb\":8,\"volumeGb\":50}", StringComparison.Ordinal);

        Assert.Equal(
            "es-dr:regions[0].elasticsearch.volumeGb: is not used on OVH: the provider cannot attach volumes to instances, so data lives on the flavor's local disk; remove the key",
            AwsTestStack.Refusal("gra", gra));
    }

    [Fact]
    public void Ovh_FlavorIdWithoutMemoryGb_IsRefusedByTheRules()
    {
        var gra = AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace(",\"memoryGb\":8", "", StringComparison.Ordinal);

        Assert.Equal(
            $"es-dr:regions[0].elasticsearch.size: '{FlavorId}' is not a size we know the memory of; set elasticsearch.memoryGb so the JVM heap can be sized",
            AwsTestStack.Refusal("gra", gra));
    }

    [Theory]
    [InlineData("nlb")]
    [InlineData("nodebalancer")]
    [InlineData("digitalocean")]
    public void Ovh_WithABalancerOtherThanHaProxy_IsRefusedByTheRules(string kind)
    {
        var gra = AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace("\"kind\":\"haproxy\"", $"\"kind\":\"{kind}\"", StringComparison.Ordinal);

        Assert.Equal($"es-dr:regions[0].loadBalancer.kind: '{kind}' is not available on ovh; use 'haproxy'", AwsTestStack.Refusal("gra", gra));
    }

    [Fact]
    public void AddRegion_GivenABalancerOtherThanHaProxy_StillRefusesIt()
    {
        // Unreachable through the parser (above); the adapter only knows how to build the HAProxy VM.
        var config = AwsTestStack.Config("gra", AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active"));
        config = config with { Regions = [config.Regions[0] with { LoadBalancer = new(BalancerKind.Nlb, null) }] };

        var error = Assert.Throws<NotSupportedException>(() => AwsTestStack.Build(config));

        Assert.Equal("region 'gra': OVH regions are fronted by HAProxy on a VM, not 'nlb'", error.Message);
    }

    [Fact]
    public void Ovh_GenerationBump_RenamesExactlyThatNode()
    {
        var before = Build();
        var bumped = Build(gra: AwsTestStack.OvhRegion("gra", "10.40.0.0/24", state: "active")
            .Replace("\"memoryGb\":8}", "\"memoryGb\":8,\"nodeGenerations\":{\"3\":2}}", StringComparison.Ordinal));

        var names = before.Program.Resources.Select(r => r.Name).ToList();
        var bumpedNames = bumped.Program.Resources.Select(r => r.Name).ToList();

        Assert.Equal(["gra-es-3"], names.Except(bumpedNames));
        Assert.Equal(["gra-es-3-gen2"], bumpedNames.Except(names));
        Assert.Equal("10.40.0.13", bumped.Program.Resource("gra-es-3-gen2").Properties.Get("network", "private", "ip"));
    }

    /// <summary>The sources a rendered HAProxy frontend on <paramref name="port"/> admits.</summary>
    private static string[] Sources(string userData, int port)
    {
        var match = Regex.Match(userData, $@"bind :{port}\s*\n\s*tcp-request connection reject unless {{ src (.+) }}\s*\n");
        Assert.True(match.Success, $"no source filter on {port} in:\n{userData}");
        return match.Groups[1].Value.Split(' ');
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
