using EsDr.Infra.Clouds.Linode;
using EsDr.Infra.Compilation;
using EsDr.Infra.Program;
using static EsDr.Infra.Tests.Clouds.LinodeDigitalOceanHarness;

namespace EsDr.Infra.Tests.Clouds.Linode;

public class LinodeHostTests
{
    private const string Instance = "linode:index/instance:Instance";
    private const string Firewall = "linode:index/firewall:Firewall";
    private const string DbUserData = "#cloud-config\nhostname: shop-fra-db-1\nruncmd:\n  - systemctl enable --now mariadb\n";
    private const string FraDb = "${fra-db-1.ipAddress}/32";
    private const string AmsDb = "${ams-db-1.ipv4Address}/32";

    /// <summary>fra's database primary, admitting its region's network and the replica in ams.</summary>
    private static HostSpec FraDatabase(params InboundRule[] extra) => new(
        "fra-db-1", "shop-fra-db-1", "g6-standard-2", "10.10.0.50", DbUserData,
        [new InboundRule("mysql-private-network", 3306, ["10.10.0.0/24"]), new InboundRule("mysql-replicas", 3306, [AmsDb]), .. extra],
        "database");

    /// <summary>The replica in ams (DigitalOcean), admitting the primary in fra: the two firewalls name each other's VMs.</summary>
    private static readonly HostSpec AmsDatabase = new(
        "ams-db-1", "shop-ams-db-1", "s-2vcpu-4gb", null, "#cloud-config\nhostname: shop-ams-db-1\n",
        [new InboundRule("mysql-primary", 3306, [FraDb])], "database");

    [Fact]
    public void AddHost_CreatesAVmWithItsUserDataOnTheFixedAddress()
    {
        var stack = Build(Fra, Ams);
        var host = stack.AddHost("fra", FraDatabase());
        stack.AddHost("ams", AmsDatabase);
        var vm = stack.Resource("fra-db-1");
        var vpc = Map(Assert.Single(List(vm.Properties["interfaces"])));
        var metadata = Map(Assert.Single(List(vm.Properties["metadatas"])));

        Assert.Equal(Instance, vm.Type);
        Assert.Equal("shop-fra-db-1", vm.Properties["label"]);
        Assert.Equal("g6-standard-2", vm.Properties["type"]);
        Assert.Equal("eu-central", vm.Properties["region"]);
        Assert.Equal(LinodeAdapter.DefaultImage, vm.Properties["image"]);
        Assert.Equal([SshKey], Strings(vm.Properties["authorizedKeys"]));
        Assert.Contains("es-dr-region:fra", Strings(vm.Properties["tags"]));
        // On the region's subnet at the fixed address, the public address NATed onto it, like a node.
        Assert.Equal("${fra-subnet-id.triggers[0]}", vpc["subnetId"]);
        Assert.Equal("10.10.0.50", Map(vpc["ipv4"])["vpc"]);
        Assert.Equal("any", Map(vpc["ipv4"])["nat11"]);
        // The user-data is a program variable, base64-encoded for Linode's metadata service, read at first boot only.
        Assert.Equal("${fra-db-1-user-data}", Map(metadata["userData"])["fn::toBase64"]);
        Assert.Equal(DbUserData, stack.Program.Variables["fra-db-1-user-data"]);
        Assert.Equal(["metadatas", "authorizedKeys", "image"], vm.Options.IgnoreChanges);
        // Its own firewall, attached by its own resource: the firewalls of two hosts name each other's addresses.
        Assert.False(vm.Properties.ContainsKey("firewallId"));
        var device = stack.Resource("fra-db-1-fw-device");
        Assert.Equal("${fra-db-1-fw-id.triggers[0]}", device.Properties["firewallId"]);
        Assert.Equal("${fra-db-1-id.triggers[0]}", device.Properties["entityId"]);

        Assert.Equal("${fra-db-1.ipAddress}", host.PublicIp);
        Assert.Equal("10.10.0.50", host.PrivateIp);
        Assert.Equal(["fra-db-1", "fra-db-1-id", "fra-db-1-fw", "fra-db-1-fw-id", "fra-db-1-fw-device"], host.ResourceNames);
        Assert.All(host.ResourceNames, name => Assert.Single(stack.Program.Resources, r => r.Name == name));
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void AddHost_FirewallAdmitsOnlyTheGivenSourcesAndOperatorSsh()
    {
        var stack = Build(Fra, Ams);
        stack.AddHost("fra", FraDatabase(new InboundRule("exporter-monitoring", 9104, []) /* no monitoring host yet */));
        stack.AddHost("ams", AmsDatabase);
        var firewall = stack.Resource("fra-db-1-fw");
        var rules = List(firewall.Properties["inbounds"]).Select(Map).ToList();

        Assert.Equal(Firewall, firewall.Type);
        Assert.Equal("shop-fra-db-1", firewall.Properties["label"]);
        Assert.Equal("DROP", firewall.Properties["inboundPolicy"]);
        Assert.Equal("ACCEPT", firewall.Properties["outboundPolicy"]);
        // A rule without sources admits nobody, so it is left out (the DROP policy closes the port).
        Assert.Equal(["mysql-private-network", "mysql-replicas", "ssh-operators"], rules.Select(r => (string)r["label"]));
        Assert.All(rules, r => Assert.Equal(("ACCEPT", "TCP"), ((string)r["action"], (string)r["protocol"])));
        Assert.Equal(
            ["3306 from 10.10.0.0/24", $"3306 from {AmsDb}", $"22 from {OperatorCidr}"],
            rules.Select(r => $"{r["ports"]} from {string.Join(" ", Strings(r["ipv4s"]))}"));
        Assert.All(rules, r => Assert.False(r.ContainsKey("ipv6s")));
        // The firewalls name each other's VMs by address, yet no VM depends on the other: only the firewall
        // does, and nothing but its own VM names it.
        Assert.DoesNotContain(Texts(stack.Resource("fra-db-1").Properties), t => t.Contains("ams-db-1", StringComparison.Ordinal));
        Assert.Null(stack.Resource("fra-db-1").Options.DependsOn);
        Assert.Equal(["${fra-db-1-fw.id}"], Strings(stack.Resource("fra-db-1-fw-id").Properties["triggers"]));
        Assert.Empty(stack.Problems);
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    public void AddHost_InternetWideSource_IsRefused(string source)
    {
        var stack = Build(Fra, Ams);
        var resources = stack.Program.Resources.Count;

        var error = Assert.Throws<InvalidOperationException>(() =>
            stack.AddHost("fra", FraDatabase(new InboundRule("mysql-anywhere", 3306, ["10.10.0.0/24", source]))));

        Assert.Contains("mysql-anywhere", error.Message, StringComparison.Ordinal);
        Assert.Contains(source, error.Message, StringComparison.Ordinal);
        // Nothing half-built is left behind.
        Assert.Equal(resources, stack.Program.Resources.Count);
        Assert.False(stack.Program.Variables.ContainsKey("fra-db-1-user-data"));
    }

    [Fact]
    public void AddHost_WithoutAFixedAddressInTheRegion_IsRefused()
    {
        var stack = Build(Fra, Ams);

        Assert.Throws<InvalidOperationException>(() => stack.AddHost("fra", FraDatabase() with { PrivateIp = null }));
        Assert.Throws<InvalidOperationException>(() => stack.AddHost("fra", FraDatabase() with { PrivateIp = "10.99.0.50" }));
    }

    [Fact]
    public void AddHost_EveryResource_PinsItsPackageVersion()
    {
        var stack = Build(Fra, Ams);
        var host = stack.AddHost("fra", FraDatabase());
        stack.AddHost("ams", AmsDatabase);

        Assert.All(host.ResourceNames.Select(stack.Resource), r => Assert.Equal(ProviderPackages.VersionOf(r.Package), r.Options.Version));
    }

    /// <summary>Every string anywhere in a property tree.</summary>
    private static IEnumerable<string> Texts(object value) => value switch
    {
        string s => [s],
        PMap map => map.SelectMany(kv => Texts(kv.Value)),
        System.Collections.IEnumerable list => list.Cast<object>().SelectMany(Texts),
        _ => [],
    };
}
