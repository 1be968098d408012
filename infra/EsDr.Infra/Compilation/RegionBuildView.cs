using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>One compiled region as the tiers added after the clusters see it: its adapter, context and resources.</summary>
public sealed record RegionBuildView(ICloudAdapter Adapter, RegionContext Context, RegionResources Resources)
{
    public RegionTopology Region => Context.Region;
}
