using System.Text.RegularExpressions;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;
using EsDr.Infra.Renderers;
using EsDr.Infra.Tests.Renderers;
using EsDr.Infra.Tests.Support;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>
/// HAProxy regions in the compiled example stacks: client traffic follows the active region (its nodes the
/// servers, the standby's backups), the cluster and transport ports stay on the region's own nodes, the first-boot
/// config names no other HAProxy VM, and each VM gets a push command carrying the complete config.
/// </summary>
public partial class HaproxyFailoverCompilationTests
{
    private const string PythonApp = "stacks/Pulumi.linode-python-app.yaml"; // atl active, ord standby, Linode HAProxy both
    private const string Ovh = "stacks/Pulumi.ovh-haproxy.yaml";             // gra active, sbg standby, OVH (nodes not public)

    private static StackCompilation Compile(string file, Func<Dictionary<string, string>, Dictionary<string, string>>? change = null)
    {
        var stack = Repository.Load(file);
        var config = stack.Config.ToDictionary(k => k.Key, k => k.Value);
        return StackCompilation.Compile(StackConfigParser.Parse(TestConfig.Project, stack.Stack, change?.Invoke(config) ?? config, stack.SecretKeys));
    }

    /// <summary>The python-app stack with ord active and atl standing by.</summary>
    private static Dictionary<string, string> OrdActive(Dictionary<string, string> config)
    {
        config["es-dr:activeRegion"] = "ord";
        return config.With("regions", "[0].state", "standby").With("regions", "[1].state", "active");
    }

    private static string Pushed(StackCompilation c, string region) =>
        c.Files.Single(f => f.Region == region && f.Path == CloudInit.HaproxyConfigFile + " (pushed)").Text;

    private static string FirstBoot(StackCompilation c, string region) =>
        c.Files.Single(f => f.Region == region && f.Path == CloudInit.HaproxyConfigFile + " (first boot)").Text;

    private static string[] Servers(string config, string backend) =>
        config.Split("\n\n").Select(s => s.Split('\n')).Single(s => s[0] == $"backend {backend}")
            .Select(l => l.Trim()).Where(l => l.StartsWith("server ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void ActiveRegion_ServesItsOwnNodes_WithTheStandbysNodesAsBackupByPublicAddress()
    {
        var atl = Pushed(Compile(PythonApp), "atl");

        Assert.Equal(
            [
                "server pyapp-atl-es-1 10.50.0.11:9200 check port 9200",
                "server pyapp-atl-es-2 10.50.0.12:9200 check port 9200",
                "server pyapp-atl-es-3 10.50.0.13:9200 check port 9200",
                "server pyapp-ord-es-1 ${ord-es-1.ipAddress}:9200 check port 9200 backup",
                "server pyapp-ord-es-2 ${ord-es-2.ipAddress}:9200 check port 9200 backup",
                "server pyapp-ord-es-3 ${ord-es-3.ipAddress}:9200 check port 9200 backup",
            ],
            Servers(atl, "es_http"));
    }

    [Fact]
    public void StandbyRegion_SendsTrafficToTheActiveRegion_WithItsOwnNodesAsBackup()
    {
        var ord = Pushed(Compile(PythonApp), "ord");

        Assert.Equal(
            [
                "server pyapp-atl-es-1 ${atl-es-1.ipAddress}:9200 check port 9200",
                "server pyapp-atl-es-2 ${atl-es-2.ipAddress}:9200 check port 9200",
                "server pyapp-atl-es-3 ${atl-es-3.ipAddress}:9200 check port 9200",
                "server pyapp-ord-es-1 10.51.0.11:9200 check port 9200 backup",
                "server pyapp-ord-es-2 10.51.0.12:9200 check port 9200 backup",
                "server pyapp-ord-es-3 10.51.0.13:9200 check port 9200 backup",
            ],
            Servers(ord, "es_http"));
    }

    [Fact]
    public void ActiveRegionMoves_EveryHaproxyFollowsIt_AndItsPushIsTriggeredAgain()
    {
        var before = Compile(PythonApp);
        var after = Compile(PythonApp, OrdActive);

        Assert.All(Servers(Pushed(after, "atl"), "es_http").Where(s => !s.EndsWith(" backup", StringComparison.Ordinal)),
            s => Assert.Contains("${ord-es-", s, StringComparison.Ordinal));
        Assert.All(Servers(Pushed(after, "ord"), "es_http").Where(s => !s.EndsWith(" backup", StringComparison.Ordinal)),
            s => Assert.StartsWith("server pyapp-ord-es-", s, StringComparison.Ordinal));
        foreach (var region in new[] { "atl", "ord" })
        {
            var name = $"{region}-lb-config-push";
            Assert.NotEqual(Triggers(before, name), Triggers(after, name));
        }
    }

    [Theory]
    [InlineData(PythonApp, "atl")]
    [InlineData(PythonApp, "ord")]
    [InlineData(Ovh, "gra")]
    [InlineData(Ovh, "sbg")]
    public void ClusterAndTransportPorts_AlwaysReachTheRegionsOwnNodes(string file, string region)
    {
        var compiled = Compile(file);
        var own = compiled.Topology.Regions.Single(r => r.Name == region).Nodes.Select(n => n.Name).ToList();

        foreach (var config in new[] { Pushed(compiled, region), FirstBoot(compiled, region) })
        {
            Assert.Equal(own, Servers(config, "es_cluster").Select(s => s.Split(' ')[1]));
            Assert.Equal(own, Servers(config, "es_transport").Select(s => s.Split(' ')[1]));
            Assert.DoesNotContain(Servers(config, "es_cluster").Concat(Servers(config, "es_transport")), s => s.EndsWith(" backup", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void OvhPeer_IsReachedThroughItsHaproxysClusterPort_NeverItsHttpPort()
    {
        var compiled = Compile(Ovh);

        Assert.Contains("server sbg-cluster ${sbg-lb-public-ip.stdout}:9210 check port 9210 backup", Servers(Pushed(compiled, "gra"), "es_http"));
        var sbg = Servers(Pushed(compiled, "sbg"), "es_http");
        Assert.Equal("server gra-cluster ${gra-lb-public-ip.stdout}:9210 check port 9210", sbg[0]);
        Assert.All(sbg.Skip(1), s => Assert.EndsWith(" backup", s, StringComparison.Ordinal));
        // Another HAProxy is admitted on the HTTP and cluster ports, so it can reach this region's cluster port.
        Assert.Contains("${gra-lb-public-ip.stdout}/32", Pushed(compiled, "sbg"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PythonApp, "atl")]
    [InlineData(PythonApp, "ord")]
    [InlineData(Ovh, "gra")]
    [InlineData(Ovh, "sbg")]
    public void FirstBootConfig_NamesNoOtherHaproxyVm_AndAlwaysHasAServer(string file, string region)
    {
        var compiled = Compile(file);
        var config = FirstBoot(compiled, region);

        foreach (var other in compiled.Topology.Regions.Where(r => r.Name != region))
            Assert.DoesNotContain($"${{{other.Balancer.LogicalName}", config, StringComparison.Ordinal);
        Assert.Contains(Servers(config, "es_http"), s => !s.EndsWith(" backup", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(PythonApp, "atl", "root")]
    [InlineData(Ovh, "sbg", "debian")]
    public void EachHaproxyVm_GetsAPush_OverSshWithTheSecretDeployKey_CarryingTheCompleteConfig(string file, string region, string user)
    {
        var compiled = Compile(file);
        var push = compiled.Program.Resource($"{region}-lb-config-push");

        Assert.Equal("command:remote:Command", push.Type);
        var connection = Assert.IsType<PMap>(push.Properties["connection"]);
        Assert.Equal(user, connection["user"]);
        Assert.Equal("${deployKey-secret}", connection["privateKey"]);
        Assert.Equal("${deployKey}", ((PMap)compiled.Program.Variables["deployKey-secret"])["fn::secret"]);
        var declared = Assert.IsType<PMap>(compiled.Program.Config["deployKey"]);
        Assert.Equal(true, declared["secret"]);
        Assert.Equal(Pushed(compiled, region), push.Properties["stdin"]);
        Assert.Equal(push.Properties["create"], push.Properties["update"]);
        Assert.Contains("haproxy -c -f", (string)push.Properties["create"], StringComparison.Ordinal);
        Assert.Equal([$"sha256:{HaproxyConfigPush.Hash(Pushed(compiled, region))}"], Triggers(compiled, push.Name));
        Assert.Contains(compiled.Topology.Regions.Single(r => r.Name == region).Balancer.LogicalName, push.Options.DependsOn!);
    }

    [Theory]
    [InlineData(PythonApp, "ord", "https://${ord-lb.ipAddress}:9210")]
    [InlineData("stacks/Pulumi.linode-shop.yaml", "ewr", "https://${ewr-lb.ipv4}:9200")]
    public void StackOutputs_NameEachClustersOwnEndpoint_ForRecovery(string file, string region, string expected)
    {
        var regions = Assert.IsType<PMap>(Compile(file).Program.Outputs["regions"]);

        Assert.Equal(expected, Assert.IsType<PMap>(regions[region])["clusterEndpoint"]);
    }

    [Fact]
    public void SingleRegionStack_HasNoPush_AndNeedsNoDeployKey()
    {
        var compiled = Compile(PythonApp, config =>
        {
            config.Remove("es-dr:deployKey");
            config.Remove("es-dr:replication");
            var regions = System.Text.Json.Nodes.JsonNode.Parse(config["es-dr:regions"])!.AsArray();
            regions.RemoveAt(1);
            config["es-dr:regions"] = regions.ToJsonString();
            return config;
        });

        Assert.DoesNotContain(compiled.Program.Resources, r => r.Type == "command:remote:Command");
        Assert.False(compiled.Program.Config.ContainsKey("deployKey"));
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task EveryRenderedHaproxyConfig_OfEveryStack_PassesHaproxyCheck(string file)
    {
        var compiled = Compile(file);
        using var dir = new TempDir();
        var ca = dir.Write("es-ca.crt", RendererSamples.ThrowawayCaPem());

        var configs = compiled.Files.Where(f => f.Path.StartsWith(CloudInit.HaproxyConfigFile, StringComparison.Ordinal)).ToList();
        // A first-boot config per HAProxy VM, and a pushed one too when there are other regions.
        var vms = compiled.Topology.Regions.Count(r => r.Balancer.Kind == BalancerKind.HaProxy);
        Assert.Equal(vms * (compiled.Topology.Regions.Count > 1 ? 2 : 1), configs.Count);

        foreach (var rendered in configs)
        {
            // Deploy-time addresses become documentation addresses (TEST-NET-3), one per distinct interpolation.
            var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
            var text = Interpolation().Replace(rendered.Text, m =>
            {
                if (!addresses.TryGetValue(m.Value, out var ip)) addresses[m.Value] = ip = $"203.0.113.{addresses.Count + 1}";
                return ip;
            }).Replace(NodeUserData.HaproxyCaFile, ca, StringComparison.Ordinal);
            var path = dir.Write($"{rendered.Region}-{addresses.Count}-{Math.Abs(rendered.Path.GetHashCode(StringComparison.Ordinal))}.cfg", text);

            var (exitCode, output) = await RealTool.RunAsync("haproxy", "-c", "-f", path);

            Assert.True(exitCode == 0, $"{rendered.Region} {rendered.Path}:\n{output}");
            Assert.DoesNotContain("WARNING", output, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> Stacks() => Repository.StackFileData();

    private static List<object> Triggers(StackCompilation c, string resource) =>
        ((System.Collections.IEnumerable)c.Program.Resource(resource).Properties["triggers"]).Cast<object>().ToList();

    [GeneratedRegex(@"\$\{[^}]+\}")]
    private static partial Regex Interpolation();
}
