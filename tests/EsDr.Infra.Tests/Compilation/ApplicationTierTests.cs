using System.Text.Json.Nodes;
using EsDr.Infra.Clouds.Linode;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Tests.Renderers;
using EsDr.Infra.Tests.Support;
using static EsDr.Infra.Tests.Clouds.LinodeDigitalOceanHarness;
using static EsDr.Infra.Tests.Compilation.DatabaseTierTests;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>Application pools behind every kind of regional balancer, and the application's DNS name.</summary>
public class ApplicationTierTests
{
    public static TheoryData<string> StacksWithApplications() =>
        ["Pulumi.prod.yaml", "Pulumi.dev.yaml", "stacks/Pulumi.aws.yaml", "stacks/Pulumi.digitalocean.yaml", "stacks/Pulumi.linode-shop.yaml", "stacks/Pulumi.linode-python-app.yaml"];

    [Theory]
    [MemberData(nameof(StacksWithApplications))]
    public async Task ApplicationUserData_PassesCloudInitSchema(string file)
    {
        var compiled = Compile(file);
        using var dir = new TempDir();

        foreach (var host in compiled.Topology.Regions.SelectMany(r => r.Applications))
        {
            var path = dir.Write($"{host.Name}.yaml", UserData(compiled, host.Name));
            var (exitCode, output) = await RealTool.RunAsync("cloud-init", "schema", "--config-file", path);
            Assert.True(exitCode == 0, $"{host.Name}: {output}");
        }
    }

    /// <summary>Each server learns the region's search endpoint and nodes, the search name, its database and the CA; never a password.</summary>
    [Fact]
    public void ApplicationEnvironment_NamesTheEndpointsAndNoSecret()
    {
        var compiled = Compile("Pulumi.prod.yaml");

        var env = WrittenFile(UserData(compiled, "prod-dub-app-1"), ApplicationCloudInit.EnvFile);

        Assert.Equal(
            """
            ES_DR_APP_PORT="8080"
            ES_DR_ELASTICSEARCH_URL="https://${dub-lb.dnsName}:9200"
            ES_DR_ELASTICSEARCH_NODES="https://10.20.0.11:9200,https://10.20.64.12:9200,https://10.20.128.13:9200"
            ES_DR_SEARCH_URL="https://search.example.com:9200"
            ES_DR_CA_FILE="/etc/es-dr/ca.crt"
            ES_DR_DB_HOST="10.20.0.6"
            ES_DR_DB_PORT="3306"
            ES_DR_DB_ROLE="replica"

            """, env);
        Assert.DoesNotContain("password", env, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UserCloudConfig_IsMergedAfterOurs()
    {
        var compiled = Compile("Pulumi.prod.yaml");

        var userData = UserData(compiled, "prod-fra-app-1");

        Assert.Matches(@"packages:\n  - ""ca-certificates""\n  - ""python3""\n", userData);
        Assert.Matches(@"runcmd:\n  - ""chmod 0755 /etc/es-dr""\n  - ""systemctl enable --now shop.service \|\| true""\n", userData);
    }

    [Theory]
    [MemberData(nameof(StacksWithApplications))]
    public void ApplicationPort_AdmitsOnlyTheBalancer(string file)
    {
        var compiled = Compile(file);
        var port = compiled.Config.Application!.Port;

        foreach (var region in compiled.Topology.Regions.Where(r => r.Applications.Count > 0))
        {
            var expected = region.Balancer.Kind == BalancerKind.HaProxy ? $"{region.Balancer.PrivateIp}/32"
                : region.Cloud == Cloud.Linode ? LinodeAdapter.NodeBalancerRange(region) : region.Network.Cidr;
            foreach (var host in region.Applications)
                Assert.Equal([expected], Sources(compiled.Program, region, host.LogicalName, port));
        }
    }

    [Fact]
    public void LinodeNodeBalancer_ServesTheApplicationOnThePublicPortWithAnHttpCheck()
    {
        var compiled = Compile("stacks/Pulumi.linode-shop.yaml");
        var program = compiled.Program;

        var config = program.Resource("ewr-lb-8000");
        Assert.Equal(("tcp", "http", "/healthz", 8000), ((string)config.Properties["protocol"], (string)config.Properties["check"], (string)config.Properties["checkPath"], (int)config.Properties["port"]));
        var nodes = program.Resources.Where(r => r.Name.StartsWith("ewr-app-", StringComparison.Ordinal) && r.Name.EndsWith("-lb-node", StringComparison.Ordinal)).ToList();
        Assert.Equal(["10.1.0.21:8080", "10.1.0.22:8080", "10.1.0.23:8080"], nodes.Select(n => (string)n.Properties["address"]));
        Assert.All(nodes, n => Assert.Equal("${ewr-lb-8000-id.triggers[0]}", n.Properties["configId"]));
        var clients = List(program.Resource("ewr-lb-fw").Properties["inbounds"]).Select(Map).Single(r => (string)r["label"] == "app-clients");
        Assert.Equal("8000", clients["ports"]);
        Assert.Equal(["0.0.0.0/0"], Strings(clients["ipv4s"]));
        Assert.Equal("http://${ewr-lb.ipv4}:8000", Map(Map(Map(program.Outputs["regions"])["ewr"])["application"])["endpoint"]);
    }

    /// <summary>
    /// Behind HAProxy (Linode): both of the VM's configs, the first-boot one and the pushed one, pass the public port
    /// to the region's own servers with the HTTP check and the clients' filter; the VM's firewall admits the public
    /// port from the clients; the endpoint is the VM.
    /// </summary>
    [Fact]
    public void LinodeHaproxy_ServesTheRegionsOwnServersOnThePublicPortWithAnHttpCheck()
    {
        var compiled = Compile("stacks/Pulumi.linode-python-app.yaml");
        var program = compiled.Program;

        foreach (var region in compiled.Topology.Regions)
        {
            var configs = compiled.Files.Where(f => f.Host == region.Balancer.Name && f.Path.StartsWith(CloudInit.HaproxyConfigFile, StringComparison.Ordinal)).ToList();
            Assert.Equal(2, configs.Count);
            var expected = string.Join('\n',
                new[] { "backend app", "    balance leastconn", "    option httpchk GET /healthz", "    http-check expect status 200", "    default-server inter 1s fall 2 rise 2" }
                    .Concat(region.Applications.Select(a => $"    server {a.Name} {a.PrivateIp}:8080 check"))) + "\n";
            Assert.All(configs, c =>
            {
                Assert.Contains(expected, c.Text, StringComparison.Ordinal);
                Assert.Contains("frontend app\n    option tcplog\n    bind :80\n    tcp-request connection reject unless { src 0.0.0.0/0 }\n", c.Text, StringComparison.Ordinal);
            });
            var clients = List(program.Resource($"{region.Balancer.LogicalName}-fw").Properties["inbounds"]).Select(Map).Single(r => (string)r["label"] == "app-clients");
            Assert.Equal("80", clients["ports"]);
            Assert.Equal(["0.0.0.0/0"], Strings(clients["ipv4s"]));
            Assert.Equal($"http://${{{region.Balancer.LogicalName}.ipAddress}}:80", Map(Map(Map(program.Outputs["regions"])[region.Name])["application"])["endpoint"]);
        }
    }

    /// <summary>
    /// OVH has no cloud firewall: each application server's own nftables (checked by the real nft) admits the
    /// application port from the HAProxy VM's private address only and SSH from the operators, set up before the
    /// user's commands; the user-data passes cloud-init's schema; the endpoint is the HAProxy VM on the public port.
    /// </summary>
    [Fact]
    public async Task OvhHaproxy_ServersFilterTheirOwnPortToTheHaproxyVm()
    {
        var compiled = Compile("stacks/Pulumi.ovh-haproxy.yaml");
        using var dir = new TempDir();

        foreach (var region in compiled.Topology.Regions)
        {
            Assert.NotEmpty(region.Applications);
            foreach (var host in region.Applications)
            {
                var userData = UserData(compiled, host.Name);
                var rules = WrittenFile(userData, NftablesRules.ConfigFile);
                Assert.Equal(NftablesRules.OnlyFrom([(8443, [$"{region.Balancer.PrivateIp}/32"]), (22, compiled.Config.Ssh.AllowedCidrs)]), rules);
                var nft = await RealTool.RunAsync("nft", "-c", "-f", dir.Write($"{host.Name}.nft", rules));
                Assert.True(nft.ExitCode == 0, nft.Output);
                var schema = await RealTool.RunAsync("cloud-init", "schema", "--config-file", dir.Write($"{host.Name}.yaml", userData));
                Assert.True(schema.ExitCode == 0, schema.Output);
                Assert.Contains("  - \"chmod 0755 /etc/es-dr\"\n  - \"nft -c -f /etc/nftables.conf && systemctl enable nftables && systemctl restart nftables\"\n", userData, StringComparison.Ordinal);
            }
            var outputs = Map(Map(compiled.Program.Outputs["regions"])[region.Name]);
            var search = (string)outputs["endpoint"];
            Assert.Equal($"http://{search["https://".Length..search.LastIndexOf(':')]}:443", Map(outputs["application"])["endpoint"]);
        }
        // Clouds with a firewall of their own write no host rules.
        Assert.DoesNotContain("nftables", UserData(Compile("stacks/Pulumi.linode-python-app.yaml"), "pyapp-atl-app-1"), StringComparison.Ordinal);
    }

    /// <summary>A DigitalOcean balancer has one health check for all its rules, so the application gets its own.</summary>
    [Fact]
    public void DigitalOcean_ApplicationHasItsOwnBalancerCheckingTheHealthPath()
    {
        var compiled = Compile("stacks/Pulumi.digitalocean.yaml");
        var lb = compiled.Program.Resource("nyc-app-lb");

        var check = Map(lb.Properties["healthcheck"]);
        Assert.Equal(("http", 8080, "/healthz"), ((string)check["protocol"], (int)check["port"], (string)check["path"]));
        Assert.Equal("${nyc-app-tag.name}", lb.Properties["dropletTag"]);
        var rule = Map(Assert.Single(List(lb.Properties["forwardingRules"])));
        Assert.Equal((80, 8080), ((int)rule["entryPort"], (int)rule["targetPort"]));
        Assert.All(new[] { "nyc-app-1", "nyc-app-2" }, d => Assert.Contains("${nyc-app-tag.name}", Strings(compiled.Program.Resource(d).Properties["tags"])));
        Assert.DoesNotContain("${nyc-app-tag.name}", Strings(compiled.Program.Resource("nyc-es-1").Properties["tags"]));
    }

    [Theory]
    [InlineData("nlb", "TCP", "TCP")]
    [InlineData("alb", "HTTP", "HTTP")]
    public void Aws_BalancerForwardsThePublicPortToAnHttpCheckedTargetGroup(string kind, string listenerProtocol, string targetProtocol)
    {
        var compiled = Compile("stacks/Pulumi.aws.yaml", c => c.With("regions", "[0].loadBalancer", new JsonObject { ["kind"] = kind }));
        var program = compiled.Program;

        Assert.Empty(compiled.Problems);
        var listener = program.Resource("use1-lb-80");
        Assert.Equal(listenerProtocol, listener.Properties["protocol"]);
        var group = program.Resource("use1-lb-app-tg");
        Assert.Equal((3000, targetProtocol), ((int)group.Properties["port"], (string)group.Properties["protocol"]));
        var check = Map(group.Properties["healthCheck"]);
        Assert.Equal(("HTTP", "/health", "200-399"), ((string)check["protocol"], (string)check["path"], (string)check["matcher"]));
        Assert.Equal("${use1-app-1.id}", program.Resource("use1-app-1-lb-target").Properties["targetId"]);
        Assert.Equal("${use1-lb.dnsName}", Map(Map(Map(program.Outputs["regions"])["use1"])["application"])["endpoint"].ToString()!["http://".Length..^":80".Length]);
    }

    [Fact]
    public void Route53_ApplicationNameFailsOverOnTheHealthPath()
    {
        var compiled = Compile("Pulumi.prod.yaml");
        var program = compiled.Program;

        var primary = program.Resource("dns-fra-app");
        var secondary = program.Resource("dns-dub-app");
        Assert.Equal(("www.example.com", "PRIMARY"), ((string)primary.Properties["name"], (string)Map(List(primary.Properties["failoverRoutingPolicies"])[0])["type"]));
        Assert.Equal("SECONDARY", Map(List(secondary.Properties["failoverRoutingPolicies"])[0])["type"]);
        Assert.Equal(60, primary.Properties["ttl"]);
        Assert.Equal(["${fra-lb.ipv4}"], Strings(primary.Properties["records"]));
        Assert.Equal("${dub-lb.dnsName}", Map(List(secondary.Properties["aliases"])[0])["name"]);
        foreach (var key in new[] { "fra", "dub" })
        {
            var check = program.Resource($"dns-{key}-app-health");
            Assert.Equal(("HTTP", "/healthz", 80), ((string)check.Properties["type"], (string)check.Properties["resourcePath"], (int)check.Properties["port"]));
        }
    }

    [Theory]
    [InlineData("stacks/Pulumi.linode-shop.yaml", "linode:index/domainRecord:DomainRecord", "target", "${ewr-lb.ipv4}")]
    [InlineData("stacks/Pulumi.digitalocean.yaml", "digitalocean:index/dnsRecord:DnsRecord", "value", "${nyc-app-lb.ip}")]
    public void SingleRecordDns_PointsTheApplicationNameAtTheActiveRegion(string file, string type, string property, string target)
    {
        var record = Compile(file).Program.Resource("dns-app");

        Assert.Equal(type, record.Type);
        Assert.Equal(target, record.Properties[property]);
    }
}
