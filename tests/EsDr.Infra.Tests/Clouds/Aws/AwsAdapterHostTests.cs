using EsDr.Infra.Clouds.Aws;
using EsDr.Infra.Compilation;
using EsDr.Infra.Program;

namespace EsDr.Infra.Tests.Clouds.Aws;

public class AwsAdapterHostTests
{
    private const string IngressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    private const string EgressRule = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
    private const string UserData = "#cloud-config\nhostname: shop-dub-db-1\n";

    /// <summary>dub's first subnet is 10.20.0.0/18 (eu-west-1a); iad's 10.30.0.0/18.</summary>
    private static HostSpec Database(string region, string ip, params InboundRule[] inbound) =>
        new($"{region}-db-1", $"shop-{region}-db-1", "r6i.large", ip, UserData, inbound, "database");

    private static InboundRule MySql(params string[] sources) => new("mysql", 3306, sources);

    [Fact]
    public void AddHost_CreatesAVmWithItsUserDataOnTheFixedAddress()
    {
        var stack = AwsTestStack.Build();
        Assert.Equal("10.20.0.0/18", stack.Topology.Regions[0].Network.Subnets[0].Cidr);

        var host = stack.AddHost("dub", Database("dub", "10.20.0.20", MySql("10.20.0.0/16")));

        var vm = stack.Program.Resource("dub-db-1");
        Assert.Equal("aws:ec2/instance:Instance", vm.Type);
        Assert.Equal(AwsTestStack.Ami, vm.Properties["ami"]);
        Assert.Equal("r6i.large", vm.Properties["instanceType"]);
        Assert.Equal("${dub-subnet-eu-west-1a.id}", vm.Properties["subnetId"]);
        Assert.Equal("10.20.0.20", vm.Properties["privateIp"]);
        Assert.Equal(true, vm.Properties["associatePublicIpAddress"]);
        Assert.Equal(UserData, vm.Properties["userData"]);
        Assert.Equal(["${dub-db-1-sg.id}"], (IEnumerable<object>)vm.Properties["vpcSecurityGroupIds"]);
        Assert.Equal("required", vm.Properties.Get("metadataOptions", "httpTokens"));
        Assert.Equal(true, vm.Properties.Get("rootBlockDevice", "encrypted"));
        Assert.Equal("shop-dub-db-1", vm.Properties.Get("tags", "Name"));
        Assert.Equal("${dub-aws}", vm.Options.Provider);
        Assert.Equal(["userData", "ami", "instanceType"], vm.Options.IgnoreChanges!);
        // Outbound and the internet route exist at first boot, when cloud-init installs the database.
        Assert.Equal(["dub-db-1-sg-egress", "dub-default-route", "dub-rta-eu-west-1a"], vm.Options.DependsOn!);

        Assert.Equal("${dub-db-1.publicIp}", host.PublicIp);
        Assert.Equal("10.20.0.20", host.PrivateIp);
        Assert.Equal(["dub-db-1", "dub-db-1-sg", "dub-db-1-sg-egress", "dub-db-1-sg-in-mysql-10-20-0-0-16", "dub-db-1-sg-in-ssh-203-0-113-0-24"],
            host.ResourceNames);
        Assert.All(host.ResourceNames, n => Assert.Equal("${dub-aws}", stack.Program.Resource(n).Options.Provider));
        var problems = stack.Problems();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void AddHost_SecurityGroupAdmitsOnlyTheGivenSourcesAndOperatorSsh()
    {
        var stack = AwsTestStack.Build();

        // Primary and replica admit each other: rules name the other host, the VMs never wait for each other.
        stack.AddHost("dub", Database("dub", "10.20.0.20", MySql("10.20.0.0/16", "${iad-db-1.publicIp}/32", "10.20.0.0/16")));
        stack.AddHost("iad", Database("iad", "10.30.0.20", MySql("10.30.0.0/16", "${dub-db-1.publicIp}/32")));

        var group = stack.Program.Resource("dub-db-1-sg");
        Assert.Equal("${dub-vpc.id}", group.Properties["vpcId"]);
        Assert.False(group.Properties.ContainsKey("ingress"));
        Assert.False(group.Properties.ContainsKey("egress"));
        var ingress = stack.OfType(IngressRule).Where(r => (string)r.Properties["securityGroupId"] == "${dub-db-1-sg.id}")
            .Select(r => $"{r.Properties["ipProtocol"]} {r.Properties["fromPort"]}-{r.Properties["toPort"]} {r.Properties["cidrIpv4"]}");
        Assert.Equal(
            ["tcp 3306-3306 10.20.0.0/16", "tcp 3306-3306 ${iad-db-1.publicIp}/32", $"tcp 22-22 {AwsTestStack.OperatorsCidr}"],
            ingress);
        var egress = Assert.Single(stack.OfType(EgressRule), r => (string)r.Properties["securityGroupId"] == "${dub-db-1-sg.id}");
        Assert.Equal(("-1", "0.0.0.0/0"), ((string)egress.Properties["ipProtocol"], (string)egress.Properties["cidrIpv4"]));
        // Neither VM refers to the other host, directly or through a dependency.
        foreach (var vm in new[] { "dub-db-1", "iad-db-1" })
        {
            var instance = stack.Program.Resource(vm);
            Assert.DoesNotContain(instance.Options.DependsOn!, d => d.Contains("-db-1-sg-in-", StringComparison.Ordinal));
            var other = vm == "dub-db-1" ? "iad-db-1" : "dub-db-1";
            Assert.DoesNotContain("${" + other, ProgramYamlWriter.Write(Only(instance)), StringComparison.Ordinal);
        }
        Assert.All(stack.Program.Resources.Where(r => r.Name.StartsWith("dub-db-1-sg", StringComparison.Ordinal)),
            r => Assert.Matches(@"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}$", (string)r.Properties["description"]));
        var problems = stack.Problems();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    public void AddHost_InternetWideSource_IsRefused(string source)
    {
        var stack = AwsTestStack.Build();
        var before = stack.Program.Resources.Count;

        var error = Assert.Throws<InvalidOperationException>(() =>
            stack.AddHost("dub", Database("dub", "10.20.0.20", MySql("10.20.0.0/16", source))));

        Assert.Equal($"host shop-dub-db-1: inbound rule 'mysql' (port 3306) admits {source}, the whole internet; list the networks that need it", error.Message);
        Assert.Equal(before, stack.Program.Resources.Count);
    }

    [Theory]
    [InlineData("10.20.64.20")] // the second subnet
    [InlineData("10.20.0.2")] // reserved by AWS
    [InlineData("10.20.0.11")] // an Elasticsearch node
    public void AddHost_AddressOutsideTheFirstSubnetOrTaken_IsRefused(string ip)
    {
        var stack = AwsTestStack.Build();

        var error = Assert.Throws<InvalidOperationException>(() => stack.AddHost("dub", Database("dub", ip, MySql("10.20.0.0/16"))));

        Assert.StartsWith($"AWS host shop-dub-db-1: '{ip}' ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddHost_SecurityGroupName_IsTheHostsLogicalName()
    {
        Assert.Equal("dub-db-1-sg", AwsAdapter.HostSecurityGroupName(Database("dub", "10.20.0.20")));
    }

    private static PulumiProgram Only(ProgramResource resource)
    {
        var program = new PulumiProgram("one");
        program.Resources.Add(resource);
        return program;
    }
}
