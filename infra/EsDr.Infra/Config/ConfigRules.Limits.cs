using EsDr.Infra.Topology;

namespace EsDr.Infra.Config;

/// <summary>Limits on what a stack may ask for, checked here rather than found by an exception deep in rendering.</summary>
public static partial class ConfigRules
{
    /// <summary>
    /// The most regions a stack may list: the monitoring host gives each region's elasticsearch_exporter one port of
    /// 9120–9139 (<see cref="Compilation.MonitoringSite.FirstExporterPort"/>), and every stack keeps the same limit so
    /// adding monitoring never breaks one; it also bounds the compile (20 regions of 99 nodes: about 20 s).
    /// </summary>
    public const int MaxRegions = Compilation.MonitoringSite.FirstMysqldExporterPort - Compilation.MonitoringSite.FirstExporterPort;

    private static IEnumerable<ConfigError> RegionCountIsWithinTheLimit(StackConfig c)
    {
        if (c.Regions.Count > MaxRegions)
            yield return new(Key(c, "regions"), $"must list at most {MaxRegions} regions, got {c.Regions.Count}");
    }

    /// <summary>
    /// Each network once per list: firewall rules are named after the network they admit, so a second spelling of
    /// one (<c>0.0.0.0/0</c> and <c>0.0.0.0/+0</c>) would declare the same rule twice.
    /// </summary>
    private static IEnumerable<ConfigError> CidrListsNameEachNetworkOnce(StackConfig c)
    {
        var lists = new (string Path, IReadOnlyList<string> Cidrs)[]
        {
            ("elasticsearch.clientCidrs", c.Elasticsearch.ClientCidrs),
            ("ssh.allowedCidrs", c.Ssh.AllowedCidrs),
            ("deployer.cidrs", c.Deployer?.Cidrs ?? []),
            ("application.clientCidrs", c.Application?.ClientCidrs ?? []),
        };
        foreach (var (path, cidrs) in lists)
        {
            var seen = new Dictionary<Ipv4Cidr, int>();
            for (var i = 0; i < cidrs.Count; i++)
            {
                if (!Ipv4Cidr.TryParse(cidrs[i], out var network)) continue; // reported by the list's own rule
                var list = path[(path.IndexOf('.', StringComparison.Ordinal) + 1)..];
                if (seen.TryGetValue(network, out var first))
                    yield return new(Key(c, $"{path}[{i}]"), $"'{cidrs[i]}' is the same network as {list}[{first}] ('{cidrs[first]}'); list each network once");
                else
                    seen[network] = i;
            }
        }
    }
}
