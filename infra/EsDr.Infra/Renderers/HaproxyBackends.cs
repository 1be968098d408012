namespace EsDr.Infra.Renderers;

/// <summary>What a region is to client traffic.</summary>
public enum TrafficRole
{
    /// <summary>Serves client traffic.</summary>
    Active,

    /// <summary>Takes client traffic only while every node of the active region fails its check.</summary>
    Standby,

    /// <summary>Takes no client traffic (lost, or rebuilding and still catching up).</summary>
    None,
}

/// <summary>One region's nodes as a HAProxy VM reaches them (addresses and ports as seen from that VM).</summary>
public sealed record RegionBackends(string Region, TrafficRole Role, IReadOnlyList<HaproxyServer> Servers);

/// <summary>Which servers a region's HAProxy sends client traffic to.</summary>
public static class HaproxyBackends
{
    /// <summary>
    /// Traffic follows the active region, wherever the HAProxy VM is: the active region's nodes are the
    /// servers and every standby region's nodes are <c>backup</c> servers, in the order given. Regions that take
    /// no traffic contribute nothing.
    /// </summary>
    public static IReadOnlyList<HaproxyServer> Failover(IEnumerable<RegionBackends> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var list = regions.ToList();
        var active = list.Where(r => r.Role == TrafficRole.Active).SelectMany(r => r.Servers).Select(s => s with { IsBackup = false });
        var standby = list.Where(r => r.Role == TrafficRole.Standby).SelectMany(r => r.Servers).Select(s => s with { IsBackup = true });
        return active.Concat(standby).ToList();
    }
}
