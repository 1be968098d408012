using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Database;
using EsDr.Infra.Tests.Renderers;
using EsDr.Infra.Tests.Support;
using EsDr.Infra.Topology;
using YamlDotNet.RepresentationModel;
using static EsDr.Infra.Tests.Clouds.LinodeDigitalOceanHarness;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>The database tier as compiled for the example stacks that have one (Linode, AWS, DigitalOcean; MariaDB and MySQL).</summary>
public class DatabaseTierTests
{
    public static TheoryData<string> StacksWithDatabase() =>
        ["Pulumi.prod.yaml", "Pulumi.dev.yaml", "stacks/Pulumi.aws.yaml", "stacks/Pulumi.digitalocean.yaml", "stacks/Pulumi.linode-python-app.yaml", "stacks/Pulumi.linode-shop.yaml", "stacks/Pulumi.ovh-haproxy.yaml"];

    internal static StackCompilation Compile(string file, Func<Dictionary<string, string>, Dictionary<string, string>>? change = null)
    {
        var stack = Repository.Load(file);
        var config = stack.Config.ToDictionary(k => k.Key, k => k.Value);
        return StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, change?.Invoke(config) ?? config, stack.SecretKeys));
    }

    internal static string UserData(StackCompilation compiled, string hostName) =>
        Assert.Single(compiled.Files, f => f.Host == hostName && f.Path == "user-data (cloud-init)").Text;

    /// <summary>The content of a file the user-data writes, as cloud-init will write it.</summary>
    internal static string WrittenFile(string userData, string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(userData));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var files = (YamlSequenceNode)root.Children[new YamlScalarNode("write_files")];
        var file = files.Cast<YamlMappingNode>().Single(f => ((YamlScalarNode)f.Children[new YamlScalarNode("path")]).Value == path);
        var content = ((YamlScalarNode)file.Children[new YamlScalarNode("content")]).Value!;
        return file.Children.TryGetValue(new YamlScalarNode("encoding"), out var encoding) && ((YamlScalarNode)encoding).Value == CloudConfigCompression.Encoding
            ? CloudConfigCompression.Decompress(content)
            : content;
    }

    [Theory]
    [MemberData(nameof(StacksWithDatabase))]
    public void EveryDatabaseHost_IsInTheProgram_AndTheProgramIsValid(string file)
    {
        var compiled = Compile(file);

        Assert.Empty(compiled.Problems);
        var hosts = compiled.Topology.Regions.Where(r => r.Database is not null).ToList();
        Assert.NotEmpty(hosts);
        Assert.Single(hosts, r => r.Database!.Role == MySqlRole.Primary && r.Name == compiled.Config.ActiveRegion);
        Assert.All(hosts, r => Assert.Single(compiled.Program.Resources, x => x.Name == r.Database!.LogicalName));
    }

    [Theory]
    [MemberData(nameof(StacksWithDatabase))]
    public async Task DatabaseUserData_PassesCloudInitSchema_AndOvhHostRulesPassNft(string file)
    {
        var compiled = Compile(file);
        using var dir = new TempDir();

        foreach (var region in compiled.Topology.Regions.Where(r => r.Database is not null))
        {
            var path = dir.Write($"{region.Name}-db.yaml", UserData(compiled, region.Database!.Name));
            var (exitCode, output) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", path);
            Assert.True(exitCode == 0, $"{region.Name}: {output}");
            Assert.Contains("Valid cloud-config", output, StringComparison.Ordinal);
            // Without a cloud firewall (OVH) the host's own rules must load: checked by the real nft.
            if (region.Cloud != Cloud.Ovh) continue;
            var rules = dir.Write($"{region.Name}-db.nft", WrittenFile(UserData(compiled, region.Database!.Name), EsDr.Infra.Renderers.NftablesRules.ConfigFile));
            var (nftExit, nftOutput) = await RealTool.RunAsync("nft", "-c", "-f", rules);
            Assert.True(nftExit == 0, $"{region.Name}: {nftOutput}");
        }
    }

    /// <summary>
    /// The host writes exactly what the tested renderers produce (the ones the real-MariaDB test runs): my.cnf for its
    /// role and stable server id, the accounts on every host, and on a replica the replication source, the primary's
    /// public address, with the chain checked against the stack CA.
    /// </summary>
    [Theory]
    [MemberData(nameof(StacksWithDatabase))]
    public void DatabaseUserData_WritesTheTestedRenderersOutput(string file)
    {
        var compiled = Compile(file);
        var settings = compiled.Config.Database!;
        var flavor = settings.Engine == DatabaseEngine.MySql ? MySqlFlavor.MySql : MySqlFlavor.MariaDb;
        var primary = compiled.Topology.Active.Database!;

        for (var i = 0; i < compiled.Config.Regions.Count; i++)
        {
            var region = compiled.Topology.Regions[i];
            if (region.Database is not { } db) continue;
            var userData = UserData(compiled, db.Name);
            var role = region.Name == compiled.Config.ActiveRegion ? MySqlRole.Primary : MySqlRole.Replica;
            var expectedCnf = MyCnf.Render(new MySqlServerSettings(role, (uint)i + 1, db.PrivateIp ?? "0.0.0.0", DatabaseHostCloudInit.TlsFiles)
            {
                Flavor = flavor,
                SemiSync = settings.SemiSync,
            });
            var expectedSql = ReplicationBootstrap.PrimarySql(new ReplicationAccount(["%"], "${db-repl-password.result}") { Flavor = flavor })
                + new RecoveryAdminAccount("${db-admin-password.result}") { Flavor = flavor }.Sql();
            if (compiled.Config.Monitoring is not null) expectedSql += new MonitorAccount("${db-monitor-password.result}") { Flavor = flavor }.Sql();
            if (role == MySqlRole.Replica)
            {
                expectedSql += ReplicationBootstrap.ReplicaSql(new ReplicaSource($"${{{primary.LogicalName}-public-address}}", "${db-repl-password.result}", DatabaseHostCloudInit.CaFile)
                {
                    Flavor = flavor,
                    VerifyServerCertificate = false,
                });
                if (flavor == MySqlFlavor.MySql) expectedSql = "SET GLOBAL super_read_only = OFF;\n" + expectedSql + "SET GLOBAL super_read_only = ON;\n";
            }

            Assert.Equal(expectedCnf, WrittenFile(userData, DatabaseHostCloudInit.ConfigFile(flavor)));
            Assert.Equal(expectedSql, WrittenFile(userData, DatabaseHostCloudInit.BootstrapFile));
            Assert.Equal($"${{{db.LogicalName}-cert-b64}}", WrittenFile(userData, DatabaseHostCloudInit.CertificateFile));
            Assert.Equal(role, db.Role);
        }
    }

    [Fact]
    public void ServerIds_AreUniqueAcrossTheStack()
    {
        var compiled = Compile("Pulumi.prod.yaml");

        var ids = compiled.Topology.Regions.Select(r => r.Database!.ServerId).ToList();

        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.DoesNotContain(0u, ids);
    }

    /// <summary>
    /// 3306 admits exactly the other database hosts (the addresses their traffic leaves from), the region's own
    /// application servers and, in a stack with monitoring, the monitoring host's reserved address. Behind an OVH
    /// HAProxy VM that is split: the VM's mysql frontend admits the peers and the monitoring host (in the pushed
    /// config; at first boot only the monitoring host), the host's own nftables the VM and the application servers.
    /// </summary>
    [Theory]
    [MemberData(nameof(StacksWithDatabase))]
    public void Port3306_AdmitsExactlyThePeersTheRegionsApplicationServersAndTheMonitoringHost(string file)
    {
        var compiled = Compile(file);
        var program = compiled.Program;
        var dbs = compiled.Topology.Regions.Where(r => r.Database is not null).ToList();
        string[] monitoring = compiled.Config.Monitoring is { } m
            ? [$"${{{MonitoringSite.AddressLogicalName}.{(m.Cloud == Cloud.Aws ? "publicIp" : "address")}}}/32"]
            : [];

        foreach (var region in dbs)
        {
            var db = region.Database!;
            // A peer behind an OVH HAProxy VM leaves through its region's gateway; the others from their own address.
            var peers = dbs.Where(r => r != region)
                .Select(r => $"${{{r.Database!.LogicalName}-{(r.Cloud == Cloud.Ovh ? "source" : "public")}-address}}/32");
            var apps = region.Applications.Select(a => $"{a.PrivateIp ?? Ref.To(a.LogicalName, "ipv4AddressPrivate")}/32");
            if (region.Cloud == Cloud.Ovh)
            {
                Assert.Equal([.. peers.Concat(monitoring).Order(StringComparer.Ordinal)],
                    HaproxyMysqlSources(compiled, region, "pushed").Order(StringComparer.Ordinal));
                Assert.Equal(monitoring, HaproxyMysqlSources(compiled, region, "first boot"));
                Assert.Equal([.. apps.Prepend($"{region.Balancer.PrivateIp}/32").Order(StringComparer.Ordinal)],
                    NftSources(UserData(compiled, db.Name), 3306).Order(StringComparer.Ordinal));
                continue;
            }
            var expected = peers.Concat(apps).Concat(monitoring).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(expected, Sources(program, region, db, 3306).Order(StringComparer.Ordinal).ToList());
            Assert.All(Sources(program, region, db, 3306), s => Assert.DoesNotMatch(@"/0$", s));
        }
    }

    /// <summary>The sources the region's HAProxy VM admits to its mysql frontend, in its first-boot or pushed config.</summary>
    private static List<string> HaproxyMysqlSources(StackCompilation compiled, RegionTopology region, string which)
    {
        var config = Assert.Single(compiled.Files, f => f.Region == region.Name && f.Path == $"{EsDr.Infra.Renderers.CloudInit.HaproxyConfigFile} ({which})").Text;
        var frontend = config.Split("\n\n").Select(s => s.Split('\n')).Single(s => s[0] == "frontend mysql").Select(l => l.Trim()).ToList();
        var reject = Assert.Single(frontend, l => l.StartsWith("tcp-request connection reject", StringComparison.Ordinal));
        return reject == "tcp-request connection reject" ? [] : [.. Regex.Match(reject, @"\{ src (.*) \}$").Groups[1].Value.Split(' ')];
    }

    /// <summary>The sources a host's own nftables (in its user-data) admit on a port.</summary>
    internal static List<string> NftSources(string userData, int port)
    {
        var rules = WrittenFile(userData, EsDr.Infra.Renderers.NftablesRules.ConfigFile);
        var line = Assert.Single(rules.Split('\n'), l => l.Trim().StartsWith($"tcp dport {port} ", StringComparison.Ordinal));
        return [.. Regex.Match(line, @"saddr \{ (.*) \}").Groups[1].Value.Split(", ")];
    }

    /// <summary>
    /// On OVH the database host has no public interface: other regions reach it at the HAProxy VM's address (the
    /// replica's source, the <c>host</c> output, the monitoring host's target) and admit it by the gateway's address.
    /// </summary>
    [Fact]
    public void OvhDatabase_IsPrivate_ReachedThroughTheHaproxyVm_AndAdmittedByTheGatewayAddress()
    {
        var compiled = Compile("stacks/Pulumi.ovh-haproxy.yaml");
        var program = compiled.Program;
        var regions = Map(program.Outputs["regions"]);

        foreach (var region in compiled.Topology.Regions)
        {
            var db = region.Database!;
            var network = Map(program.Resource(db.LogicalName).Properties["network"]);
            Assert.False((bool)network["public"]);
            Assert.Equal(db.PrivateIp, Map(network["private"])["ip"]);
            Assert.Equal($"{region.Network.Cidr[..region.Network.Cidr.LastIndexOf('.')]}.6", db.PrivateIp);
            Assert.DoesNotContain(program.Resources, r => r.Name == $"{db.LogicalName}-public-ip");
            Assert.Equal($"${{{region.Balancer.LogicalName}-public-ip.stdout}}", program.Variables[$"{db.LogicalName}-public-address"]);
            Assert.Equal($"${{{region.Key}-gw.externalInformations[0].ips[0].ip}}", program.Variables[$"{db.LogicalName}-source-address"]);
            Assert.Equal($"${{{region.Balancer.LogicalName}-public-ip.stdout}}", Map(Map(regions[region.Name])["database"])["host"]);
            Assert.Equal(["server " + db.Name + " " + db.PrivateIp + ":3306"], HaproxyMysqlBackend(compiled, region));
        }
        var replica = compiled.Topology.Regions.Single(r => r.Database!.Role == MySqlRole.Replica).Database!;
        var primary = compiled.Topology.Active;
        Assert.Contains($"MASTER_HOST = '${{{primary.Database!.LogicalName}-public-address}}'",
            WrittenFile(UserData(compiled, replica.Name), DatabaseHostCloudInit.BootstrapFile), StringComparison.Ordinal);
    }

    private static List<string> HaproxyMysqlBackend(StackCompilation compiled, RegionTopology region) =>
        Assert.Single(compiled.Files, f => f.Region == region.Name && f.Path == $"{EsDr.Infra.Renderers.CloudInit.HaproxyConfigFile} (pushed)").Text
            .Split("\n\n").Select(s => s.Split('\n')).Single(s => s[0] == "backend mysql").Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>The sources a host's firewall admits on a port, read from whichever firewall its cloud has.</summary>
    internal static List<string> Sources(PulumiProgram program, RegionTopology region, string logicalName, int port)
    {
        var text = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (region.Cloud)
        {
            case Cloud.Linode:
                return List(program.Resource($"{logicalName}-fw").Properties["inbounds"]).Select(Map)
                    .Where(r => (string)r["ports"] == text).SelectMany(r => Strings(r["ipv4s"])).ToList();
            case Cloud.DigitalOcean:
                return List(program.Resource($"{logicalName}-fw").Properties["inboundRules"]).Select(Map)
                    .Where(r => (string)r["portRange"] == text).SelectMany(r => Strings(r["sourceAddresses"])).ToList();
            default:
                return program.Resources
                    .Where(r => r.Type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
                        && (string)r.Properties["securityGroupId"] == Ref.To($"{logicalName}-sg", "id")
                        && (int)r.Properties["fromPort"] == port)
                    .Select(r => (string)r.Properties["cidrIpv4"]).ToList();
        }
    }

    private static List<string> Sources(PulumiProgram program, RegionTopology region, DatabaseHost db, int port) =>
        Sources(program, region, db.LogicalName, port);

    /// <summary>Passwords are generated in the stack: the program holds only references to them, never their text.</summary>
    [Theory]
    [MemberData(nameof(StacksWithDatabase))]
    public void Passwords_AreGeneratedAndOnlyReferenced(string file)
    {
        var compiled = Compile(file);

        string[] names = compiled.Config.Monitoring is null
            ? [DatabaseTier.ReplicationPasswordName, DatabaseTier.AdminPasswordName]
            : [DatabaseTier.ReplicationPasswordName, DatabaseTier.AdminPasswordName, DatabaseTier.MonitorPasswordName];
        Assert.Equal(compiled.Config.Monitoring is not null, compiled.Program.Resources.Any(r => r.Name == DatabaseTier.MonitorPasswordName));
        foreach (var name in names)
        {
            var password = compiled.Program.Resource(name);
            Assert.Equal("random:index/randomPassword:RandomPassword", password.Type);
            Assert.Equal(ReplicationBootstrap.PasswordSpecialCharacters, password.Properties["overrideSpecial"]);
        }
        var literals = Regex.Matches(compiled.Yaml, @"(IDENTIFIED BY|_PASSWORD =) '([^']*)'").Select(m => m.Groups[2].Value).ToList();
        Assert.NotEmpty(literals);
        Assert.All(literals, l => Assert.Matches(@"^\$\{db-(repl|admin|monitor)-password\.result\}$", l));
    }

    [Fact]
    public void Outputs_CarryEachRegionsDatabaseAndTheSecretAdminCredentials()
    {
        var compiled = Compile("Pulumi.prod.yaml");
        var regions = Map(compiled.Program.Outputs["regions"]);

        var fra = Map(Map(regions["fra"])["database"]);
        var dub = Map(Map(regions["dub"])["database"]);
        Assert.Equal(("primary", "${fra-db.ipAddress}", "10.10.0.6", 3306), ((string)fra["role"], (string)fra["host"], (string)fra["privateIp"], (int)fra["port"]));
        Assert.Equal(("replica", "${dub-db.publicIp}", "10.20.0.6", 3306), ((string)dub["role"], (string)dub["host"], (string)dub["privateIp"], (int)dub["port"]));
        foreach (var name in Strings(fra["resources"]).Concat(Strings(dub["resources"])))
            Assert.Single(compiled.Program.Resources, r => r.Name == name);
        Assert.Contains("fra-db-fw-device", Strings(fra["resources"]));
        Assert.Contains("dub-db-tls-cert", Strings(dub["resources"]));

        var credentials = Map(Map(compiled.Program.Outputs[TierOutputs.CredentialsOutput])["fn::secret"]);
        var admin = Map(credentials["database"]);
        Assert.Equal(RecoveryAdminAccount.DefaultUser, admin["user"]);
        Assert.Equal("${db-admin-password.result}", admin["password"]);
        Assert.Contains("\n  credentials:\n    fn::secret:\n", compiled.Yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void OneRegionStack_HasAPrimaryWithNoPeers()
    {
        var compiled = Compile("Pulumi.dev.yaml");
        var region = compiled.Topology.Regions.Single();

        Assert.Equal(MySqlRole.Primary, region.Database!.Role);
        Assert.Equal([$"{region.Applications[0].PrivateIp}/32"], Sources(compiled.Program, region, region.Database, 3306));
        Assert.DoesNotContain("CHANGE MASTER", UserData(compiled, region.Database.Name), StringComparison.Ordinal);
    }
}
