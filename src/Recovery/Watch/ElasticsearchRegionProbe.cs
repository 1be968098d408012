using EsDr.Recovery.Observe.Elasticsearch;

namespace EsDr.Recovery.Watch;

/// <summary>The own probe of a region that is its cluster's REST API alone (health, nodes, CCR followers).</summary>
internal sealed class ElasticsearchRegionProbe(string region, ElasticsearchObserver observer) : IRegionProbe
{
    public string Region { get; } = region;

    public async Task<RegionObservation> ProbeAsync(CancellationToken cancellationToken) =>
        new(await observer.ObserveAsync(cancellationToken).ConfigureAwait(false));
}
