using System.Text.RegularExpressions;
using EsDr.Infra.Clouds.DigitalOcean;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;
using static EsDr.Infra.Tests.Clouds.LinodeDigitalOceanHarness;

namespace EsDr.Infra.Tests.Clouds.DigitalOcean;

public partial class DigitalOceanAdapterTests
{
    private const string Droplet = "digitalocean:index/droplet:Droplet";
    private const string Volume = "digitalocean:index/volume:Volume";
    private const string DnsRecord = "digitalocean:index/dnsRecord:DnsRecord";
    private const string Firewall = "digitalocean:index/firewall:Firewall";
    private const string LoadBalancer = "digitalocean:index/loadBalancer:LoadBalancer";
    private const string SshKeyType = "digitalocean:index/sshKey:SshKey";

    private static readonly string[] ElasticsearchPorts = ["9200", "9300", "3306"];

    private const string Sfo = """
        {"name":"sfo","cloud":"digitalocean","location":"sfo3","state":"standby","network":{"cidr":"10.40.0.0/24"},
         "dnsZone":"es.example.com","elasticsearch":{"nodes":3,"size":"s-4vcpu-8gb","volumeGb":60},
         "loadBalancer":{"kind":"digitalocean","size":"3"}}
        """;

    private const string TagType = "digitalocean:index/tag:Tag";

    private static readonly string[] FraPeers = ["${fra-es-1.ipAddress}/32", "${fra-es-2.ipAddress}/32", "${fra-es-3.ipAddress}/32"];

    // ams on DigitalOcean is active here; fra on Linode is its peer.
    private static readonly LinodeDigitalOceanHarness Stack = Build(Ams, Fra);

    // The same two regions, each fronted by HAProxy on a VM.
    private static readonly LinodeDigitalOceanHarness HaproxyStack = Build(AmsHaproxy, FraHaproxy);

    public static TheoryData<string> BalancerKinds => new() { "digitalocean", "haproxy" };

    private static LinodeDigitalOceanHarness StackWith(string kind) => kind == "haproxy" ? HaproxyStack : Stack;

    [Fact]
    public void AddRegion_ThreeNodes_EmitsDropletsWithVolumesAndDnsRecords()
    {
        var droplets = Stack.OfType(Droplet).ToList();
        var volumes = Stack.OfType(Volume).ToList();
        var records = Stack.OfType(DnsRecord).ToList();

        Assert.Equal(["ams-es-1", "ams-es-2", "ams-es-3"], droplets.Select(d => d.Name));
        Assert.Equal(["ams-es-1-data", "ams-es-2-data", "ams-es-3-data"], volumes.Select(v => v.Name));
        Assert.Equal(["ams-es-1-dns", "ams-es-2-dns", "ams-es-3-dns"], records.Select(r => r.Name));
        foreach (var (droplet, volume) in droplets.Zip(volumes))
        {
            Assert.Equal("s-4vcpu-8gb", droplet.Properties["size"]);
            Assert.Equal("ams3", droplet.Properties["region"]);
            Assert.Equal(DigitalOceanAdapter.DefaultImage, droplet.Properties["image"]);
            Assert.Equal("${ams-vpc.id}", droplet.Properties["vpcUuid"]);
            Assert.Equal(60, volume.Properties["size"]);
            // The droplet attaches its volume at creation, before first boot.
            Assert.Equal([$"${{{volume.Name}.id}}"], Strings(droplet.Properties["volumeIds"]));
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
        Assert.Contains(Stack.Program.Resources, r => r.Package == ProviderPackages.DigitalOcean);
    }

    [Fact]
    public void Vpc_CoversTheRegionsNetwork()
    {
        var vpc = Stack.Resource("ams-vpc");

        Assert.Equal("10.30.0.0/24", vpc.Properties["ipRange"]);
        Assert.Equal("ams3", vpc.Properties["region"]);
        Assert.Equal("shop-ams", vpc.Properties["name"]);
    }

    [Fact]
    public void Droplet_UserDataChanges_AreIgnored()
    {
        foreach (var droplet in Stack.OfType(Droplet))
        {
            var ignored = droplet.Options.IgnoreChanges ?? [];
            Assert.Contains("userData", ignored);
            Assert.Contains("sshKeys", ignored);
            Assert.Contains("image", ignored);
            // Plain text: DigitalOcean takes user-data as it is.
            Assert.StartsWith("#cloud-config\n", (string)droplet.Properties["userData"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Droplet_SshKeys_AreDigitalOceanKeysMadeFromTheConfiguredPublicKeys()
    {
        var key = Assert.Single(Stack.OfType(SshKeyType));

        Assert.Equal(SshKey, key.Properties["publicKey"]);
        Assert.All(Stack.OfType(Droplet), d => Assert.Equal([key.Out("fingerprint")], Strings(d.Properties["sshKeys"])));
    }

    [Fact]
    public void SshKeys_TwoDigitalOceanRegions_AreDeclaredOnce()
    {
        var stack = Build(Ams, Sfo);

        Assert.Single(stack.OfType(SshKeyType));
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void Tags_AreSanitisedForDigitalOcean()
    {
        var tags = Stack.OfType(Droplet).Concat(Stack.OfType(Volume)).SelectMany(r => Strings(r.Properties["tags"]))
            .Where(t => !t.StartsWith("${", StringComparison.Ordinal))
            .ToList();

        Assert.Contains("cost-centre:4711", tags);
        Assert.Contains("es-dr-region:ams", tags);
        Assert.All(tags, t => Assert.Matches(TagPattern(), t));
        Assert.Equal("a-b_c:d-e", DigitalOceanAdapter.Tag("a b_c:d.e"));
    }

    [Fact]
    public void DnsRecord_PointsTheNodesNameAtItsPrivateAddress()
    {
        var region = Stack.Region("ams");
        foreach (var node in region.Nodes)
        {
            var record = Stack.Resource($"{node.LogicalName}-dns");

            Assert.Equal("es.example.com", record.Properties["domain"]);
            Assert.Equal("A", record.Properties["type"]);
            Assert.Equal($"{record.Properties["name"]}.es.example.com", node.DnsName);
            Assert.Equal($"${{{node.LogicalName}.ipv4AddressPrivate}}", record.Properties["value"]);
            Assert.Equal(30, record.Properties["ttl"]);
        }
        Assert.DoesNotContain(Stack.Program.Resources, r => r.Type == "digitalocean:index/domain:Domain");
    }

    [Fact]
    public void NetworkHost_IsTheVpcInterface()
    {
        Assert.Equal("_eth1:ipv4_", new DigitalOceanAdapter().NetworkHost(Stack.Region("ams").Nodes[0]));
    }

    [Fact]
    public void DataVolumeDevice_IsTheStableByIdPathOfTheVolumeName()
    {
        var region = Stack.Region("ams");
        var node = region.Nodes[2];

        Assert.Equal("/dev/disk/by-id/scsi-0DO_Volume_shop-ams-es-3-data", new DigitalOceanAdapter().DataVolumeDevice(region, node));
        Assert.Equal("shop-ams-es-3-data", Stack.Resource($"{node.LogicalName}-data").Properties["name"]);
    }

    [Fact]
    public void LoadBalancer_HealthCheck_FailsOnRedCluster()
    {
        var check = Map(Assert.Single(Stack.OfType(LoadBalancer)).Properties["healthcheck"]);

        // Over TLS to the node's own HTTP port; red answers 408, no master 503, and DigitalOcean passes
        // a check only on 200-399.
        Assert.Equal("https", check["protocol"]);
        Assert.Equal(9200, check["port"]);
        Assert.Equal("/_cluster/health?wait_for_status=yellow&timeout=1s", check["path"]);
        Assert.InRange((int)check["responseTimeoutSeconds"], 3, 300);
        Assert.InRange((int)check["unhealthyThreshold"], 2, 10);
    }

    [Fact]
    public void LoadBalancer_PassesTlsThroughToTheTaggedDropletsInTheVpc()
    {
        var balancer = Assert.Single(Stack.OfType(LoadBalancer));
        var rule = Assert.Single(List(balancer.Properties["forwardingRules"]).Select(Map), r => (int)r["entryPort"] == 9200);

        Assert.Equal("https", rule["entryProtocol"]);
        Assert.Equal("https", rule["targetProtocol"]);
        Assert.Equal(9200, rule["entryPort"]);
        Assert.Equal(9200, rule["targetPort"]);
        Assert.True((bool)rule["tlsPassthrough"]);
        Assert.Equal("${ams-vpc.id}", balancer.Properties["vpcUuid"]);
        Assert.Equal("${ams-es-tag.name}", balancer.Properties["dropletTag"]);
        Assert.All(Stack.OfType(Droplet), d => Assert.Contains("${ams-es-tag.name}", Strings(d.Properties["tags"])));
        Assert.Equal("https://${ams-lb.ip}:9200", Stack.Regions["ams"].Endpoint);
    }

    [Fact]
    public void LoadBalancer_PassesTransportThrough_ForCrossClusterReplication()
    {
        var balancer = Stack.Resource("ams-lb");
        var rules = List(balancer.Properties["forwardingRules"]).Select(Map).ToList();

        // Other regions' nodes dial <balancer>:9300 (remote cluster in proxy mode): plain TCP passthrough,
        // so the transport TLS, with node certificates on both sides, ends at a node.
        Assert.Equal([9200, 9300], rules.Select(r => (int)r["entryPort"]));
        var transport = rules[1];
        Assert.Equal("tcp", transport["entryProtocol"]);
        Assert.Equal("tcp", transport["targetProtocol"]);
        Assert.Equal(9300, transport["targetPort"]);
        Assert.False(transport.ContainsKey("certificateName"));
        Assert.False(transport.ContainsKey("tlsPassthrough"));
        // The one health check covers both rules and stays the cluster-health one on 9200.
        var check = Map(balancer.Properties["healthcheck"]);
        Assert.Equal("https", check["protocol"]);
        Assert.Equal(9200, check["port"]);
        Assert.Equal(DigitalOceanAdapter.HealthCheckPath, check["path"]);
        // The nodes' firewall admits the balancer's transport connections.
        var nodeTransport = Assert.Single(List(Stack.Resource("ams-fw").Properties["inboundRules"]).Select(Map),
            r => (string)r["portRange"] == "9300" && r.ContainsKey("sourceLoadBalancerUids"));
        Assert.Equal(["${ams-lb.id}"], Strings(nodeTransport["sourceLoadBalancerUids"]));
        Assert.Empty(Stack.Problems);
    }

    [Fact]
    public void LoadBalancer_TransportRule_OnlyWhenThereAreOtherRegions()
    {
        // The balancer's firewall cannot tell ports apart: with nobody to replicate with, no transport rule
        // at all, rather than a transport port open to the 9200 clients.
        var stack = Build(Ams);

        var rule = Map(Assert.Single(List(stack.Resource("ams-lb").Properties["forwardingRules"])));
        Assert.Equal(9200, rule["entryPort"]);
        Assert.All(List(stack.Resource("ams-fw").Properties["inboundRules"]).Select(Map),
            r => Assert.False((string)r["portRange"] == "9300" && r.ContainsKey("sourceLoadBalancerUids")));
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void LoadBalancer_TransportSources_AreTheBalancersAllowList_NeverTheInternetOrSshCidrs()
    {
        // DigitalOcean applies the balancer's firewall to every forwarding rule: 9300 is reachable from
        // exactly the 9200 sources (client networks, the VPC, the other regions' nodes), nothing wider.
        var allows = Strings(Map(Stack.Resource("ams-lb").Properties["firewall"])["allows"]);

        Assert.Equal([$"cidr:{ClientCidr}", "cidr:10.30.0.0/24", .. FraPeers.Select(p => $"ip:{p[..^3]}")], allows);
        Assert.DoesNotContain(allows, a => a.EndsWith("/0", StringComparison.Ordinal));
        Assert.DoesNotContain(allows, a => a.Contains(OperatorCidr, StringComparison.Ordinal));
        Assert.False(Map(Stack.Resource("ams-lb").Properties["firewall"]).ContainsKey("denies"));
    }

    [Fact]
    public void HaproxyFirewall_AdmitsTransportOnlyFromOtherRegionsNodes()
    {
        var rules = List(HaproxyStack.Resource("ams-lb-fw").Properties["inboundRules"]).Select(Map).ToList();

        var transport = Assert.Single(rules, r => (string)r["portRange"] == "9300");
        Assert.Equal(FraPeers, Strings(transport["sourceAddresses"]));
        Assert.False(transport.ContainsKey("sourceLoadBalancerUids"));
        Assert.False(transport.ContainsKey("sourceTags"));
    }

    [Fact]
    public void LoadBalancer_Size_IsTakenFromConfig()
    {
        var stack = Build(Sfo);

        Assert.Equal(3, stack.Resource("sfo-lb").Properties["sizeUnit"]);
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void BalancerFirewall_AdmitsClientCidrsPrivateNetworkAndPeers_NotSshCidrs(string kind)
    {
        var stack = StackWith(kind);
        List<string> sources;
        if (kind == "haproxy")
        {
            var rules = List(stack.Resource("ams-lb-fw").Properties["inboundRules"]).Select(Map).ToList();
            sources = Strings(Assert.Single(rules, r => (string)r["portRange"] == "9200")["sourceAddresses"]);
            Assert.All(rules.Where(r => (string)r["portRange"] != "22"), r => Assert.DoesNotContain(OperatorCidr, Strings(r["sourceAddresses"])));
            Assert.Equal([ClientCidr, "10.30.0.0/24", .. FraPeers], sources);
        }
        else
        {
            sources = Strings(Map(stack.Resource("ams-lb").Properties["firewall"])["allows"]);
            Assert.Equal([$"cidr:{ClientCidr}", "cidr:10.30.0.0/24", "ip:${fra-es-1.ipAddress}", "ip:${fra-es-2.ipAddress}", "ip:${fra-es-3.ipAddress}"], sources);
        }
        // SSH networks reach port 22 only.
        Assert.DoesNotContain(sources, s => s.Contains(OperatorCidr, StringComparison.Ordinal));
        Assert.Empty(stack.Problems);
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void Firewalls_NeverOpenElasticsearchPortsToTheInternet(string kind)
    {
        var stack = StackWith(kind);
        var rules = stack.OfType(Firewall).SelectMany(f => List(f.Properties["inboundRules"])).Select(Map).ToList();

        Assert.Empty(stack.Problems);
        Assert.Contains(rules, r => (string)r["portRange"] == "9200");
        foreach (var rule in rules.Where(r => ElasticsearchPorts.Contains((string)r["portRange"])))
        {
            var sources = rule.ContainsKey("sourceAddresses") ? Strings(rule["sourceAddresses"]) : [];
            Assert.All(sources, source => Assert.False(source.EndsWith("/0", StringComparison.Ordinal), $"{rule["portRange"]} admits {source}"));
        }
        foreach (var balancer in stack.OfType(LoadBalancer))
            Assert.All(Strings(Map(balancer.Properties["firewall"])["allows"]), a => Assert.False(a.EndsWith("/0", StringComparison.Ordinal)));
    }

    [Fact]
    public void HaproxyKind_EmitsAVmWithTheBalancerUserData_AndNoNodeBalancer()
    {
        var region = HaproxyStack.Region("ams");
        var vm = HaproxyStack.Resource("ams-lb");

        Assert.Empty(HaproxyStack.OfType(LoadBalancer));
        Assert.Equal(Droplet, vm.Type);
        Assert.Equal("shop-ams-lb", vm.Properties["name"]);
        Assert.Equal(DigitalOceanAdapter.DefaultHaproxySize, vm.Properties["size"]);
        Assert.Equal("ams3", vm.Properties["region"]);
        Assert.Equal(DigitalOceanAdapter.DefaultImage, vm.Properties["image"]);
        Assert.Equal("${ams-vpc.id}", vm.Properties["vpcUuid"]);
        Assert.False(vm.Properties.ContainsKey("volumeIds"));
        // Its own tag (so its own firewall applies), not the nodes' (whose firewall would also apply).
        var tags = Strings(vm.Properties["tags"]);
        Assert.Contains("${ams-lb-tag.name}", tags);
        Assert.DoesNotContain("${ams-es-tag.name}", tags);
        Assert.Equal(["${ams-lb-tag.name}"], Strings(HaproxyStack.Resource("ams-lb-fw").Properties["tags"]));
        // The balancer's user-data, read at first boot only.
        Assert.Equal($"${{{BalancerUserDataVariable(region)}}}", vm.Properties["userData"]);
        var haproxyUserData = (string)HaproxyStack.Program.Variables[BalancerUserDataVariable(region)];
        Assert.All(region.Nodes, n => Assert.Contains($"{n.DnsName}:9200", haproxyUserData, StringComparison.Ordinal));
        Assert.Equal(["userData", "sshKeys", "image"], vm.Options.IgnoreChanges);
        // HAProxy resolves the nodes' names when it starts: their records exist before the droplet does.
        Assert.Equal(["ams-es-1-dns", "ams-es-2-dns", "ams-es-3-dns"], vm.Options.DependsOn);
        // The endpoint is the droplet's public address; the nodes' firewall no longer names a load balancer.
        Assert.Equal("https://${ams-lb.ipv4Address}:9200", HaproxyStack.Regions["ams"].Endpoint);
        Assert.All(List(HaproxyStack.Resource("ams-fw").Properties["inboundRules"]).Select(Map),
            r => Assert.False(r.ContainsKey("sourceLoadBalancerUids")));
        Assert.Empty(HaproxyStack.Problems);
    }

    [Fact]
    public void HaproxyKind_SizeFromConfig_IsTheDropletSize()
    {
        var stack = Build(AmsHaproxy.Replace("""{"kind":"haproxy"}""", """{"kind":"haproxy","size":"s-2vcpu-2gb"}""", StringComparison.Ordinal));

        Assert.Equal("s-2vcpu-2gb", stack.Resource("ams-lb").Properties["size"]);
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void HaproxyFirewall_TransportFromPeersOnly_MonitorFromThePrivateNetwork_SshFromOperators()
    {
        var rules = List(HaproxyStack.Resource("ams-lb-fw").Properties["inboundRules"]).Select(Map).ToDictionary(r => (string)r["portRange"]);

        Assert.Equal(["9200", "9210", "9300", "8404", "22"], rules.Keys);
        // The cluster port (this region's own cluster, for the replication set-up) admits whoever reaches 9200.
        Assert.Equal(Strings(rules["9200"]["sourceAddresses"]), Strings(rules["9210"]["sourceAddresses"]));
        Assert.Equal(FraPeers, Strings(rules["9300"]["sourceAddresses"]));
        Assert.Equal(["10.30.0.0/24"], Strings(rules["8404"]["sourceAddresses"]));
        Assert.Equal([OperatorCidr], Strings(rules["22"]["sourceAddresses"]));
    }

    [Fact]
    public void HaproxyFirewall_SingleRegion_HasNoTransportRule()
    {
        var stack = Build(AmsHaproxy);

        var ports = List(stack.Resource("ams-lb-fw").Properties["inboundRules"]).Select(Map).Select(r => (string)r["portRange"]);
        Assert.Equal(["9200", "9210", "8404", "22"], ports);
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void HaproxyKind_RegionResources_NameTheVmItsTagAndItsFirewall()
    {
        var resources = HaproxyStack.Regions["ams"];

        Assert.Equal(["ams-lb", "ams-lb-tag", "ams-lb-fw"], resources.BalancerResourceNames);
        var declared = HaproxyStack.Program.Resources.Select(r => r.Name).ToHashSet();
        Assert.All(resources.Nodes.SelectMany(n => n.ResourceNames).Concat(resources.BalancerResourceNames).Concat(resources.NetworkResourceNames),
            name => Assert.Contains(name, declared));
        Assert.Equal(2, HaproxyStack.OfType(TagType).Count());
    }

    [Fact]
    public void Firewall_AdmitsElasticsearchFromThePrivateNetworkTheBalancerAndTheOtherRegionsOnly()
    {
        var firewall = Stack.Resource("ams-fw");
        var rules = List(firewall.Properties["inboundRules"]).Select(Map).ToList();
        var peers = new[] { "${fra-es-1.ipAddress}/32", "${fra-es-2.ipAddress}/32", "${fra-es-3.ipAddress}/32" };

        Assert.Equal(["${ams-es-tag.name}"], Strings(firewall.Properties["tags"]));
        var http = rules.Where(r => (string)r["portRange"] == "9200").ToList();
        var transport = rules.Where(r => (string)r["portRange"] == "9300").ToList();
        Assert.Equal(["10.30.0.0/24"], Strings(http[0]["sourceAddresses"]));
        Assert.Equal(["${ams-lb.id}"], Strings(http[0]["sourceLoadBalancerUids"]));
        Assert.Equal(peers, Strings(http[1]["sourceAddresses"]));
        Assert.Equal(["10.30.0.0/24"], Strings(transport[0]["sourceAddresses"]));
        Assert.Equal(["${ams-lb.id}"], Strings(transport[0]["sourceLoadBalancerUids"]));
        Assert.Equal(peers, Strings(transport[1]["sourceAddresses"]));
        Assert.Equal(4, http.Count + transport.Count);
    }

    [Fact]
    public void NodeFirewall_WithAHaproxyPeer_AdmitsItsVmOnHttpOnly()
    {
        var rules = List(HaproxyStack.Resource("ams-fw").Properties["inboundRules"]).Select(Map).ToList();

        // fra's HAProxy instance checks these droplets and sends them traffic while ams is active or standby.
        var fromPeerVm = Assert.Single(rules, r => Strings(r["sourceAddresses"]).Contains("${fra-lb.ipAddress}/32"));
        Assert.Equal("9200", fromPeerVm["portRange"]);
        Assert.Equal(["${fra-lb.ipAddress}/32"], Strings(fromPeerVm["sourceAddresses"]));
    }

    [Fact]
    public void Firewall_SshOnlyFromTheConfiguredCidrs()
    {
        var ssh = Assert.Single(List(Stack.Resource("ams-fw").Properties["inboundRules"]).Select(Map), r => (string)r["portRange"] == "22");

        Assert.Equal([OperatorCidr], Strings(ssh["sourceAddresses"]));
    }

    [Fact]
    public void RegionResources_NameEveryNodesResourcesAndAddresses()
    {
        var resources = Stack.Regions["ams"];

        var node = resources.Nodes[0];
        Assert.Equal("${ams-es-1.ipv4Address}", node.PublicIp);
        Assert.Equal("${ams-es-1.ipv4AddressPrivate}", node.PrivateIp);
        Assert.Equal(["ams-es-1", "ams-es-1-data", "ams-es-1-dns"], node.ResourceNames);
        Assert.Equal(["ams-lb"], resources.BalancerResourceNames);
        Assert.Equal(["ams-vpc", "ams-es-tag", "ams-fw"], resources.NetworkResourceNames);
        var declared = Stack.Program.Resources.Select(r => r.Name).ToHashSet();
        Assert.All(resources.Nodes.SelectMany(n => n.ResourceNames).Concat(resources.BalancerResourceNames).Concat(resources.NetworkResourceNames),
            name => Assert.Contains(name, declared));
    }

    [Fact]
    public void GenerationBump_RenamesOnlyThatNodesResources()
    {
        var before = Build(Ams).Program.Resources.Select(r => r.Name).ToHashSet();
        var config = FlatConfig(Ams).With("regions", "[0].elasticsearch.nodeGenerations", System.Text.Json.Nodes.JsonNode.Parse("""{"3":4}"""));
        var after = Build(config).Program.Resources.Select(r => r.Name).ToHashSet();

        var gone = before.Except(after).Where(n => !n.Contains("-tls-", StringComparison.Ordinal)).Order().ToList();
        var added = after.Except(before).Where(n => !n.Contains("-tls-", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(["ams-es-3", "ams-es-3-data", "ams-es-3-dns"], gone);
        Assert.Equal(["ams-es-3-gen4", "ams-es-3-gen4-data", "ams-es-3-gen4-dns"], added);
    }

    [GeneratedRegex(@"^[a-zA-Z0-9:_\-]+$")]
    private static partial Regex TagPattern();
}
