using EsDr.Infra.Config;
using EsDr.Infra.Renderers;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>A region's application pool as compiled: its servers and the balancer side.</summary>
public sealed record ApplicationPoolBuild(RegionTopology Region, IReadOnlyList<ApplicationMember> Members, ApplicationResources Balancer);

/// <summary>
/// The application tier: per region with <c>application</c>, N servers (<see cref="ICloudAdapter.AddHost"/>) whose
/// port admits only the balancer, put behind the regional balancer (<see cref="ICloudAdapter.AddApplicationPool"/>).
/// Each server is told the region's Elasticsearch endpoint and nodes, the search DNS name, the region's database
/// host and the CA through <see cref="ApplicationCloudInit.EnvFile"/>; no password is written there.
/// </summary>
public static class ApplicationTier
{
    public static IReadOnlyList<ApplicationPoolBuild> Add(DeploymentTopology topology, IReadOnlyList<RegionBuildView> regions, ICollection<RenderedFile> files)
    {
        if (topology.Config.Application is not { } settings) return [];
        var pools = new List<ApplicationPoolBuild>();
        foreach (var view in regions.Where(r => r.Region.Applications.Count > 0))
        {
            var region = view.Region;
            var sources = view.Adapter.ApplicationBalancerSources(region);
            var userData = UserData(topology, settings, view, sources);
            var members = new List<ApplicationMember>();
            foreach (var host in region.Applications)
            {
                var hostUserData = UserDataDelivery.Deliver(topology, host.LogicalName, region.Name, host.Name, userData, files);
                var spec = new HostSpec(host.LogicalName, host.Name, host.Size, host.PrivateIp, hostUserData,
                    [new InboundRule("app-from-balancer", settings.Port, sources)], "application")
                {
                    Pool = $"{region.Key}-app",
                };
                members.Add(new ApplicationMember(host, view.Adapter.AddHost(view.Context, view.Resources, spec)));
            }
            var balancer = view.Adapter.AddApplicationPool(view.Context, view.Resources,
                new ApplicationPool(settings.Port, settings.PublicPort, settings.HealthPath, settings.ClientCidrs, members));
            pools.Add(new ApplicationPoolBuild(region, members, balancer));
        }
        return pools;
    }

    /// <summary>One user-data for every server of the region: they differ only in the address the cloud gives them.</summary>
    private static string UserData(DeploymentTopology topology, ApplicationSettings settings, RegionBuildView view, IReadOnlyList<string> sources)
    {
        var region = view.Region;
        var es = topology.Config.Elasticsearch;
        var environment = new ApplicationEnvironment(
            view.Resources.Endpoint,
            region.SeedHosts.Select(h => $"https://{h}:{es.HttpPort}").ToList(),
            topology.Config.Dns is { } dns ? $"https://{dns.SearchFqdn}:{es.HttpPort}" : null,
            region.Database is { } db ? DatabaseTier.PrivateAddress(db) : null,
            DatabaseSettings.Port,
            region.Database is { } d ? (d.Role == Renderers.Database.MySqlRole.Primary ? "primary" : "replica") : null,
            settings.Port);
        return ApplicationCloudInit.Render(new ApplicationUserData(
            environment, ClusterSecurity.CaCertBase64Ref, topology.Config.Ssh.PublicKeys, settings.CloudConfig)
        {
            // No cloud firewall (OVH): the server itself admits its port from the balancer only, and SSH from the operators.
            HostFirewall = view.Adapter.FiltersInTheCloud ? null : [(settings.Port, sources), (22, topology.Config.Ssh.AllowedCidrs)],
        });
    }
}
