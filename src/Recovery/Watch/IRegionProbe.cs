using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Watch;

/// <summary>
/// One region's own probe (the "probe" vantage): whatever this program can see of the region directly — its
/// cluster, and where the probe checks them its MySQL server and public endpoint. The loop bounds each call with
/// its probe timeout; a probe need not time itself out.
/// </summary>
internal interface IRegionProbe
{
    string Region { get; }

    Task<RegionObservation> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>What one probe saw of one region; null where the probe does not look.</summary>
internal sealed record RegionObservation(
    ClusterObservation? Cluster,
    DatabaseObservation? Database = null,
    EndpointObservation? Endpoint = null)
{
    /// <summary>Nothing of the region answered within the probe timeout: its cluster is unreachable and its endpoint down.</summary>
    public static RegionObservation Unreachable(string region) => new(
        new ClusterObservation(region, Reachable: false, null, HasMaster: false, [], [], ClusterFacets.Reachability),
        null,
        new EndpointObservation(region, Healthy: false));
}
