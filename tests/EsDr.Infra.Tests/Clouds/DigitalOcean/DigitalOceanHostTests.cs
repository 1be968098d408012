using EsDr.Infra.Clouds.DigitalOcean;
using EsDr.Infra.Compilation;
using EsDr.Infra.Program;
using static EsDr.Infra.Tests.Clouds.LinodeDigitalOceanHarness;

namespace EsDr.Infra.Tests.Clouds.DigitalOcean;

public class DigitalOceanHostTests
{
    private const string Droplet = "digitalocean:index/droplet:Droplet";
    private const string Firewall = "digitalocean:index/firewall:Firewall";
    private const string TagType = "digitalocean:index/tag:Tag";
    private const string DbUserData = "#cloud-config\nhostname: shop-ams-db-1\nruncmd:\n  - systemctl enable --now mariadb\n";
    private const string FraDb = "${fra-db-1.ipAddress}/32";
    private const string AmsDb = "${ams-db-1.ipv4Address}/32";

    /// <summary>ams's database primary, admitting its region's network and the replica in fra.</summary>
    private static HostSpec AmsDatabase(params InboundRule[] extra) => new(
        "ams-db-1", "shop-ams-db-1", "s-2vcpu-4gb", null, DbUserData,
        [new InboundRule("mysql-private-network", 3306, ["10.30.0.0/24"]), new InboundRule("mysql-replicas", 3306, [FraDb]), .. extra],
        "database");

    /// <summary>The replica in fra (Linode), admitting the primary in ams: the two firewalls name each other's VMs.</summary>
    private static readonly HostSpec FraDatabase = new(
        "fra-db-1", "shop-fra-db-1", "g6-standard-2", "10.10.0.50", "#cloud-config\nhostname: shop-fra-db-1\n",
        [new InboundRule("mysql-primary", 3306, [AmsDb])], "database");

    [Fact]
    public void AddHost_CreatesADropletWithItsUserDataInTheVpc()
    {
        var stack = Build(Ams, Fra);
        var host = stack.AddHost("ams", AmsDatabase());
        stack.AddHost("fra", FraDatabase);
        var vm = stack.Resource("ams-db-1");
        var key = Assert.Single(stack.Program.Resources, r => r.Type == "digitalocean:index/sshKey:SshKey");

        Assert.Equal(Droplet, vm.Type);
        Assert.Equal("shop-ams-db-1", vm.Properties["name"]);
        Assert.Equal("s-2vcpu-4gb", vm.Properties["size"]);
        Assert.Equal("ams3", vm.Properties["region"]);
        Assert.Equal(DigitalOceanAdapter.DefaultImage, vm.Properties["image"]);
        Assert.Equal("${ams-vpc.id}", vm.Properties["vpcUuid"]);
        Assert.Equal([key.Out("fingerprint")], Strings(vm.Properties["sshKeys"]));
        // The stack's tags and its own, which its firewall selects; not the nodes' tag (their firewall).
        var tags = Strings(vm.Properties["tags"]);
        Assert.Contains("es-dr-region:ams", tags);
        Assert.Contains("${ams-db-1-tag.name}", tags);
        Assert.DoesNotContain("${ams-es-tag.name}", tags);
        Assert.Equal(TagType, stack.Resource("ams-db-1-tag").Type);
        Assert.Equal("shop-ams-db-1", stack.Resource("ams-db-1-tag").Properties["name"]);
        // Plain-text user-data, read at first boot only.
        Assert.Equal(DbUserData, vm.Properties["userData"]);
        Assert.Equal(["userData", "sshKeys", "image"], vm.Options.IgnoreChanges);
        Assert.False(vm.Properties.ContainsKey("volumeIds"));

        // DigitalOcean cannot fix private addresses: the caller learns the droplet's.
        Assert.Equal("${ams-db-1.ipv4Address}", host.PublicIp);
        Assert.Equal("${ams-db-1.ipv4AddressPrivate}", host.PrivateIp);
        Assert.Equal(["ams-db-1", "ams-db-1-tag", "ams-db-1-fw"], host.ResourceNames);
        Assert.All(host.ResourceNames, name => Assert.Single(stack.Program.Resources, r => r.Name == name));
        Assert.Empty(stack.Problems);
    }

    [Fact]
    public void AddHost_FirewallAdmitsOnlyTheGivenSourcesAndOperatorSsh()
    {
        var stack = Build(Ams, Fra);
        stack.AddHost("ams", AmsDatabase(new InboundRule("exporter-monitoring", 9104, []) /* no monitoring host yet */));
        stack.AddHost("fra", FraDatabase);
        var firewall = stack.Resource("ams-db-1-fw");
        var rules = List(firewall.Properties["inboundRules"]).Select(Map).ToList();

        Assert.Equal(Firewall, firewall.Type);
        Assert.Equal("shop-ams-db-1", firewall.Properties["name"]);
        Assert.Equal(["${ams-db-1-tag.name}"], Strings(firewall.Properties["tags"]));
        // A rule without sources admits nobody, so it is left out (the firewall drops what no rule admits).
        Assert.Equal(
            ["3306 from 10.30.0.0/24", $"3306 from {FraDb}", $"22 from {OperatorCidr}"],
            rules.Select(r => $"{r["portRange"]} from {string.Join(" ", Strings(r["sourceAddresses"]))}"));
        Assert.All(rules, r => Assert.Equal("tcp", r["protocol"]));
        Assert.All(rules, r => Assert.False(r.ContainsKey("sourceLoadBalancerUids")));
        // Outbound open: packages, replication to other regions.
        var outbound = List(firewall.Properties["outboundRules"]).Select(Map).ToList();
        Assert.Equal(["tcp", "udp", "icmp"], outbound.Select(r => (string)r["protocol"]));
        // The firewall names the other region's VM by address and selects its droplet by tag: the droplet itself
        // depends on neither.
        var droplet = stack.Resource("ams-db-1");
        Assert.DoesNotContain(Texts(droplet.Properties), t => t.Contains("fra-db-1", StringComparison.Ordinal) || t.Contains("-fw", StringComparison.Ordinal));
        Assert.Null(droplet.Options.DependsOn);
        Assert.Empty(stack.Problems);
    }

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    public void AddHost_InternetWideSource_IsRefused(string source)
    {
        var stack = Build(Ams, Fra);
        var resources = stack.Program.Resources.Count;

        var error = Assert.Throws<InvalidOperationException>(() =>
            stack.AddHost("ams", AmsDatabase(new InboundRule("mysql-anywhere", 3306, ["10.30.0.0/24", source]))));

        Assert.Contains("mysql-anywhere", error.Message, StringComparison.Ordinal);
        Assert.Contains(source, error.Message, StringComparison.Ordinal);
        // Nothing half-built is left behind.
        Assert.Equal(resources, stack.Program.Resources.Count);
    }

    [Fact]
    public void AddHost_AFixedPrivateAddress_IsRefused()
    {
        var stack = Build(Ams, Fra);

        Assert.Throws<InvalidOperationException>(() => stack.AddHost("ams", AmsDatabase() with { PrivateIp = "10.30.0.50" }));
    }

    [Fact]
    public void AddHost_EveryResource_PinsItsPackageVersion()
    {
        var stack = Build(Ams, Fra);
        var host = stack.AddHost("ams", AmsDatabase());
        stack.AddHost("fra", FraDatabase);

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
