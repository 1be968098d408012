using EsDr.Infra.Clouds.Aws;
using EsDr.Infra.Config;
using EsDr.Infra.Program;

namespace EsDr.Infra.Tests.Clouds.Aws;

public class AwsAdapterTests
{
    private const string IngressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    private const string EgressRule = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
    private const string Instance = "aws:ec2/instance:Instance";

    private static readonly string[] ElasticsearchPorts = ["9200", "9300"];

    public static TheoryData<string> BalancerKinds() => new() { "nlb", "alb" };

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void Program_ValidatesAgainstTheProviderSchemas(string balancer)
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", balancer, state: "active"),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16", balancer));

        var problems = stack.Problems();

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void AddRegion_DeclaresOneProviderPerRegion_InItsLocationWithTheStackTags()
    {
        var stack = AwsTestStack.Build();

        var providers = stack.OfType("pulumi:providers:aws").ToList();

        Assert.Equal(["dub-aws", "iad-aws"], providers.Select(p => p.Name));
        var dub = providers[0];
        Assert.Equal("eu-west-1", dub.Properties["region"]);
        var tags = (PMap)dub.Properties.Get("defaultTags", "tags");
        Assert.Equal("search", tags["team"]);
        Assert.Equal("dub", tags["es-dr-region"]);
        Assert.Equal("7.48.0", dub.Options.Version);
    }

    [Fact]
    public void AddRegion_EachAwsResource_UsesTheRegionProvider()
    {
        var stack = AwsTestStack.Build();

        foreach (var region in new[] { "dub", "iad" })
        {
            var resources = stack.InRegion(region).Where(r => r.Type.StartsWith("aws:", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(resources);
            Assert.All(resources, r => Assert.Equal($"${{{region}-aws}}", r.Options.Provider));
        }
    }

    [Fact]
    public void AddRegion_EveryResource_PinsItsPackageVersion()
    {
        var stack = AwsTestStack.Build();

        Assert.All(stack.Program.Resources, r => Assert.Equal(ProviderPackages.VersionOf(r.Package), r.Options.Version));
    }

    [Fact]
    public void SecurityGroups_NeverOpenElasticsearchPortsToTheInternet()
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "alb", state: "active"),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16", "nlb"),
            AwsTestStack.OvhRegion("gra", "10.40.0.0/24"));

        var ingress = stack.OfType(IngressRule).ToList();
        Assert.NotEmpty(ingress);
        // Both transport paths are here: on dub's transport-only NLB (beside its ALB) and on iad's NLB.
        Assert.Contains(ingress, r => (string)r.Properties["securityGroupId"] == "${dub-lb-transport-sg.id}");
        Assert.Contains(ingress, r => (string)r.Properties["securityGroupId"] == "${iad-lb-sg.id}" && (int)r.Properties["fromPort"] == 9300);
        foreach (var rule in ingress)
        {
            var from = (int)rule.Properties["fromPort"];
            var to = (int)rule.Properties["toPort"];
            var cidr = (string)rule.Properties["cidrIpv4"];
            Assert.False(rule.Properties.ContainsKey("cidrIpv6"), rule.Name);
            foreach (var port in new[] { 9200, 9300, 3306 })
            {
                if (port >= from && port <= to)
                    Assert.NotEqual("0.0.0.0/0", cidr);
            }
        }
        // No inline rule anywhere either: groups carry none, and no other resource type opens ports.
        Assert.All(stack.OfType("aws:ec2/securityGroup:SecurityGroup"), g =>
        {
            Assert.False(g.Properties.ContainsKey("ingress"));
            Assert.False(g.Properties.ContainsKey("egress"));
        });
        Assert.Empty(stack.OfType("aws:ec2/securityGroupRule:SecurityGroupRule"));
    }

    [Fact]
    public void Config_ClientCidrsOfTheWholeInternet_AreRefusedByTheRules()
    {
        var settings = AwsTestStack.Settings("dub", AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"));
        settings["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial","clientCidrs":["0.0.0.0/0"]}""";

        Assert.StartsWith(
            "es-dr:elasticsearch.clientCidrs[0]: '0.0.0.0/0' admits 3,702,258,688 public addresses (the whole internet) to Elasticsearch (9200)",
            AwsTestStack.Refusal(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void Config_SshOpenToTheWholeInternet_IsRefusedByTheRules()
    {
        var settings = AwsTestStack.Settings("dub", AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"));
        settings["es-dr:ssh"] = """{"publicKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"],"allowedCidrs":["0.0.0.0/0"]}""";

        Assert.StartsWith(
            "es-dr:ssh.allowedCidrs[0]: '0.0.0.0/0' admits 3,702,258,688 public addresses (the whole internet) to SSH (22)",
            AwsTestStack.Refusal(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void AddFirewalls_GivenAClientCidrOfTheWholeInternet_StillRefusesTheBalancerRule()
    {
        // Unreachable through the parser (above); the adapter keeps its own guard on every Elasticsearch port.
        var config = AwsTestStack.Config("dub", AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"));
        config = config with { Elasticsearch = config.Elasticsearch with { ClientCidrs = ["0.0.0.0/0"] } };

        var error = Assert.Throws<InvalidOperationException>(() => AwsTestStack.Build(config));

        Assert.Equal("refusing to open port 9200 to 0.0.0.0/0: Elasticsearch is never open to the internet", error.Message);
    }

    [Fact]
    public void SecurityGroups_DescriptionsUseOnlyCharactersAwsAccepts()
    {
        var stack = AwsTestStack.Build();

        var descriptions = stack.Program.Resources
            .Where(r => r.Type.Contains("ecurityGroup", StringComparison.Ordinal))
            .Select(r => (string)r.Properties["description"])
            .ToList();

        // EC2 accepts a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* in group and rule descriptions.
        Assert.NotEmpty(descriptions);
        Assert.All(descriptions, d => Assert.Matches(@"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}$", d));
    }

    [Fact]
    public void AddFirewalls_AdmitsElasticsearchOnlyFromTheVpcAndTheOtherRegionsNodes()
    {
        var stack = AwsTestStack.Build();

        var sources = NodeIngress(stack, "dub")
            .Where(r => ElasticsearchPorts.Contains(r.Port))
            .Select(r => $"{r.Port} {r.Cidr}")
            .Order(StringComparer.Ordinal)
            .ToList();

        var expected = new List<string>();
        foreach (var port in ElasticsearchPorts)
        {
            expected.Add($"{port} 10.20.0.0/16");
            expected.AddRange(new[] { 1, 2, 3 }.Select(n => $"{port} ${{iad-es-{n}.publicIp}}/32"));
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), sources);
    }

    [Fact]
    public void AddFirewalls_AdmitsSshOnlyFromTheOperatorsNetworks()
    {
        var stack = AwsTestStack.Build();

        var ssh = NodeIngress(stack, "dub").Where(r => r.Port == "22").Select(r => r.Cidr).ToList();

        Assert.Equal([AwsTestStack.OperatorsCidr], ssh);
    }

    [Fact]
    public void AddFirewalls_BalancerListener_AdmitsClientsTheVpcAndOtherRegionsNodes()
    {
        var stack = AwsTestStack.Build();

        var rules = BalancerIngress(stack, "dub");
        var http = rules.Where(r => (int)r.Properties["fromPort"] == 9200).ToList();

        Assert.All(http, r => Assert.Equal(9200, r.Properties["toPort"]));
        Assert.Equal(
            new[] { "10.20.0.0/16", AwsTestStack.ClientsCidr, "${iad-es-1.publicIp}/32", "${iad-es-2.publicIp}/32", "${iad-es-3.publicIp}/32" },
            http.Select(r => (string)r.Properties["cidrIpv4"]));
        // Every other rule is the transport port, for the other regions' nodes only.
        Assert.All(rules.Except(http), r => Assert.Equal((9300, 9300), ((int)r.Properties["fromPort"], (int)r.Properties["toPort"])));
        Assert.Equal(3, rules.Except(http).Count());
    }

    [Fact]
    public void AddFirewalls_BalancerListener_WithoutClientCidrs_AdmitsOnlyTheVpcAndOtherRegionsNodes()
    {
        var settings = AwsTestStack.Settings("dub",
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"), AwsTestStack.AwsRegion("iad", "10.30.0.0/16"));
        settings["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial"}""";
        var stack = AwsTestStack.Build(AwsTestStack.Parse(settings));

        var sources = BalancerIngress(stack, "dub").Where(r => (int)r.Properties["fromPort"] == 9200).Select(r => (string)r.Properties["cidrIpv4"]);

        Assert.Equal(["10.20.0.0/16", "${iad-es-1.publicIp}/32", "${iad-es-2.publicIp}/32", "${iad-es-3.publicIp}/32"], sources);
    }

    [Fact]
    public void AddFirewalls_BalancerListener_AdmitsAClientCidrThatIsTheVpcOnce()
    {
        var settings = AwsTestStack.Settings("dub", AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"));
        settings["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial","clientCidrs":["10.20.0.0/16"]}""";
        var stack = AwsTestStack.Build(AwsTestStack.Parse(settings));

        Assert.Equal(["10.20.0.0/16"], BalancerIngress(stack, "dub").Select(r => (string)r.Properties["cidrIpv4"]));
        Assert.Empty(stack.Problems());
    }

    [Fact]
    public void AddFirewalls_OperatorsNetworks_ReachOnlySsh_NeverElasticsearch()
    {
        var stack = AwsTestStack.Build();

        var fromOperators = stack.OfType(IngressRule).Where(r => (string)r.Properties["cidrIpv4"] == AwsTestStack.OperatorsCidr).ToList();

        Assert.Equal(["dub-es-sg-in-ssh-203-0-113-0-24", "iad-es-sg-in-ssh-203-0-113-0-24"], fromOperators.Select(r => r.Name));
        Assert.All(fromOperators, r => Assert.Equal((22, 22), ((int)r.Properties["fromPort"], (int)r.Properties["toPort"])));
    }

    [Fact]
    public void AddFirewalls_PeersSharingAnEgressAddress_AreAdmittedOnce()
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"),
            AwsTestStack.OvhRegion("gra", "10.40.0.0/24"));

        var transport = NodeIngress(stack, "dub").Where(r => r.Port == "9300").Select(r => r.Cidr).ToList();

        // The OVH nodes leave through their gateway's one address.
        Assert.Equal(["10.20.0.0/16", "${gra-gw.externalInformations[0].ips[0].ip}/32"], transport);
        Assert.Empty(stack.Problems());
    }

    [Fact]
    public void AddFirewalls_RulesAreListedWithTheRegionsResources()
    {
        var stack = AwsTestStack.Build();

        var dub = stack.Region("dub");
        var rules = stack.OfType(IngressRule).Where(r => r.Name.StartsWith("dub-", StringComparison.Ordinal)).Select(r => r.Name).ToList();

        Assert.All(rules, name => Assert.True(dub.NetworkResourceNames.Contains(name) || dub.BalancerResourceNames.Contains(name), name));
    }

    [Fact]
    public void Nlb_HealthCheck_FailsOnRedOrMasterlessCluster()
    {
        var stack = AwsTestStack.Build();

        var group = stack.Program.Resource("dub-lb-tg");
        var check = (PMap)group.Properties["healthCheck"];

        Assert.Equal("TCP", group.Properties["protocol"]);
        Assert.Equal("HTTPS", check["protocol"]);
        // wait_for_status makes a red cluster answer 408, and no master answers 503: only 200 passes.
        Assert.Equal("/_cluster/health?wait_for_status=yellow&timeout=1s", check["path"]);
        Assert.Equal("200", check["matcher"]);
        Assert.True((int)check["timeout"] > 1, "the check must outwait Elasticsearch's own 1s wait");
    }

    [Fact]
    public void Nlb_ReachesNodesFromItsPrivateAddresses_NotFromTheClients()
    {
        var stack = AwsTestStack.Build();

        var group = stack.Program.Resource("dub-lb-tg");
        var lb = stack.Program.Resource("dub-lb");

        Assert.Equal("false", group.Properties["preserveClientIp"]);
        Assert.Equal("network", lb.Properties["loadBalancerType"]);
        Assert.Equal(new List<object> { "${dub-lb-sg.id}" }, lb.Properties["securityGroups"]);
    }

    [Fact]
    public void Nlb_ListenerPassesTlsThroughToTheNodes()
    {
        var stack = AwsTestStack.Build();

        var listener = stack.Program.Resource("dub-lb-9200");

        Assert.Equal("TCP", listener.Properties["protocol"]);
        Assert.Equal(9200, listener.Properties["port"]);
        Assert.Equal("https://${dub-lb.dnsName}:9200", stack.Region("dub").Endpoint);
    }

    [Fact]
    public void Nlb_PassesTransportThrough_HealthCheckedOnTheHttpPort()
    {
        var stack = AwsTestStack.Build();

        var listener = stack.Program.Resource("dub-lb-9300");
        var group = stack.Program.Resource("dub-lb-transport-tg");
        var check = (PMap)group.Properties["healthCheck"];

        Assert.Equal("${dub-lb.arn}", listener.Properties["loadBalancerArn"]);
        Assert.Equal(("TCP", 9300), ((string)listener.Properties["protocol"], (int)listener.Properties["port"]));
        Assert.Equal("${dub-lb-transport-tg.arn}", ((List<object>)listener.Properties["defaultActions"]).Cast<PMap>().Single()["targetGroupArn"]);
        Assert.Equal(AwsAdapter.TransportIdleTimeoutSeconds, listener.Properties["tcpIdleTimeoutSeconds"]);
        Assert.Equal(("TCP", 9300), ((string)group.Properties["protocol"], (int)group.Properties["port"]));
        // Reaches the nodes from the NLB's private addresses, which the nodes' VPC rule on 9300 admits.
        Assert.Equal("false", group.Properties["preserveClientIp"]);
        // A transport handshake says nothing about cluster health: the check is the HTTP one, on 9200.
        Assert.Equal("HTTPS", check["protocol"]);
        Assert.Equal("9200", check["port"]);
        Assert.Equal(AwsAdapter.HealthCheckPath, check["path"]);
        Assert.Equal("200", check["matcher"]);
        Assert.Equal("${dub-lb.dnsName}:9300", AwsAdapter.TransportProxyAddress(stack.Topology.Regions[0], 9300));
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void TransportTargets_AreEveryNodeOnItsTransportPort(string balancer)
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", balancer, state: "active"),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16", balancer));

        var targets = stack.OfType("aws:lb/targetGroupAttachment:TargetGroupAttachment")
            .Where(t => (string)t.Properties["targetGroupArn"] == "${dub-lb-transport-tg.arn}")
            .ToList();

        Assert.Equal(["${dub-es-1.id}", "${dub-es-2.id}", "${dub-es-3.id}"], targets.Select(t => (string)t.Properties["targetId"]));
        Assert.All(targets, t => Assert.Equal(9300, t.Properties["port"]));
    }

    [Fact]
    public void Nlb_Egress_ReachesOnlyTheNodesHttpAndTransportPortsInTheVpc()
    {
        var stack = AwsTestStack.Build();

        var egress = stack.OfType(EgressRule)
            .Where(r => (string)r.Properties["securityGroupId"] == "${dub-lb-sg.id}")
            .Select(r => $"{r.Properties["fromPort"]}-{r.Properties["toPort"]} {r.Properties["cidrIpv4"]}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(["9200-9200 10.20.0.0/16", "9300-9300 10.20.0.0/16"], egress);
    }

    [Fact]
    public void Alb_Region_GetsATransportOnlyNlb()
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "alb", state: "active"),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16"));

        var alb = stack.Program.Resource("dub-lb");
        var nlb = stack.Program.Resource("dub-lb-transport");
        var listeners = stack.OfType("aws:lb/listener:Listener").Where(l => l.Name.StartsWith("dub-", StringComparison.Ordinal)).ToList();
        var group = stack.Program.Resource("dub-lb-transport-tg");
        var egress = stack.OfType(EgressRule)
            .Where(r => (string)r.Properties["securityGroupId"] == "${dub-lb-transport-sg.id}")
            .Select(r => $"{r.Properties["fromPort"]} {r.Properties["cidrIpv4"]}")
            .Order(StringComparer.Ordinal);

        Assert.Equal("application", alb.Properties["loadBalancerType"]);
        Assert.Equal("network", nlb.Properties["loadBalancerType"]);
        Assert.Equal(false, nlb.Properties["internal"]);
        Assert.Equal(new List<object> { "${dub-lb-transport-sg.id}" }, nlb.Properties["securityGroups"]);
        Assert.Equal(alb.Properties["subnets"], nlb.Properties["subnets"]);
        // The ALB keeps 9200 only; the transport NLB has 9300 only.
        Assert.Equal(["dub-lb-9200 ${dub-lb.arn}", "dub-lb-transport-9300 ${dub-lb-transport.arn}"],
            listeners.Select(l => $"{l.Name} {l.Properties["loadBalancerArn"]}"));
        Assert.Equal("TCP", stack.Program.Resource("dub-lb-transport-9300").Properties["protocol"]);
        Assert.Equal("9200", group.Properties.Get("healthCheck", "port"));
        Assert.Equal(["9200 10.20.0.0/16", "9300 10.20.0.0/16"], egress);
        Assert.Equal("${dub-lb-transport.dnsName}:9300", AwsAdapter.TransportProxyAddress(stack.Topology.Regions[0], 9300));
        // The regional endpoint is still the ALB's, and the transport NLB is listed with the balancer.
        Assert.Equal("https://${dub-lb.dnsName}:9200", stack.Region("dub").Endpoint);
        Assert.Contains("dub-lb-transport", stack.Region("dub").BalancerResourceNames);
        Assert.Contains("dub-lb-transport-sg", stack.Region("dub").BalancerResourceNames);
    }

    [Fact]
    public void BalancerSecurityGroup_AdmitsTransportOnlyFromOtherRegionsNodes()
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16"),
            AwsTestStack.OvhRegion("gra", "10.40.0.0/24"));

        var transport = BalancerIngress(stack, "dub").Where(r => (int)r.Properties["fromPort"] == 9300).ToList();

        // Each other region's node address once (the OVH nodes share their gateway's); not the VPC, not the clients.
        Assert.Equal(
            ["${gra-gw.externalInformations[0].ips[0].ip}/32", "${iad-es-1.publicIp}/32", "${iad-es-2.publicIp}/32", "${iad-es-3.publicIp}/32"],
            transport.Select(r => (string)r.Properties["cidrIpv4"]).Order(StringComparer.Ordinal));
        Assert.All(transport, r => Assert.Equal(9300, r.Properties["toPort"]));
        Assert.All(transport, r => Assert.Contains(r.Name, stack.Region("dub").BalancerResourceNames));
    }

    [Fact]
    public void TransportOnlyNlb_AdmitsOnlyTheOtherRegionsNodes_OnlyOnTheTransportPort()
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "alb", state: "active"),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16"));

        var ingress = stack.OfType(IngressRule)
            .Where(r => (string)r.Properties["securityGroupId"] == "${dub-lb-transport-sg.id}")
            .Select(r => $"{r.Properties["fromPort"]}-{r.Properties["toPort"]} {r.Properties["cidrIpv4"]}");
        var albTransport = BalancerIngress(stack, "dub").Where(r => (int)r.Properties["fromPort"] == 9300);

        Assert.Equal(["9300-9300 ${iad-es-1.publicIp}/32", "9300-9300 ${iad-es-2.publicIp}/32", "9300-9300 ${iad-es-3.publicIp}/32"], ingress);
        Assert.Empty(albTransport);
    }

    [Theory]
    [MemberData(nameof(BalancerKinds))]
    public void SingleRegion_HasNoTransportPath_AndNoTransportRule(string balancer)
    {
        var stack = AwsTestStack.Build(AwsTestStack.AwsRegion("dub", "10.20.0.0/16", balancer, state: "active"));

        Assert.DoesNotContain(stack.Program.Resources, r => r.Name.Contains("transport", StringComparison.Ordinal));
        Assert.DoesNotContain(stack.OfType("aws:lb/listener:Listener"), l => (int)l.Properties["port"] == 9300);
        Assert.DoesNotContain(stack.OfType(IngressRule),
            r => (int)r.Properties["fromPort"] == 9300 && !((string)r.Properties["securityGroupId"]).Contains("-es-sg", StringComparison.Ordinal));
    }

    [Fact]
    public void AddFirewalls_NodesAdmitTransportFromTheVpc_WhereTheNlbReachesThem()
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "alb", state: "active"),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16"));

        foreach (var region in new[] { ("dub", "10.20.0.0/16"), ("iad", "10.30.0.0/16") })
            Assert.Contains(("9300", region.Item2), NodeIngress(stack, region.Item1));
    }

    [Fact]
    public void Alb_TerminatesTlsWithACertificateSignedByTheStackCa()
    {
        var stack = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "alb", state: "active"));

        var listener = stack.Program.Resource("dub-lb-9200");
        var imported = stack.Program.Resource("dub-lb-acm");
        var signed = stack.Program.Resource("dub-lb-tls-cert");
        var request = stack.Program.Resource("dub-lb-tls-csr");
        var group = stack.Program.Resource("dub-lb-tg");

        Assert.Equal("HTTPS", listener.Properties["protocol"]);
        Assert.Equal("${dub-lb-acm.arn}", listener.Properties["certificateArn"]);
        Assert.Equal("${es-ca-cert.certPem}", imported.Properties["certificateChain"]);
        Assert.Equal("${es-ca-key.privateKeyPem}", signed.Properties["caPrivateKeyPem"]);
        Assert.Equal(new List<object> { "${dub-lb.dnsName}" }, request.Properties["dnsNames"]);
        Assert.Equal("HTTPS", group.Properties["protocol"]);
        Assert.Equal("200", group.Properties.Get("healthCheck", "matcher"));
        Assert.Equal(AwsAdapter.HealthCheckPath, group.Properties.Get("healthCheck", "path"));
    }

    [Fact]
    public void Alb_InOneZone_IsRefusedByTheRules()
    {
        var region = AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "alb", state: "active")
            .Replace("\"zones\":[\"eu-west-1a\",\"eu-west-1b\",\"eu-west-1c\"]", "\"zones\":[\"eu-west-1a\"]", StringComparison.Ordinal);

        Assert.Equal(
            "es-dr:regions[0].zones: an ALB needs subnets in at least two availability zones; list two or more zones or use an NLB",
            AwsTestStack.Refusal("dub", region));
    }

    [Fact]
    public void AddRegion_GivenAnAlbInOneZone_StillRefusesIt()
    {
        // Unreachable through the parser (above); the adapter keeps its own guard.
        var config = AwsTestStack.Config("dub", AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "alb", state: "active"));
        config = config with { Regions = [config.Regions[0] with { Zones = ["eu-west-1a"] }] };

        var error = Assert.Throws<InvalidOperationException>(() => AwsTestStack.Build(config));

        Assert.Equal("region 'dub': an ALB needs subnets in at least two availability zones; list two or more zones or use an NLB", error.Message);
    }

    [Fact]
    public void HaProxy_OnAws_IsRefusedByTheRules()
    {
        var region = AwsTestStack.AwsRegion("dub", "10.20.0.0/16", "haproxy", state: "active");

        Assert.Equal(
            "es-dr:regions[0].loadBalancer.kind: 'haproxy' is not available on aws; use 'nlb' or 'alb'",
            AwsTestStack.Refusal("dub", region));
    }

    [Fact]
    public void AddRegion_GivenHaProxy_StillRefusesIt()
    {
        // Unreachable through the parser (above); without the guard the adapter would emit an ALB instead.
        var config = AwsTestStack.Config("dub", AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"));
        config = config with { Regions = [config.Regions[0] with { LoadBalancer = new(BalancerKind.HaProxy, null) }] };

        var error = Assert.Throws<NotSupportedException>(() => AwsTestStack.Build(config));

        Assert.Equal("region 'dub': AWS regions are fronted by an NLB or an ALB, not 'haproxy'", error.Message);
    }

    [Theory]
    [InlineData("\"image\":\"ami-0123456789abcdef0\",", "")]
    [InlineData("\"image\":\"ami-0123456789abcdef0\"", "\"image\":\"debian-12-amd64\"")]
    public void AwsRegion_WithoutAnAmi_IsRefusedByTheRules(string image, string replacement)
    {
        var region = AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active").Replace(image, replacement, StringComparison.Ordinal);

        Assert.Equal(
            "es-dr:regions[0].image: AWS regions need the id of a Debian 12 AMI in that region (ami-…; Debian's owner id is 136693071363)",
            AwsTestStack.Refusal("dub", region));
    }

    [Fact]
    public void AddRegion_GivenNoImage_StillRefusesItNamingTheKey()
    {
        // Unreachable through the parser (above); the adapter needs the image and says which key is missing.
        var config = AwsTestStack.Config("dub", AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active"));
        config = config with { Regions = [config.Regions[0] with { Image = null }] };

        var error = Assert.Throws<InvalidOperationException>(() => AwsTestStack.Build(config));

        Assert.Equal($"region 'dub': AWS regions need 'image', the id of a Debian 12 AMI in eu-west-1 (owner {AwsAdapter.DebianImageOwner})", error.Message);
    }

    [Fact]
    public void Instances_SitOnTheirFixedPrivateAddresses_InTheirZonesSubnet()
    {
        var stack = AwsTestStack.Build();

        var dub = stack.Topology.Regions.Single(r => r.Name == "dub");
        foreach (var node in dub.Nodes)
        {
            var instance = stack.Program.Resource(node.LogicalName);
            Assert.Equal(node.PrivateIp, instance.Properties["privateIp"]);
            Assert.Equal($"${{dub-subnet-{node.Zone}.id}}", instance.Properties["subnetId"]);
            Assert.Equal(AwsTestStack.Ami, instance.Properties["ami"]);
            Assert.Equal("r6i.large", instance.Properties["instanceType"]);
            Assert.Equal(node.Name, instance.Properties.Get("tags", "Name"));
            Assert.Equal(new List<object> { "${dub-es-sg.id}" }, instance.Properties["vpcSecurityGroupIds"]);
        }
        Assert.Equal(["10.20.0.0/18", "10.20.64.0/18", "10.20.128.0/18"],
            stack.InRegion("dub").Where(r => r.Type == "aws:ec2/subnet:Subnet").Select(r => (string)r.Properties["cidrBlock"]));
    }

    [Fact]
    public void Instances_IgnoreUserDataImageAndSizeChanges_SoOnlyAGenerationBumpReplacesANode()
    {
        var stack = AwsTestStack.Build();

        Assert.All(stack.OfType(Instance), i =>
        {
            Assert.Contains("userData", i.Options.IgnoreChanges!);
            Assert.Contains("ami", i.Options.IgnoreChanges!);
            Assert.Contains("instanceType", i.Options.IgnoreChanges!);
            Assert.StartsWith("#cloud-config", (string)i.Properties["userData"], StringComparison.Ordinal);
        });
    }

    [Fact]
    public void GenerationBump_RenamesExactlyThatNodesResources()
    {
        var before = AwsTestStack.Build();
        var bumped = AwsTestStack.Build(
            AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active")
                .Replace("\"volumeGb\":100}", "\"volumeGb\":100,\"nodeGenerations\":{\"2\":2}}", StringComparison.Ordinal),
            AwsTestStack.AwsRegion("iad", "10.30.0.0/16"));

        var removed = before.Program.Resources.Select(r => r.Name).Except(bumped.Program.Resources.Select(r => r.Name)).ToList();
        var added = bumped.Program.Resources.Select(r => r.Name).Except(before.Program.Resources.Select(r => r.Name)).ToList();

        Assert.All(removed, name => Assert.Contains("dub-es-2", name, StringComparison.Ordinal));
        Assert.All(added, name => Assert.Contains("dub-es-2-gen2", name, StringComparison.Ordinal));
        Assert.Equal(
            ["dub-es-2", "dub-es-2-data", "dub-es-2-data-attachment", "dub-es-2-lb-target", "dub-es-2-lb-transport-target"],
            removed.Where(n => !n.Contains("-in-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(
            before.Region("dub").Nodes[1].ResourceNames.Select(n => n.Replace("dub-es-2", "dub-es-2-gen2", StringComparison.Ordinal)),
            bumped.Region("dub").Nodes[1].ResourceNames);
    }

    [Fact]
    public void DataVolume_IsEncryptedGp3_InTheNodesZone_AttachedAsTheDeviceTheOsSees()
    {
        var stack = AwsTestStack.Build();
        var adapter = new AwsAdapter();

        var dub = stack.Topology.Regions.Single(r => r.Name == "dub");
        foreach (var node in dub.Nodes)
        {
            var volume = stack.Program.Resource($"{node.LogicalName}-data");
            var attachment = stack.Program.Resource($"{node.LogicalName}-data-attachment");
            Assert.Equal(node.Zone, volume.Properties["availabilityZone"]);
            Assert.Equal(100, volume.Properties["size"]);
            Assert.Equal("gp3", volume.Properties["type"]);
            Assert.Equal(true, volume.Properties["encrypted"]);
            Assert.Equal("/dev/sdf", attachment.Properties["deviceName"]);
            Assert.Equal($"${{{node.LogicalName}.id}}", attachment.Properties["instanceId"]);
            Assert.Equal("/dev/sdf", adapter.DataVolumeDevice(dub, node));
        }
    }

    [Theory]
    [InlineData("r6i.large", "/dev/sdf")]
    [InlineData("m7g.xlarge", "/dev/sdf")]
    [InlineData("i3en.large", "/dev/sdf")]
    [InlineData("t2.large", "/dev/xvdf")]
    [InlineData("m4.xlarge", "/dev/xvdf")]
    [InlineData("r4.large", "/dev/xvdf")]
    public void DataVolumeDevice_FollowsTheHypervisor(string size, string device)
    {
        var stack = AwsTestStack.Build(AwsTestStack.AwsRegion("dub", "10.20.0.0/16", state: "active", size: size));

        var dub = stack.Topology.Regions[0];

        Assert.Equal(device, new AwsAdapter().DataVolumeDevice(dub, dub.Nodes[0]));
    }

    [Fact]
    public void NodeResources_CarryAddressesAndEveryResourceOfTheNode()
    {
        var stack = AwsTestStack.Build();

        var node = stack.Region("dub").Nodes[0];

        Assert.Equal("${dub-es-1.publicIp}", node.PublicIp);
        Assert.Equal("10.20.0.11", node.PrivateIp);
        Assert.Equal(["dub-es-1", "dub-es-1-data", "dub-es-1-data-attachment", "dub-es-1-lb-target", "dub-es-1-lb-transport-target"], node.ResourceNames);
        Assert.All(node.ResourceNames, n => stack.Program.Resource(n));
        Assert.Equal("10.20.0.11", new AwsAdapter().NetworkHost(node.Node));
    }

    [Fact]
    public void RegionResources_ListTheNetworkAndBalancer()
    {
        var stack = AwsTestStack.Build();

        var dub = stack.Region("dub");

        Assert.Contains("dub-aws", dub.NetworkResourceNames);
        Assert.Contains("dub-vpc", dub.NetworkResourceNames);
        Assert.Contains("dub-es-sg", dub.NetworkResourceNames);
        Assert.Equal(["dub-lb-sg", "dub-lb-sg-egress", "dub-lb", "dub-lb-tg", "dub-lb-9200"], dub.BalancerResourceNames.Take(5));
        Assert.All(dub.NetworkResourceNames.Concat(dub.BalancerResourceNames), n => stack.Program.Resource(n));
    }

    private static List<ProgramResource> BalancerIngress(AwsTestStack stack, string region) =>
        stack.OfType(IngressRule).Where(r => (string)r.Properties["securityGroupId"] == $"${{{region}-lb-sg.id}}").ToList();

    private static IEnumerable<(string Port, string Cidr)> NodeIngress(AwsTestStack stack, string region) =>
        stack.OfType(IngressRule)
            .Where(r => (string)r.Properties["securityGroupId"] == $"${{{region}-es-sg.id}}")
            .Select(r => (((int)r.Properties["fromPort"]).ToString(System.Globalization.CultureInfo.InvariantCulture), (string)r.Properties["cidrIpv4"]));
}
