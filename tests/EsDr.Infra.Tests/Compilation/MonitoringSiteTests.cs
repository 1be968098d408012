using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Renderers.Monitoring;
using EsDr.Infra.Tests.Renderers;
using EsDr.Infra.Tests.Renderers.Monitoring;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>The monitoring host as the example stacks emit it.</summary>
public class MonitoringSiteTests
{
    /// <summary>The example stacks that run a monitoring host, one per kind of endpoint and monitoring cloud.</summary>
    private static readonly string[] Monitored = ["Pulumi.prod.yaml", "stacks/Pulumi.aws.yaml", "stacks/Pulumi.digitalocean.yaml", "stacks/Pulumi.linode-python-app.yaml", "stacks/Pulumi.linode-shop.yaml", "stacks/Pulumi.ovh-haproxy.yaml"];

    public static TheoryData<string> MonitoredStacks() => new(Monitored);

    private static StackCompilation Compile(string file)
    {
        var stack = Repository.Load(file);
        return StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, stack.Config, stack.SecretKeys));
    }

    private static string MonitoringUserData(StackCompilation c) =>
        Assert.Single(c.Files, f => f.Region == MonitoringSite.Key && f.Path == "user-data (cloud-init)").Text;

    [Fact]
    public void MonitoredStacks_AreEveryStackWithMonitoring()
    {
        var withMonitoring = Repository.StackFiles().Where(f => Repository.Load(f).Config.ContainsKey("es-dr:monitoring")).Order().ToList();

        Assert.Equal(Monitored.Order(StringComparer.Ordinal), withMonitoring.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public async Task Compile_MonitoringUserData_PassesCloudInitSchema(string file)
    {
        using var dir = new TempDir();
        var userData = dir.Write("user-data.yaml", MonitoringUserData(Compile(file)));

        var (exitCode, output) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", userData);

        Assert.True(exitCode == 0, output);
        Assert.Contains("Valid cloud-config", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public async Task Compile_ConfigsTheUserDataWrites_PassPromtoolAndAmtool(string file)
    {
        using var dir = new TempDir();

        await MonitoringHostTests.AssertToolsAcceptTheWrittenConfigs(MonitoringUserData(Compile(file)), dir);
    }

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public void Compile_MonitoringUserData_NamesSecretsOnlyByReference(string file)
    {
        var compiled = Compile(file);
        var files = MonitoringHostTests.WrittenFiles(MonitoringUserData(compiled));

        Assert.Equal("${alertWebhookToken-secret}\n", files[MonitoringHost.TokenFile]["content"]);
        Assert.Equal(new PMap { { "type", "string" }, { "secret", true } }.ToList(), ((PMap)compiled.Program.Config["alertWebhookToken"]).ToList());
        foreach (var region in compiled.Topology.Regions)
        {
            var env = (string)files[$"/etc/esdr/es-exporter-{region.Name}.env"]["content"];
            Assert.Equal($"ES_USERNAME=esdr_monitor\nES_PASSWORD=${{{region.Key}-monitor-password.result}}\n", env);
        }
    }

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public void Compile_Nodes_GetOnlyTheMonitoringPasswordsHash(string file)
    {
        var compiled = Compile(file);

        foreach (var region in compiled.Topology.Regions)
        {
            var userData = compiled.Files.Where(f => f.Region == region.Name && f.Path == "user-data (cloud-init)" && region.Nodes.Any(n => n.Name == f.Host)).ToList();
            Assert.NotEmpty(userData);
            Assert.All(userData, u =>
            {
                Assert.Contains($"esdr_monitor:${{{region.Key}-monitor-password.bcryptHash}}", u.Text, StringComparison.Ordinal);
                Assert.DoesNotContain($"{region.Key}-monitor-password.result", u.Text, StringComparison.Ordinal);
            });
        }
    }

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public void Compile_PrometheusAndAlertmanager_AreOpenToTheOperatorsOnly(string file)
    {
        var compiled = Compile(file);
        var operators = compiled.Config.Ssh.AllowedCidrs;

        foreach (var port in new[] { 9090, 9093 })
        {
            var sources = MonitoringFirewallSources(compiled, port);
            Assert.Equal(operators.Order(), sources.Order());
        }
    }

    /// <summary>The sources the monitoring host's firewall admits on a port, read from the cloud's own resources.</summary>
    private static List<string> MonitoringFirewallSources(StackCompilation c, int port)
    {
        if (c.Config.Monitoring!.Cloud == Cloud.Linode)
        {
            var inbounds = (List<object>)c.Program.Resource($"{MonitoringSite.HostLogicalName}-fw").Properties["inbounds"];
            var rule = Assert.Single(inbounds.Cast<PMap>(), r => (string)r["ports"] == port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return ((IEnumerable<string>)rule["ipv4s"]).ToList();
        }
        return c.Program.Resources
            .Where(r => r.Type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.Name.StartsWith(MonitoringSite.HostLogicalName, StringComparison.Ordinal))
            .Where(r => (int)r.Properties["fromPort"] == port)
            .Select(r => (string)r.Properties["cidrIpv4"])
            .ToList();
    }

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public void Compile_EveryEndpoint_AdmitsTheMonitoringAddressAndNoNodeFirewallDoes(string file)
    {
        var compiled = Compile(file);
        var address = MonitoringAddress(compiled);

        foreach (var region in compiled.Topology.Regions)
        {
            var admitting = EndpointAdmissions(compiled, region, address);
            Assert.True(admitting.Count > 0, $"region {region.Name}: no endpoint filter admits {address}");
        }
        // Linode and DigitalOcean node firewalls (<key>-fw), AWS node security group rules (<key>-es-sg-in-…); database
        // hosts admit the address on 3306 only (DatabaseTierTests).
        var databaseFirewalls = compiled.Topology.Regions.Where(r => r.Database is not null).Select(r => $"{r.Database!.LogicalName}-fw").ToHashSet();
        var nodeFirewalls = compiled.Program.Resources.Where(r =>
            (r.Name.EndsWith("-fw", StringComparison.Ordinal) && !r.Name.Contains("-lb", StringComparison.Ordinal)
                && !r.Name.StartsWith(MonitoringSite.Key, StringComparison.Ordinal) && !databaseFirewalls.Contains(r.Name))
            || r.Name.Contains("-es-sg-in-", StringComparison.Ordinal)).ToList();
        // OVH has no cloud firewall: its nodes have no public interface at all.
        if (compiled.Topology.Regions.Any(r => r.Cloud != Cloud.Ovh)) Assert.NotEmpty(nodeFirewalls);
        Assert.All(nodeFirewalls, fw => Assert.DoesNotContain(address, Flatten(fw.Properties)));
    }

    /// <summary>
    /// With database hosts, the monitoring host runs one mysqld_exporter per host (logging in as the monitoring
    /// account, password by reference only, TLS to the host's certificate name mapped to its public address) and
    /// Prometheus scrapes each with the region label the MySQL alerts report; the checked config has them.
    /// </summary>
    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public void Compile_EachDatabaseHost_IsScrapedThroughItsOwnExporter(string file)
    {
        var compiled = Compile(file);
        var userData = MonitoringUserData(compiled);
        var files = MonitoringHostTests.WrittenFiles(userData);
        var dbs = compiled.Topology.Regions.Where(r => r.Database is not null).ToList();
        var script = (string)files[MonitoringHost.ResolveScript]["content"];

        Assert.Equal(dbs.Count > 0, MonitoringHostTests.Packages(userData).Contains("prometheus-mysqld-exporter"));
        Assert.Equal(dbs.Count, files.Keys.Count(k => k.StartsWith("/etc/esdr/mysqld-exporter-", StringComparison.Ordinal)));
        for (var i = 0; i < dbs.Count; i++)
        {
            var (region, db) = (dbs[i], dbs[i].Database!);
            Assert.Equal(
                $"[client]\nuser=esdr_monitor\npassword=${{db-monitor-password.result}}\nhost={db.Name}\nport=3306\nssl-ca={MonitoringHost.CaFile}\n",
                files[$"/etc/esdr/mysqld-exporter-{region.Name}.cnf"]["content"]);
            Assert.Contains($"echo \"$ip {db.Name} # esdr-endpoint\"", script, StringComparison.Ordinal);
            Assert.Contains($"ip=$(resolve '${{{db.LogicalName}-public-address}}')", script, StringComparison.Ordinal);
        }
        Assert.Equal(
            dbs.Select((r, i) => $"127.0.0.1:{MonitoringSite.FirstMysqldExporterPort + i} region={r.Name},role={(r.Name == compiled.Config.ActiveRegion ? "primary" : "replica")}"),
            MonitoringHostTests.MysqldTargets(userData));
    }

    private static string MonitoringAddress(StackCompilation c) =>
        c.Config.Monitoring!.Cloud == Cloud.Aws ? $"${{{MonitoringSite.AddressLogicalName}.publicIp}}" : $"${{{MonitoringSite.AddressLogicalName}.address}}";

    /// <summary>What admits the address on the region's endpoint: its balancer's firewall or security group rules, or HAProxy's own filter.</summary>
    private static List<string> EndpointAdmissions(StackCompilation c, Infra.Topology.RegionTopology region, string address)
    {
        var lb = region.Balancer.LogicalName;
        var found = c.Program.Resources
            .Where(r => r.Name.StartsWith(lb, StringComparison.Ordinal) && Flatten(r.Properties).Contains(address, StringComparison.Ordinal))
            .Select(r => r.Name)
            .ToList();
        if (region.Balancer.Kind == BalancerKind.HaProxy)
        {
            // The first-boot config and, in a multi-region stack, the pushed one.
            var haproxyCfgs = c.Files.Where(f => f.Host == region.Balancer.Name && f.Path.StartsWith(CloudInit.HaproxyConfigFile, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(haproxyCfgs);
            Assert.All(haproxyCfgs, cfg => Assert.Contains($"{address}/32", cfg.Text, StringComparison.Ordinal));
            found.Add(CloudInit.HaproxyConfigFile);
        }
        return found;
    }

    private static string Flatten(object value) => value switch
    {
        string s => s,
        PMap map => string.Join("\n", map.Select(kv => Flatten(kv.Value))),
        System.Collections.IEnumerable items => string.Join("\n", items.Cast<object>().Select(Flatten)),
        _ => value.ToString() ?? "",
    };

    [Theory]
    [MemberData(nameof(MonitoredStacks))]
    public void Compile_Outputs_TellRecoveryWhereMonitoringIs(string file)
    {
        var compiled = Compile(file);
        var address = MonitoringAddress(compiled);

        var output = (PMap)compiled.Program.Outputs["monitoring"];

        Assert.Equal(address, output["host"]);
        Assert.Equal($"http://{address}:9090", output["prometheusUrl"]);
        Assert.Equal($"http://{address}:9093", output["alertmanagerUrl"]);
        var declared = compiled.Program.Resources.Select(r => r.Name).ToHashSet();
        var resources = (IEnumerable<string>)output["resources"];
        Assert.Contains(MonitoringSite.HostLogicalName, resources);
        Assert.Contains(MonitoringSite.AddressLogicalName, resources);
        Assert.All(resources, r => Assert.Contains(r, declared));
    }

    [Fact]
    public void Compile_AwsMonitoringHost_LeavesFromItsElasticIp()
    {
        var compiled = Compile("stacks/Pulumi.ovh-haproxy.yaml");

        var association = compiled.Program.Resource($"{MonitoringSite.HostLogicalName}-eip-association");

        Assert.Equal($"${{{MonitoringSite.AddressLogicalName}.allocationId}}", association.Properties["allocationId"]);
        Assert.Equal($"${{{MonitoringSite.HostLogicalName}.id}}", association.Properties["instanceId"]);
        Assert.Equal("eu-west-3", compiled.Program.Resource("monitoring-aws").Properties["region"]);
    }

    [Fact]
    public void Compile_LinodeMonitoringHost_IsCreatedWithItsReservedAddressNatedOntoItsVpcAddress()
    {
        var compiled = Compile("Pulumi.prod.yaml");

        var host = compiled.Program.Resource(MonitoringSite.HostLogicalName);
        var reserved = compiled.Program.Resource(MonitoringSite.AddressLogicalName);

        Assert.Equal(true, reserved.Properties["reserved"]);
        Assert.Equal("nl-ams", reserved.Properties["region"]);
        Assert.Equal(["${monitoring-public-ip.address}"], ((IEnumerable<object>)host.Properties["ipv4s"]).Cast<string>());
        Assert.Contains("${monitoring-public-ip.address}", Flatten(host.Properties["interfaces"]), StringComparison.Ordinal);
        Assert.Contains("10.90.0.10", Flatten(host.Properties["interfaces"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_StackWithoutMonitoring_HasNoMonitoringResourcesOrUsers()
    {
        var compiled = Compile("Pulumi.dev.yaml");

        Assert.DoesNotContain(compiled.Program.Resources, r => r.Name.StartsWith(MonitoringSite.Key, StringComparison.Ordinal) || r.Name.EndsWith("-monitor-password", StringComparison.Ordinal));
        Assert.False(compiled.Program.Outputs.ContainsKey("monitoring"));
        Assert.DoesNotContain("/etc/elasticsearch/users\"", compiled.Yaml, StringComparison.Ordinal);
    }
}
