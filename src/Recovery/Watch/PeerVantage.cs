using EsDr.Recovery.Replication;
using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Watch;

/// <summary>What one region's cluster says about its remote clusters: region → connected.</summary>
internal sealed record PeerReport(string From, IReadOnlyDictionary<string, bool> ConnectedByRegion);

/// <summary>One region's cluster asked about the others (the "peer" vantage).</summary>
internal interface IPeerProbe
{
    string Region { get; }

    Task<PeerReport> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Asks a region's cluster <c>GET /_remote/info</c> and reads each remote's <c>connected</c>, naming remotes by
/// region through <paramref name="regionByAlias"/> (the <c>cluster.remote.&lt;alias&gt;</c> the stack set up).
/// Remotes it does not know are ignored.
/// </summary>
internal sealed class RemoteInfoPeerProbe(string region, ElasticsearchConnection es, IReadOnlyDictionary<string, string> regionByAlias) : IPeerProbe
{
    public string Region { get; } = region;

    public async Task<PeerReport> ProbeAsync(CancellationToken cancellationToken)
    {
        var remotes = ObservationParser.Remotes(
            await es.CallAsync((c, ct) => c.Cluster.RemoteInfoAsync(ct), cancellationToken).ConfigureAwait(false));
        var connected = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var remote in remotes)
        {
            if (regionByAlias.TryGetValue(remote.Alias, out var remoteRegion) && remoteRegion != Region)
                connected[remoteRegion] = connected.GetValueOrDefault(remoteRegion) || remote.Connected;
        }
        return new PeerReport(Region, connected);
    }
}

/// <summary>Turns the peers' reports into one snapshot: a region is reachable when any peer that answered is connected to it.</summary>
internal static class PeerVantage
{
    public const string Name = "peer";

    /// <summary>
    /// Only reachability is observed. A region no peer answered about is left out (unknown), so a lost peer
    /// never counts as evidence against anyone.
    /// </summary>
    public static HealthSnapshot Snapshot(DateTimeOffset at, IEnumerable<PeerReport> reports)
    {
        var reachable = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            foreach (var (region, connected) in report.ConnectedByRegion)
            {
                if (region != report.From)
                    reachable[region] = reachable.GetValueOrDefault(region) || connected;
            }
        }
        return new HealthSnapshot(at, Name,
            [.. reachable.Select(r => new ClusterObservation(r.Key, r.Value, null, HasMaster: false, [], [], ClusterFacets.Reachability))],
            [], []);
    }
}
