using EsDr.Infra.Renderers;

namespace EsDr.Infra.Tests.Renderers;

public class HaproxyBackendsTests
{
    private static RegionBackends Region(string name, TrafficRole role) =>
        new(name, role, [new($"{name}-es-1", $"{name}.1", 9200), new($"{name}-es-2", $"{name}.2", 9200)]);

    private static string[] Describe(IEnumerable<HaproxyServer> servers) =>
        servers.Select(s => s.Name + (s.IsBackup ? " backup" : "")).ToArray();

    [Fact]
    public void Failover_InTheActiveRegion_ItsOwnNodesServe_AndTheStandbysAreBackups() =>
        Assert.Equal(
            ["fra-es-1", "fra-es-2", "ams-es-1 backup", "ams-es-2 backup"],
            Describe(HaproxyBackends.Failover([Region("fra", TrafficRole.Active), Region("ams", TrafficRole.Standby)])));

    [Fact]
    public void Failover_InAStandbyRegion_TheActiveRegionsNodesServe_AndItsOwnAreBackups() =>
        // The standby region lists itself first; the order of regions does not decide who serves.
        Assert.Equal(
            ["fra-es-1", "fra-es-2", "ams-es-1 backup", "ams-es-2 backup"],
            Describe(HaproxyBackends.Failover([Region("ams", TrafficRole.Standby), Region("fra", TrafficRole.Active)])));

    [Fact]
    public void Failover_RegionsTakingNoTraffic_ContributeNothing() =>
        Assert.Equal(
            ["fra-es-1", "fra-es-2", "ams-es-1 backup", "ams-es-2 backup"],
            Describe(HaproxyBackends.Failover([Region("dub", TrafficRole.None), Region("fra", TrafficRole.Active), Region("ams", TrafficRole.Standby)])));

    [Fact]
    public void Failover_IgnoresBackupFlagsItIsGiven()
    {
        var active = new RegionBackends("fra", TrafficRole.Active, [new("fra-es-1", "10.0.0.11", 9200, IsBackup: true)]);

        Assert.Equal(["fra-es-1"], Describe(HaproxyBackends.Failover([active])));
    }

    [Fact]
    public void Render_WithLocalServers_TransportAndClusterPortsReachOnlyThem_WhileHttpFollowsTheActiveRegion()
    {
        var servers = HaproxyBackends.Failover([Region("ams", TrafficRole.Standby), Region("fra", TrafficRole.Active)]);
        var own = Region("ams", TrafficRole.Standby).Servers;
        var config = HaproxyConfig.Render(new HaproxyFrontendSettings(servers, "/ca.crt") { LocalServers = own, ClusterPort = 9210, ProxyTransport = true });

        Assert.Contains("server fra-es-1 fra.1:9200 check port 9200\n", config, StringComparison.Ordinal);
        Assert.Contains("server ams-es-1 ams.1:9200 check port 9200 backup\n", config, StringComparison.Ordinal);
        var cluster = config.Split("\n\n").Single(s => s.StartsWith("backend es_cluster", StringComparison.Ordinal));
        var transport = config.Split("\n\n").Single(s => s.StartsWith("backend es_transport", StringComparison.Ordinal));
        Assert.Contains("bind :9210", config, StringComparison.Ordinal);
        foreach (var backend in new[] { cluster, transport })
        {
            Assert.DoesNotContain("fra-es", backend, StringComparison.Ordinal);
            Assert.DoesNotContain(" backup", backend, StringComparison.Ordinal);
            Assert.Contains("server ams-es-2 ams.2:", backend, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Render_LocalServersThatAreBackups_Throws() =>
        Assert.Throws<ArgumentException>(() => HaproxyConfig.Render(
            new HaproxyFrontendSettings([new("fra-es-1", "10.0.0.11", 9200)], "/ca.crt") { LocalServers = [new("ams-es-1", "10.1.0.11", 9200, IsBackup: true)] }));
}
