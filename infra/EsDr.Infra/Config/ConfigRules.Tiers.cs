using System.Text.RegularExpressions;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Config;

/// <summary>Rules for the database and application tiers and the application's DNS name.</summary>
public static partial class ConfigRules
{
    /// <summary>Cloud-init keys the compiler renders for application servers as single values: a user's cloud-config may not set them.</summary>
    public static readonly string[] ReservedCloudConfigKeys = ["package_update", "package_upgrade", "users", "disable_root", "ssh_pwauth"];

    /// <summary>Ports the balancer or the hosts already use for something else.</summary>
    /// <summary>Elasticsearch nodes take hosts 11 up, application servers 21 up: at most ten nodes fit below them.</summary>
    private const int ApplicationHostOffsetGap = (int)(TopologyBuilder.ApplicationHostOffset - TopologyBuilder.NodeHostOffset);

    private static readonly int[] TakenPorts = [22, 3306, 9200, 9201, 9300, 9301];

    /// <summary>What already listens on a regional balancer (a HAProxy VM, a NodeBalancer's front door, an NLB).</summary>
    private static readonly Dictionary<int, string> BalancerPorts = new()
    {
        [22] = "SSH's port (the HAProxy VM's own)",
        [3306] = "MySQL's port (a HAProxy VM passes it to the region's database host)",
        [Renderers.HaproxyFrontendSettings.DefaultMonitorPort] = "the HAProxy VM's health endpoint",
        [9200] = "Elasticsearch's HTTP port",
        [Clouds.Linode.LinodeFrontDoor.Port] = "the Linode front door's HTTP port",
        [Compilation.NodeUserData.HaproxyClusterPort] = "the HAProxy VM's cluster port",
        [9300] = "Elasticsearch's transport port",
        [Clouds.Linode.LinodeFrontDoor.TransportPort] = "the Linode front door's transport port",
    };

    private static IEnumerable<ConfigError> DatabaseTierIsPlaceable(StackConfig c)
    {
        var withDb = c.Regions.Select((r, i) => (r, i)).Where(x => x.r.Database is not null).ToList();
        if (c.Database is null)
        {
            foreach (var (_, i) in withDb)
                yield return new(RegionKey(c, i, "database"), $"needs the stack-level {Key(c, "database")} (engine: mariadb or mysql)");
            yield break;
        }
        if (withDb.Count == 0)
        {
            yield return new(Key(c, "database"), "no region has a database host; add database: { size } to the active region (and to standbys for replicas)");
            yield break;
        }
        var active = c.Regions.Select((r, i) => (r, i)).FirstOrDefault(x => x.r.Name == c.ActiveRegion);
        if (active.r is not null && active.r.Database is null)
            yield return new(RegionKey(c, active.i, "database"), $"the active region '{c.ActiveRegion}' must have the database primary, since other regions have database hosts");
        foreach (var (r, i) in withDb)
        {
            if (string.IsNullOrWhiteSpace(r.Database!.Size))
                yield return new(RegionKey(c, i, "database.size"), "must name the instance type/plan of the database host");
        }
        if (c.Database.SemiSyncTimeoutMs < 1)
            yield return new(Key(c, "database.semiSyncTimeoutMs"), $"must be positive, got {c.Database.SemiSyncTimeoutMs}");
        if (c.Database.BinlogRetentionHours < 1)
            yield return new(Key(c, "database.binlogRetentionHours"), $"must be at least 1, got {c.Database.BinlogRetentionHours}");
    }

    private static IEnumerable<ConfigError> ApplicationTierIsPlaceable(StackConfig c)
    {
        var withApp = c.Regions.Select((r, i) => (r, i)).Where(x => x.r.Application is not null).ToList();
        if (c.Application is not { } app)
        {
            foreach (var (_, i) in withApp)
                yield return new(RegionKey(c, i, "application"), $"needs the stack-level {Key(c, "application")} (port, healthPath, publicPort)");
            yield break;
        }
        if (withApp.Count == 0)
            yield return new(Key(c, "application"), "no region has an application pool; add application: { nodes, size } to a region");
        foreach (var (r, i) in withApp)
        {
            // Behind HAProxy the VM's config names the servers' fixed private addresses (Linode, OVH). DigitalOcean
            // droplets have none: the VM would wait for the servers, which name its address (a cycle).
            if (r.LoadBalancer.Kind == BalancerKind.HaProxy && r.Cloud == Cloud.DigitalOcean)
                yield return new(RegionKey(c, i, "application"),
                    "is not supported behind HAProxy on DigitalOcean (droplets have no fixed private address for HAProxy's config); use loadBalancer.kind: digitalocean");
            if (r.Application!.Nodes is < 1 or > 20)
                yield return new(RegionKey(c, i, "application.nodes"), $"must be between 1 and 20, got {r.Application.Nodes}");
            if (string.IsNullOrWhiteSpace(r.Application.Size))
                yield return new(RegionKey(c, i, "application.size"), "must name the instance type/plan of the application servers");
            if (c.Database is not null && r.Database is null)
                yield return new(RegionKey(c, i, "application"),
                    "needs a database host in the same region (database: { size }): 3306 admits only the region's own application servers");
            if (r.Application.Nodes >= 1 && r.Elasticsearch.Nodes > ApplicationHostOffsetGap)
                yield return new(RegionKey(c, i, "application"),
                    $"application servers take hosts 21 and up of the first subnet, which Elasticsearch nodes 11 and up would share; use at most {ApplicationHostOffsetGap} Elasticsearch nodes in a region with an application pool");
        }
        foreach (var (name, port) in new[] { ("port", app.Port), ("publicPort", app.PublicPort) })
        {
            if (port is < 1 or > 65535)
                yield return new(Key(c, $"application.{name}"), $"must be a TCP port (1-65535), got {port}");
            else if (name == "publicPort" && BalancerPorts.TryGetValue(port, out var taken))
                yield return new(Key(c, $"application.{name}"), $"{port} is {taken}; pick another port");
            else if (TakenPorts.Contains(port))
                yield return new(Key(c, $"application.{name}"), $"{port} is used by SSH, MySQL or Elasticsearch (and their health checks); pick another port");
        }
        if (!HealthPath().IsMatch(app.HealthPath))
            yield return new(Key(c, "application.healthPath"),
                $"must be a path such as /healthz (letters, digits and / - % ? & = . only: what every balancer's check accepts), got '{app.HealthPath}'");
        for (var i = 0; i < app.ClientCidrs.Count; i++)
            if (CidrError(Key(c, $"application.clientCidrs[{i}]"), app.ClientCidrs[i], "0.0.0.0/0 or 198.51.100.0/24") is { } error)
                yield return error;
        if (app.CloudConfig is { } user)
            foreach (var (key, _) in user)
                if (ReservedCloudConfigKeys.Contains(key, StringComparer.Ordinal))
                    yield return new(Key(c, $"application.cloudConfig.{key}"), "is set by es-dr for every application server; remove it");
    }

    private static IEnumerable<ConfigError> ApplicationDnsNameIsServed(StackConfig c)
    {
        if (c.Dns is not { AppName: { } name } dns) yield break;
        if (!DnsLabel().IsMatch(name))
            yield return new(Key(c, "dns.appName"), $"must be one DNS label such as 'www' (the record is <appName>.<zone>), got '{name}'");
        else if (name == dns.SearchName)
            yield return new(Key(c, "dns.appName"), $"'{name}' is already the search endpoint's name (dns.searchName)");
        if (c.Application is null)
            yield return new(Key(c, "dns.appName"), $"needs an application tier ({Key(c, "application")} and a region with application)");
        else if (c.Regions.FirstOrDefault(r => r.Name == c.ActiveRegion) is { Application: null })
            yield return new(Key(c, "dns.appName"), $"the active region '{c.ActiveRegion}' has no application pool to point at");
    }

    [GeneratedRegex(@"^/[A-Za-z0-9/\-%?&=.]*$")]
    private static partial Regex HealthPath();
}
