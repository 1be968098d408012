using System.Text.RegularExpressions;
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
    /// A zone names its subnet's resources (<c>dub-subnet-eu-west-1a</c>, <c>monitoring-subnet-eu-north-1a</c>), and
    /// Pulumi reads a <c>.</c>, <c>[</c> or <c>}</c> in a reference to one as syntax: zones are written as AWS spells
    /// them (eu-west-1a, or a zone id such as euw1-az1), a letter first, then letters, digits and '-'.
    /// </summary>
    private static IEnumerable<ConfigError> ZonesAreNames(StackConfig c)
    {
        for (var i = 0; i < c.Regions.Count; i++)
            for (var z = 0; z < c.Regions[i].Zones.Count; z++)
                if (ZoneError(c.Regions[i].Zones[z]) is { } error)
                    yield return new(RegionKey(c, i, $"zones[{z}]"), error);
        if (c.Monitoring?.Zone is { } zone && ZoneError(zone) is { } monitoring)
            yield return new(Key(c, "monitoring.zone"), monitoring);
    }

    private static string? ZoneError(string zone) => ZoneName().IsMatch(zone) ? null
        : $"must be an availability zone such as eu-west-1a (a lowercase letter, then letters, digits and '-', at most 32), got '{zone}'";

    [GeneratedRegex("^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial Regex ZoneName();

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
