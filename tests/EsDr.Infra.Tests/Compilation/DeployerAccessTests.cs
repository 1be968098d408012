using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Tests.Support;
using static EsDr.Infra.Tests.Clouds.LinodeDigitalOceanHarness;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>
/// The machine running <c>pulumi up</c> (<c>es-dr:deployer</c>) reaches what a multi-region deploy calls — every
/// regional endpoint's data port (the replication set-up) and the SSH of the HAProxy VMs whose config it pushes —
/// and nothing else; the monitoring host, where recovery re-runs the stack, pushes too.
/// </summary>
public class DeployerAccessTests
{
    private const string MonitoringSource = "${" + MonitoringSite.AddressLogicalName + ".address}/32";

    private static (PulumiProgram Program, string Deployer) Compile(string file)
    {
        var stack = Repository.Load(file);
        var config = StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys);
        return (StackCompilation.Compile(config).Program, Assert.Single(config.Deployer!.Cidrs));
    }

    private static List<PMap> Inbounds(PulumiProgram program, string firewall) =>
        List(program.Resource(firewall).Properties["inbounds"]).Select(Map).ToList();

    private static List<string> Sources(PulumiProgram program, string firewall, string label) =>
        Strings(Inbounds(program, firewall).Single(r => (string)r["label"] == label)["ipv4s"]);

    [Theory]
    [MemberData(nameof(ExampleStacks))]
    public void EveryExampleStack_ThatReachesIntoItsRegions_NamesItsDeployer(string file)
    {
        var stack = Repository.Load(file);
        var config = StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys);

        var reaches = DeployReach.ReplicationFollowers(config).Count + DeployReach.PushedHaproxies(config).Count > 0;

        Assert.Equal(reaches, config.Deployer is { Cidrs.Count: > 0 });
    }

    public static TheoryData<string> ExampleStacks() => Repository.StackFileData();

    [Fact]
    public void LinodeHaproxy_DeployerAndMonitoringHost_ReachTheVmsSsh_OnlyTheOperatorsReachTheNodesSsh()
    {
        var (program, deployer) = Compile("stacks/Pulumi.linode-python-app.yaml");

        Assert.Equal([deployer, MonitoringSource], Sources(program, "atl-lb-fw", "ssh-deployers"));
        Assert.DoesNotContain(deployer, Sources(program, "atl-lb-fw", "ssh-operators"));
        Assert.DoesNotContain(Inbounds(program, "atl-fw"), r => Strings(r["ipv4s"]).Contains(deployer));
    }

    [Fact]
    public void LinodeHaproxy_Deployer_ReachesTheEndpointAndTheClusterPort_ThatTheReplicationSetUpCalls()
    {
        var (program, deployer) = Compile("stacks/Pulumi.linode-python-app.yaml");

        Assert.Contains(deployer, Sources(program, "ord-lb-fw", "es-clients"));
        Assert.Contains(deployer, Sources(program, "ord-lb-fw", "es-cluster"));
        Assert.DoesNotContain(deployer, Sources(program, "ord-lb-fw", "es-transport-other-regions"));
    }

    [Fact]
    public void NodeBalancer_Deployer_IsAClientOfTheEndpoint_AndNoSshIsOpenedForIt()
    {
        var (program, deployer) = Compile("stacks/Pulumi.linode-shop.yaml");

        Assert.Contains(deployer, Sources(program, "fra-lb-fw", "es-clients"));
        Assert.DoesNotContain(program.Resources.Where(r => r.Type == "linode:index/firewall:Firewall").SelectMany(r => List(r.Properties["inbounds"]).Select(Map)),
            r => (string)r["ports"] == "22" && Strings(r["ipv4s"]).Contains(deployer));
    }

    [Fact]
    public void Aws_Deployer_IsAdmittedOnTheBalancersDataPortOnly()
    {
        var (program, deployer) = Compile("stacks/Pulumi.aws.yaml");

        var rules = program.Resources.Where(r => r.Type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
            && r.Properties.ContainsKey("cidrIpv4") && (string)r.Properties["cidrIpv4"] == deployer).ToList();

        Assert.Equal(["use1-lb-sg", "usw2-lb-sg"], rules.Select(r => ((string)r.Properties["securityGroupId"])[2..^4]).Order(StringComparer.Ordinal));
        Assert.All(rules, r => Assert.Equal((9200, 9200), ((int)r.Properties["fromPort"], (int)r.Properties["toPort"])));
    }

    [Fact]
    public void DigitalOceanBalancer_Deployer_IsOnItsAllowList()
    {
        var (program, deployer) = Compile("stacks/Pulumi.digitalocean.yaml");

        foreach (var balancer in new[] { "nyc-lb", "ams-lb" })
            Assert.Contains($"ip:{deployer[..^3]}", Strings(Map(program.Resource(balancer).Properties["firewall"])["allows"]));
    }

    [Fact]
    public void OvhHaproxy_DeployerAndMonitoringHost_PassTheVmsOwnSshFilter()
    {
        var stack = Repository.Load("stacks/Pulumi.ovh-haproxy.yaml");
        var config = StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys);
        var userData = (string)StackCompilation.Compile(config).Program.Variables["gra-lb-cloud-init"];

        var ssh = System.Text.RegularExpressions.Regex.Match(userData, @"tcp dport 22 ip saddr \{ (.*) \} accept").Groups[1].Value.Split(", ");

        Assert.Equal(["10.60.0.0/24", .. config.Ssh.AllowedCidrs, config.Deployer!.Cidrs[0]], ssh[..^1]);
        // The monitoring host is on AWS here: its Elastic IP.
        Assert.Equal("${" + MonitoringSite.AddressLogicalName + ".publicIp}/32", ssh[^1]);
    }

    [Fact]
    public void OneRegionStack_PushesNothing_SoTheDeployerGetsNoSsh()
    {
        var flat = TestConfig.TwoRegions().With("regions", "[0].loadBalancer", System.Text.Json.Nodes.JsonNode.Parse("""{"kind":"haproxy"}"""));
        var regions = System.Text.Json.Nodes.JsonNode.Parse(flat["es-dr:regions"])!.AsArray();
        flat["es-dr:regions"] = $"[{regions[0]!.ToJsonString()}]";
        var config = TestConfig.Parse(flat);

        var admitted = DeployerAccess.Admit(EsDr.Infra.Topology.TopologyBuilder.Build(config), MonitoringSource);

        Assert.Empty(admitted.DeployerSources);
        Assert.Contains(config.Deployer!.Cidrs[0], admitted.Config.Elasticsearch.ClientCidrs);
    }
}
