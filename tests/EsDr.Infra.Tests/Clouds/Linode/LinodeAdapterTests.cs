using EsDr.Infra.Clouds.Linode;
using EsDr.Infra.Compilation;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Tests.Support;
using EsDr.Infra.Topology;
using static EsDr.Infra.Tests.Clouds.LinodeDigitalOceanHarness;

namespace EsDr.Infra.Tests.Clouds.Linode;

public class LinodeAdapterTests
{
    private const string Instance = "linode:index/instance:Instance";
    private const string Volume = "linode:index/volume:Volume";
    private const string Firewall = "linode:index/firewall:Firewall";
    private const string NodeBalancerConfig = "linode:index/nodeBalancerConfig:NodeBalancerConfig";
    private const string NodeBalancerNode = "linode:index/nodeBalancerNode:NodeBalancerNode";

    private const string NodeBalancer = "linode:index/nodeBalancer:NodeBalancer";

    private static readonly string[] ElasticsearchPorts = ["9200", "9300", "3306"];

    private static readonly string[] AmsPeers = ["${ams-es-1.ipv4Address}/32", "${ams-es-2.ipv4Address}/32", "${ams-es-3.ipv4Address}/32"];

    // fra on Linode, ams on DigitalOcean: each is the other's peer.
    private static readonly LinodeDigitalOceanHarness Stack = Build(Fra, Ams);

    // The same two regions, each fronted by HAProxy on a VM.
    private static readonly LinodeDigitalOceanHarness HaproxyStack = Build(FraHaproxy, AmsHaproxy);

    public static TheoryData<string> BalancerKinds => new() { "nodebalancer", "haproxy" };

    private static LinodeDigitalOceanHarness StackWith(string kind) => kind == "haproxy" ? HaproxyStack : Stack;

    [Fact]
    public void AddRegion_ThreeNodes_EmitsThreeInstancesWithVolumes()
    {
        var instances = Stack.OfType(Instance).ToList();
        var volumes = Stack.OfType(Volume).ToList();

        Assert.Equal(["fra-es-1", "fra-es-2", "fra-es-3"], instances.Select(i => i.Name));
        Assert.Equal(["fra-es-1-data", "fra-es-2-data", "fra-es-3-data"], volumes.Select(v => v.Name));
        foreach (var (instance, volume) in instances.Zip(volumes))
        {
            Assert.Equal("g6-standard-4", instance.Properties["type"]);
            Assert.Equal("eu-central", instance.Properties["region"]);
            Assert.Equal(LinodeAdapter.DefaultImage, instance.Properties["image"]);
            Assert.Equal([SshKey], Strings(instance.Properties["authorizedKeys"]));
            Assert.Equal(50, volume.Properties["size"]);
            Assert.Equal("eu-central", volume.Properties["region"]);
            // Attached to its own instance (through the integer cast, see LinodeIds).
            Assert.Equal($"${{{instance.Name}-id.triggers[0]}}", volume.Properties["linodeId"]);
        }
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void AddRegion_EmittedProgram_ValidatesAgainstTheProviderSchemas(string kind)
    {
        Assert.Empty(StackWith(kind).Problems);
    }

    [Fact]
    public void AddRegion_EveryResource_PinsItsPackageVersion()
    {
        Assert.All(Stack.Program.Resources, r => Assert.Equal(ProviderPackages.VersionOf(r.Package), r.Options.Version));
        Assert.Contains(Stack.Program.Resources, r => r.Package == ProviderPackages.Linode);
    }

    [Fact]
    public void Instance_LabelAndTags_ComeFromTheNodeAndTheStack()
    {
        var node = Stack.Region("fra").Nodes[0];
        var instance = Stack.Resource(node.LogicalName);

        Assert.Equal("shop-fra-es-1", instance.Properties["label"]);
        Assert.Contains("es-dr-region:fra", Strings(instance.Properties["tags"]));
        Assert.Contains("team:search", Strings(instance.Properties["tags"]));
    }

    [Fact]
    public void Instance_SitsOnItsFixedVpcAddress_WithThePublicAddressNatted()
    {
        foreach (var node in Stack.Region("fra").Nodes)
        {
            var instance = Stack.Resource(node.LogicalName);
            var vpc = Map(Assert.Single(List(instance.Properties["interfaces"])));

            Assert.Equal("vpc", vpc["purpose"]);
            Assert.Equal("${fra-subnet-id.triggers[0]}", vpc["subnetId"]);
            Assert.Equal(node.PrivateIp, Map(vpc["ipv4"])["vpc"]);
            Assert.Equal("any", Map(vpc["ipv4"])["nat11"]);
            Assert.Equal("legacy_config", instance.Properties["interfaceGeneration"]);
            Assert.Equal(node.PrivateIp, new LinodeAdapter().NetworkHost(node));
        }
    }

    [Fact]
    public void Instance_UserData_IsTheRenderedTextBase64Encoded()
    {
        var instance = Stack.Resource("fra-es-1");
        var metadata = Map(Assert.Single(List(instance.Properties["metadatas"])));

        Assert.Equal("${fra-es-1-user-data}", Map(metadata["userData"])["fn::toBase64"]);
        Assert.StartsWith("#cloud-config\n", (string)Stack.Program.Variables["fra-es-1-user-data"], StringComparison.Ordinal);
    }

    [Fact]
    public void Instance_UserDataChanges_AreIgnored()
    {
        foreach (var instance in Stack.OfType(Instance))
        {
            var ignored = instance.Options.IgnoreChanges ?? [];
            // Everything only read at first boot, each of which would otherwise replace a running node.
            Assert.Contains("metadatas", ignored);
            Assert.Contains("authorizedKeys", ignored);
            Assert.Contains("image", ignored);
        }
    }

    /// <summary>
    /// The firewall names other regions' nodes, so it is attached by a FirewallDevice, not the instance's
    /// firewallId: two regions' instances would otherwise wait for each other through their firewalls.
    /// </summary>
    [Fact]
    public void Instance_GetsItsFirewallThroughItsOwnAttachment()
    {
        Assert.All(Stack.OfType(Instance), i => Assert.False(i.Properties.ContainsKey("firewallId")));
        foreach (var instance in Stack.OfType(Instance))
        {
            var device = Stack.Resource($"{instance.Name}-fw-device");
            Assert.Equal("linode:index/firewallDevice:FirewallDevice", device.Type);
            Assert.Equal("${fra-fw-id.triggers[0]}", device.Properties["firewallId"]);
            Assert.Equal($"${{{instance.Name}-id.triggers[0]}}", device.Properties["entityId"]);
            Assert.Equal("linode", device.Properties["entityType"]);
        }
        Assert.Equal(["${fra-fw.id}"], Strings(Stack.Resource("fra-fw-id").Properties["triggers"]));
    }

    [Fact]
    public void IntegerIds_GoThroughAnAnyTypedCast_NeverAsAStringId()
    {
        // Pulumi YAML refuses ${x.id} (a string) where Linode wants an integer id.
        var integerIdProperties = new[] { "vpcId", "linodeId", "firewallId", "nodebalancerId", "configId", "subnetId" };
        var texts = Stack.Program.Resources.Where(r => r.Package == ProviderPackages.Linode)
            .SelectMany(r => Flatten(r.Properties))
            .Where(kv => integerIdProperties.Contains(kv.Key))
            .Select(kv => kv.Value)
            .ToList();

        Assert.NotEmpty(texts);
        Assert.All(texts, t => Assert.Matches(@"^\$\{[a-z0-9-]+-id\.triggers\[0\]\}$", t));
        Assert.All(Stack.OfType("command:local:Command"), c => Assert.False(c.Properties.ContainsKey("create")));
    }

    [Fact]
    public void DataVolumeDevice_IsTheStableByIdPathOfTheVolumeLabel()
    {
        var region = Stack.Region("fra");
        var node = region.Nodes[1];
        var volume = Stack.Resource($"{node.LogicalName}-data");

        Assert.Equal("/dev/disk/by-id/scsi-0Linode_Volume_shop-fra-es-2-data", new LinodeAdapter().DataVolumeDevice(region, node));
        Assert.Equal("shop-fra-es-2-data", volume.Properties["label"]);
    }

    [Fact]
    public void Labels_TooLongForLinode_AreShortenedStablyAndDistinctly()
    {
        var stack = Build(LongPrefix());
        var labels = stack.OfType(Volume).Select(v => (string)v.Properties["label"]).ToList();

        Assert.All(labels, l => Assert.InRange(l.Length, 1, 32));
        Assert.Equal(labels.Count, labels.Distinct().Count());
        Assert.Equal(labels, Build(LongPrefix()).OfType(Volume).Select(v => (string)v.Properties["label"]));
        var region = stack.Region("fra");
        Assert.Equal($"/dev/disk/by-id/scsi-0Linode_Volume_{labels[0]}", new LinodeAdapter().DataVolumeDevice(region, region.Nodes[0]));
    }

    [Fact]
    public void NodeBalancer_HealthCheck_FailsOnRedCluster()
    {
        var configs = Stack.OfType(NodeBalancerConfig).ToList();

        // The HTTP config and the transport config: both leave a red or masterless node out of rotation.
        Assert.Equal(["fra-lb-9200", "fra-lb-9300"], configs.Select(c => c.Name));
        foreach (var config in configs)
        {
            var path = (string)config.Properties["checkPath"];

            Assert.Equal("http", config.Properties["check"]);
            // Decoded, the check asks for a yellow cluster within 1s: red answers 408 and no master 503,
            // and a NodeBalancer http check passes only on 2xx/3xx.
            Assert.Equal("/_cluster/health?wait_for_status=yellow&timeout=1s", Uri.UnescapeDataString(path));
            // Linode's API rejects any other character in check_path (no underscore).
            Assert.Matches(@"^[a-zA-Z0-9/\-%?&=.]*$", path);
            Assert.True((int)config.Properties["checkTimeout"] < (int)config.Properties["checkInterval"]);
            Assert.True((bool)config.Properties["checkPassive"]);
        }
    }

    [Fact]
    public void NodeBalancer_PassesTlsThroughOnTheElasticsearchPort()
    {
        var config = Stack.Resource("fra-lb-9200");

        Assert.Equal(9200, config.Properties["port"]);
        Assert.Equal("tcp", config.Properties["protocol"]);
        Assert.False(config.Properties.ContainsKey("sslCert"));
        Assert.Equal("https://${fra-lb.ipv4}:9200", Stack.Regions["fra"].Endpoint);
    }

    [Fact]
    public void NodeBalancer_Backends_AreEachNodesFrontDoorInTheVpc()
    {
        var region = Stack.Region("fra");
        var backends = Stack.OfType(NodeBalancerNode).Where(b => (string)b.Properties["configId"] == "${fra-lb-9200-id.triggers[0]}").ToList();

        Assert.Equal(region.Nodes.Select(n => $"{n.LogicalName}-lb-node"), backends.Select(b => b.Name));
        Assert.Equal(region.Nodes.Select(n => $"{n.PrivateIp}:{LinodeAdapter.FrontDoorPort}"), backends.Select(b => (string)b.Properties["address"]));
        Assert.All(backends, b => Assert.Equal("${fra-subnet-id.triggers[0]}", b.Properties["subnetId"]));
        Assert.All(backends, b => Assert.Equal("${fra-lb-9200-id.triggers[0]}", b.Properties["configId"]));
        // Ordered after its instance; Pulumi YAML wants resource references in dependsOn, not bare names.
        Assert.Equal(region.Nodes.Select(n => (IReadOnlyList<string>)[n.LogicalName]), backends.Select(b => b.Options.DependsOn));
        var balancer = Stack.Resource("fra-lb");
        var vpc = Map(Assert.Single(List(balancer.Properties["vpcs"])));
        Assert.Equal("${fra-subnet-id.triggers[0]}", vpc["subnetId"]);
    }

    [Fact]
    public void NodeBalancer_PassesTransportThrough_ForCrossClusterReplication()
    {
        var region = Stack.Region("fra");
        var config = Stack.Resource("fra-lb-9300");
        var backends = Stack.OfType(NodeBalancerNode).Where(b => (string)b.Properties["configId"] == "${fra-lb-9300-id.triggers[0]}").ToList();

        // Other regions' nodes dial <balancer>:9300 (remote cluster in proxy mode); TLS passes through untouched.
        Assert.Equal(NodeBalancerConfig, config.Type);
        Assert.Equal("${fra-lb-id.triggers[0]}", config.Properties["nodebalancerId"]);
        Assert.Equal(9300, config.Properties["port"]);
        Assert.Equal("tcp", config.Properties["protocol"]);
        Assert.Equal("none", config.Properties["proxyProtocol"]);
        Assert.False(config.Properties.ContainsKey("sslCert"));
        // The check is the cluster-health one, not a bare connection: it goes to the backends' own address
        // and port, the front door's transport listener, which answers plain HTTP with cluster health.
        Assert.Equal("http", config.Properties["check"]);
        Assert.Equal(LinodeAdapter.HealthCheckPath, config.Properties["checkPath"]);
        // One backend per node, in the VPC like the 9200 ones, ordered after its instance.
        Assert.Equal(region.Nodes.Select(n => $"{n.LogicalName}-lb-node-9300"), backends.Select(b => b.Name));
        Assert.Equal(region.Nodes.Select(n => $"{n.PrivateIp}:{LinodeAdapter.FrontDoorTransportPort}"), backends.Select(b => (string)b.Properties["address"]));
        Assert.All(backends, b => Assert.Equal("${fra-subnet-id.triggers[0]}", b.Properties["subnetId"]));
        Assert.All(backends, b => Assert.Equal("${fra-lb-id.triggers[0]}", b.Properties["nodebalancerId"]));
        Assert.All(backends, b => Assert.Equal("accept", b.Properties["mode"]));
        Assert.Equal(region.Nodes.Select(n => (IReadOnlyList<string>)[n.LogicalName]), backends.Select(b => b.Options.DependsOn));
        // The node's front door forwards that listener's TLS to Elasticsearch's transport port.
        var node = region.Nodes[0];
        var frontDoor = Assert.Single(new LinodeAdapter().AddOns(region, node).Files).Content;
        Assert.Contains($"    bind {node.PrivateIp}:{LinodeAdapter.FrontDoorTransportPort}\n", frontDoor, StringComparison.Ordinal);
        Assert.Contains($"    server es {node.PrivateIp}:9300\n", frontDoor, StringComparison.Ordinal);
        Assert.Empty(Stack.Problems);
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void BalancerFirewall_AdmitsTransportOnlyFromOtherRegionsNodes(string kind)
    {
        var rules = List(StackWith(kind).Resource("fra-lb-fw").Properties["inbounds"]).Select(Map).ToList();
        var transport = rules.Where(r => ((string)r["ports"]).Split(',', StringSplitOptions.TrimEntries).Contains("9300")).ToList();

        var rule = Assert.Single(transport);
        Assert.Equal("9300", rule["ports"]);
        Assert.Equal(AmsPeers, Strings(rule["ipv4s"]));
        Assert.Equal("DROP", StackWith(kind).Resource("fra-lb-fw").Properties["inboundPolicy"]);

        // Without other regions nobody may dial it: no rule, and the DROP policy closes the port.
        var single = Build(kind == "haproxy" ? FraHaproxy : Fra);
        Assert.DoesNotContain(List(single.Resource("fra-lb-fw").Properties["inbounds"]).Select(Map),
            r => ((string)r["ports"]).Split(',', StringSplitOptions.TrimEntries).Contains("9300"));
        Assert.Empty(single.Problems);
    }

    [Fact]
    public void NodeBalancer_BackendRange_IsInsideTheSubnetAndClearOfEveryNode()
    {
        var region = Stack.Region("fra");
        var range = (string)Map(Assert.Single(List(Stack.Resource("fra-lb").Properties["vpcs"])))["ipv4Range"];

        Assert.Equal("10.10.0.248/30", range);
        Assert.Equal(range, LinodeAdapter.NodeBalancerRange(region));
        var first = Ipv4Cidr.Parse(range);
        Assert.True(first.Within(Ipv4Cidr.Parse(region.Network.Subnets[0].Cidr)));
        Assert.All(region.Nodes, n => Assert.False(Ipv4Cidr.Parse($"{n.PrivateIp}/32").Within(first)));
        // Nor the other fixed hosts: HAProxy (5), the database (6), application servers (21 up).
        var subnet = Ipv4Cidr.Parse(region.Network.Subnets[0].Cidr);
        foreach (var offset in new uint[] { TopologyBuilder.BalancerHostOffset, TopologyBuilder.DatabaseHostOffset, TopologyBuilder.ApplicationHostOffset + 1 })
            Assert.False(Ipv4Cidr.Parse($"{subnet.Host(offset)}/32").Within(first), $"host {offset}");
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void Firewalls_NeverOpenElasticsearchPortsToTheInternet(string kind)
    {
        var stack = StackWith(kind);
        var rules = stack.OfType(Firewall).SelectMany(f => List(f.Properties["inbounds"])).Select(Map).ToList();

        Assert.Empty(stack.Problems);
        Assert.Contains(rules, r => ((string)r["ports"]).Contains("9200", StringComparison.Ordinal));
        foreach (var rule in rules)
        {
            var ports = ((string)rule["ports"]).Split(',', StringSplitOptions.TrimEntries);
            if (!ports.Intersect(ElasticsearchPorts).Any()) continue;
            Assert.All(Strings(rule["ipv4s"]), source => Assert.False(source.EndsWith("/0", StringComparison.Ordinal), $"{rule["label"]} admits {source}"));
            Assert.False(rule.ContainsKey("ipv6s"));
        }
    }

    [Fact]
    public void Firewall_DropsInboundByDefault_AndAllowsOutbound()
    {
        Assert.All(Stack.OfType(Firewall), f =>
        {
            Assert.Equal("DROP", f.Properties["inboundPolicy"]);
            Assert.Equal("ACCEPT", f.Properties["outboundPolicy"]);
        });
    }

    [Fact]
    public void Firewall_AdmitsElasticsearchFromThePrivateNetworkTheBalancerAndTheOtherRegionsOnly()
    {
        var rules = List(Stack.Resource("fra-fw").Properties["inbounds"]).Select(Map).ToDictionary(r => (string)r["label"]);

        Assert.Equal(["10.10.0.0/24"], Strings(rules["es-private-network"]["ipv4s"]));
        Assert.Equal("9200, 9300", rules["es-private-network"]["ports"]);
        Assert.Equal(["10.10.0.248/30"], Strings(rules["es-front-door-balancer"]["ipv4s"]));
        // Both front door listeners (HTTP and transport), from the balancer's backend range only.
        Assert.Equal("9201, 9301", rules["es-front-door-balancer"]["ports"]);
        Assert.Equal(
            ["${ams-es-1.ipv4Address}/32", "${ams-es-2.ipv4Address}/32", "${ams-es-3.ipv4Address}/32"],
            Strings(rules["es-other-regions"]["ipv4s"]));
        Assert.Equal("9200, 9300", rules["es-other-regions"]["ports"]);
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void Firewall_SshOnlyFromTheConfiguredCidrs(string kind)
    {
        var rules = StackWith(kind).OfType(Firewall).SelectMany(f => List(f.Properties["inbounds"])).Select(Map)
            .Where(r => ((string)r["ports"]).Split(',', StringSplitOptions.TrimEntries).Contains("22"))
            .ToList();

        // The nodes' firewall, and with HAProxy also the HAProxy instance's.
        Assert.Equal(kind == "haproxy" ? 2 : 1, rules.Count);
        Assert.All(rules, ssh => Assert.Equal([OperatorCidr], Strings(ssh["ipv4s"])));
    }

    [Fact]
    public void Firewall_SingleRegion_HasNoRuleForOtherRegions()
    {
        var stack = Build(Fra);

        Assert.Empty(stack.Problems);
        var labels = List(stack.Resource("fra-fw").Properties["inbounds"]).Select(Map).Select(r => (string)r["label"]);
        Assert.DoesNotContain("es-other-regions", labels);
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void BalancerFirewall_AdmitsClientCidrsPrivateNetworkAndPeers_NotSshCidrs(string kind)
    {
        var stack = StackWith(kind);
        var firewall = stack.Resource("fra-lb-fw");
        var rules = List(firewall.Properties["inbounds"]).Select(Map).ToList();
        var http = Assert.Single(rules, r => (string)r["ports"] == "9200");

        Assert.Equal("es-clients", http["label"]);
        Assert.Equal([ClientCidr, "10.10.0.0/24", .. AmsPeers], Strings(http["ipv4s"]));
        // SSH networks reach port 22 only.
        Assert.All(rules.Where(r => (string)r["ports"] != "22"), r => Assert.DoesNotContain(OperatorCidr, Strings(r["ipv4s"])));
        Assert.Equal("${fra-lb-fw-id.triggers[0]}", stack.Resource("fra-lb").Properties["firewallId"]);
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void BalancerFirewall_EmptyClientCidrs_StillAdmitsThePrivateNetworkAndPeersOnly()
    {
        var config = FlatConfig(FraHaproxy, Ams);
        config[$"{Project}:elasticsearch"] = """{"version":"9.5.7","license":"trial"}""";
        var stack = Build(config);

        var http = Assert.Single(List(stack.Resource("fra-lb-fw").Properties["inbounds"]).Select(Map), r => (string)r["ports"] == "9200");
        Assert.Equal(["10.10.0.0/24", "${ams-es-1.ipv4Address}/32", "${ams-es-2.ipv4Address}/32", "${ams-es-3.ipv4Address}/32"], Strings(http["ipv4s"]));
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void AddOns_WithNodeBalancer_InstallsTheHealthFrontDoor()
    {
        var region = Stack.Region("fra");
        var node = region.Nodes[1];
        ICloudAdapter adapter = new LinodeAdapter();

        var addOns = adapter.AddOns(region, node);

        var file = Assert.Single(addOns.Files);
        Assert.Equal(LinodeFrontDoor.StagedConfigPath, file.Path);
        // The front door verifies Elasticsearch against the CA the renderer writes beside elasticsearch.yml.
        Assert.Equal("/etc/elasticsearch/certs/ca.crt", LinodeAdapter.NodeCaFile);
        Assert.Equal(LinodeFrontDoor.Render(node, "/etc/elasticsearch/certs/ca.crt", 9200), file.Content);
        Assert.Equal(LinodeFrontDoor.RunCommands, addOns.RunCommands);

        // And it reaches the node's real user-data, next to the CA file it names.
        var (paths, commands) = RealUserData(Stack, region, node, adapter);
        Assert.Contains(LinodeAdapter.NodeCaFile, paths);
        Assert.Contains(LinodeFrontDoor.StagedConfigPath, paths);
        Assert.Equal(LinodeFrontDoor.RunCommands, commands.TakeLast(LinodeFrontDoor.RunCommands.Count));
    }

    [Fact]
    public void AddOns_WithHaproxy_AddsNothing()
    {
        var region = HaproxyStack.Region("fra");
        ICloudAdapter adapter = new LinodeAdapter();

        Assert.All(region.Nodes, node => Assert.Same(NodeAddOns.None, adapter.AddOns(region, node)));
        var (paths, commands) = RealUserData(HaproxyStack, region, region.Nodes[0], adapter);
        Assert.Contains(LinodeAdapter.NodeCaFile, paths);
        Assert.DoesNotContain(LinodeFrontDoor.StagedConfigPath, paths);
        Assert.DoesNotContain(commands, c => c.Contains("haproxy", StringComparison.Ordinal));
        // HAProxy checks over TLS itself: no front door port on the nodes' firewall.
        var labels = List(HaproxyStack.Resource("fra-fw").Properties["inbounds"]).Select(Map).Select(r => (string)r["label"]).ToList();
        Assert.DoesNotContain("es-front-door-balancer", labels);
        var frontDoorPorts = new[] { LinodeAdapter.FrontDoorPort, LinodeAdapter.FrontDoorTransportPort }
            .Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(
            List(HaproxyStack.Resource("fra-fw").Properties["inbounds"]).Select(Map),
            r => ((string)r["ports"]).Split(',', StringSplitOptions.TrimEntries).Intersect(frontDoorPorts).Any());
    }

    [Fact]
    public void HaproxyKind_EmitsAVmWithTheBalancerUserData_AndNoNodeBalancer()
    {
        var region = HaproxyStack.Region("fra");
        var vm = HaproxyStack.Resource("fra-lb");

        Assert.Empty(HaproxyStack.OfType(NodeBalancer));
        Assert.Empty(HaproxyStack.OfType(NodeBalancerConfig));
        Assert.Empty(HaproxyStack.OfType(NodeBalancerNode));
        Assert.Equal(Instance, vm.Type);
        Assert.Equal("shop-fra-lb", vm.Properties["label"]);
        Assert.Equal(LinodeAdapter.DefaultHaproxyType, vm.Properties["type"]);
        Assert.Equal(LinodeAdapter.DefaultImage, vm.Properties["image"]);
        Assert.Equal([SshKey], Strings(vm.Properties["authorizedKeys"]));
        Assert.Contains("es-dr-region:fra", Strings(vm.Properties["tags"]));
        // On the balancer's fixed VPC address (clear of the nodes), public IPv4 NATed onto it.
        var vpc = Map(Assert.Single(List(vm.Properties["interfaces"])));
        Assert.Equal("10.10.0.5", region.Balancer.PrivateIp);
        Assert.Equal(region.Balancer.PrivateIp, Map(vpc["ipv4"])["vpc"]);
        Assert.Equal("any", Map(vpc["ipv4"])["nat11"]);
        Assert.Equal("${fra-subnet-id.triggers[0]}", vpc["subnetId"]);
        Assert.DoesNotContain(region.Balancer.PrivateIp, region.Nodes.Select(n => n.PrivateIp));
        // Its own firewall, from creation.
        Assert.Equal("${fra-lb-fw-id.triggers[0]}", vm.Properties["firewallId"]);
        // The balancer's user-data, base64 through the metadata service, read at first boot only.
        var metadata = Map(Assert.Single(List(vm.Properties["metadatas"])));
        Assert.Equal("${fra-lb-user-data}", Map(metadata["userData"])["fn::toBase64"]);
        Assert.Equal($"${{{BalancerUserDataVariable(region)}}}", HaproxyStack.Program.Variables["fra-lb-user-data"]);
        var haproxyUserData = (string)HaproxyStack.Program.Variables[BalancerUserDataVariable(region)];
        Assert.StartsWith("#cloud-config\n", haproxyUserData, StringComparison.Ordinal);
        Assert.All(region.Nodes, n => Assert.Contains($"{n.PrivateIp}:9200", haproxyUserData, StringComparison.Ordinal));
        Assert.Equal(["metadatas", "authorizedKeys", "image"], vm.Options.IgnoreChanges);
        // The endpoint is the VM's public address.
        Assert.Equal("https://${fra-lb.ipAddress}:9200", HaproxyStack.Regions["fra"].Endpoint);
        Assert.Empty(HaproxyStack.Problems);
    }

    [Fact]
    public void HaproxyKind_SizeFromConfig_IsTheInstanceType()
    {
        var stack = Build(FraHaproxy.Replace("""{"kind":"haproxy"}""", """{"kind":"haproxy","size":"g6-standard-1"}""", StringComparison.Ordinal));

        Assert.Equal("g6-standard-1", stack.Resource("fra-lb").Properties["type"]);
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void HaproxyFirewall_TransportFromPeersOnly_MonitorFromThePrivateNetwork_SshFromOperators()
    {
        var rules = List(HaproxyStack.Resource("fra-lb-fw").Properties["inbounds"]).Select(Map).ToDictionary(r => (string)r["ports"]);

        Assert.Equal(["9200", "9300", "9210", "8404", "22"], rules.Keys);
        // The cluster port (this region's own cluster, for the replication set-up) admits whoever reaches 9200.
        Assert.Equal(Strings(rules["9200"]["ipv4s"]), Strings(rules["9210"]["ipv4s"]));
        Assert.Equal(AmsPeers, Strings(rules["9300"]["ipv4s"]));
        Assert.Equal(["10.10.0.0/24"], Strings(rules["8404"]["ipv4s"]));
        Assert.Equal([OperatorCidr], Strings(rules["22"]["ipv4s"]));
        Assert.Equal("DROP", HaproxyStack.Resource("fra-lb-fw").Properties["inboundPolicy"]);
    }

    [Fact]
    public void HaproxyFirewall_SingleRegion_HasNoTransportRule()
    {
        var stack = Build(FraHaproxy);

        var ports = List(stack.Resource("fra-lb-fw").Properties["inbounds"]).Select(Map).Select(r => (string)r["ports"]);
        Assert.Equal(["9200", "9210", "8404", "22"], ports);
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void NodeFirewall_WithHaproxy_AdmitsThePrivateNetworkAndPeers()
    {
        var rules = List(HaproxyStack.Resource("fra-fw").Properties["inbounds"]).Select(Map).ToDictionary(r => (string)r["label"]);

        // The private network contains the HAProxy instance.
        Assert.Equal(["es-private-network", "es-other-regions", "es-other-regions-haproxy", "ssh-operators"], rules.Keys);
        Assert.Equal(["10.10.0.0/24"], Strings(rules["es-private-network"]["ipv4s"]));
        Assert.Equal("9200, 9300", rules["es-private-network"]["ports"]);
        Assert.Equal(AmsPeers, Strings(rules["es-other-regions"]["ipv4s"]));
        // ams's HAProxy droplet checks these nodes and sends them traffic while fra is active: HTTP only.
        Assert.Equal("9200", rules["es-other-regions-haproxy"]["ports"]);
        Assert.Equal(["${ams-lb.ipv4Address}/32"], Strings(rules["es-other-regions-haproxy"]["ipv4s"]));
    }

    [Fact]
    public void HaproxyKind_RegionResources_NameTheVmAndItsFirewall()
    {
        var resources = HaproxyStack.Regions["fra"];

        Assert.Equal(["fra-lb", "fra-lb-fw", "fra-lb-fw-id"], resources.BalancerResourceNames);
        Assert.Equal(["fra-es-1", "fra-es-1-id", "fra-es-1-data", "fra-es-1-fw-device"], resources.Nodes[0].ResourceNames);
        var declared = HaproxyStack.Program.Resources.Select(r => r.Name).ToHashSet();
        Assert.All(resources.Nodes.SelectMany(n => n.ResourceNames).Concat(resources.BalancerResourceNames).Concat(resources.NetworkResourceNames),
            name => Assert.Contains(name, declared));
    }

    [Fact]
    public void RegionResources_NameEveryNodesResourcesAndAddresses()
    {
        var resources = Stack.Regions["fra"];

        var node = resources.Nodes[0];
        Assert.Equal("${fra-es-1.ipAddress}", node.PublicIp);
        Assert.Equal("10.10.0.11", node.PrivateIp);
        Assert.Equal(["fra-es-1", "fra-es-1-id", "fra-es-1-data", "fra-es-1-fw-device", "fra-es-1-lb-node", "fra-es-1-lb-node-9300"], node.ResourceNames);
        Assert.Equal(["fra-lb", "fra-lb-id", "fra-lb-9200", "fra-lb-9200-id", "fra-lb-9300", "fra-lb-9300-id", "fra-lb-fw", "fra-lb-fw-id"], resources.BalancerResourceNames);
        Assert.Equal(["fra-vpc", "fra-vpc-id", "fra-subnet", "fra-subnet-id", "fra-fw", "fra-fw-id"], resources.NetworkResourceNames);
        var declared = Stack.Program.Resources.Select(r => r.Name).ToHashSet();
        Assert.All(resources.Nodes.SelectMany(n => n.ResourceNames).Concat(resources.BalancerResourceNames).Concat(resources.NetworkResourceNames),
            name => Assert.Contains(name, declared));
    }

    [Fact]
    public void GenerationBump_RenamesOnlyThatNodesResources()
    {
        var before = Build(Fra).Program.Resources.Select(r => r.Name).ToHashSet();
        var config = FlatConfig(Fra).With("regions", "[0].elasticsearch.nodeGenerations", System.Text.Json.Nodes.JsonNode.Parse("""{"2":2}"""));
        var after = Build(config).Program.Resources.Select(r => r.Name).ToHashSet();

        var gone = before.Except(after).Where(n => !n.Contains("-tls-", StringComparison.Ordinal)).Order().ToList();
        var added = after.Except(before).Where(n => !n.Contains("-tls-", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(["fra-es-2", "fra-es-2-data", "fra-es-2-fw-device", "fra-es-2-id", "fra-es-2-lb-node", "fra-es-2-lb-node-9300"], gone);
        Assert.Equal(["fra-es-2-gen2", "fra-es-2-gen2-data", "fra-es-2-gen2-fw-device", "fra-es-2-gen2-id", "fra-es-2-gen2-lb-node", "fra-es-2-gen2-lb-node-9300"], added);
    }

    /// <summary>The files and commands of a node's user-data as the compiler composes it, with this adapter's add-ons.</summary>
    private static (List<string> Paths, List<string> Commands) RealUserData(
        LinodeDigitalOceanHarness stack, RegionTopology region, EsNode node, ICloudAdapter adapter)
    {
        var program = new PulumiProgram(Project);
        ClusterSecurity.AddCertificateAuthority(program, stack.Topology.Prefix);
        var credentials = ClusterSecurity.AddNodeCertificate(program, region, node);
        var userData = NodeUserData.Compose(stack.Topology, region, node, adapter, credentials, "${password}", new List<RenderedFile>());
        var parsed = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(userData);
        var paths = ((List<object>)parsed["write_files"]).Cast<Dictionary<object, object>>().Select(f => (string)f["path"]).ToList();
        return (paths, ((List<object>)parsed["runcmd"]).Select(c => (string)c).ToList());
    }

    private static Dictionary<string, string> LongPrefix()
    {
        var config = FlatConfig(Fra);
        config[$"{Project}:namePrefix"] = "abcdefghijklmnopqrst";
        return config;
    }

    private static IEnumerable<KeyValuePair<string, string>> Flatten(PMap map)
    {
        foreach (var (key, value) in map)
        {
            switch (value)
            {
                case string s:
                    yield return new(key, s);
                    break;
                case PMap inner:
                    foreach (var kv in Flatten(inner)) yield return kv;
                    break;
                case System.Collections.IEnumerable list:
                    foreach (var item in list.OfType<PMap>())
                        foreach (var kv in Flatten(item)) yield return kv;
                    break;
            }
        }
    }
}
