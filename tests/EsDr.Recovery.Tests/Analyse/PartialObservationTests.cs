using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using static EsDr.Recovery.Tests.Analyse.Timeline;

namespace EsDr.Recovery.Tests.Analyse;

/// <summary>Vantages that see only part of a cluster (the peer region, Prometheus alerts) count only for what they saw.</summary>
public sealed class PartialObservationTests
{
    private static HealthSnapshot PeerSees(double seconds, bool westReachable) => new(At(seconds), "peer",
        [new ClusterObservation("west", westReachable, null, HasMaster: false, [], [], ClusterFacets.Reachability)], [], []);

    [Fact]
    public void PeerAloneSeesOnlyReachability_ReachableClusterWithNoNodesOrMasterListed_DiagnosesNothing()
    {
        var steps = Run(Every(0, 10, (t, _) => PeerSees(t, westReachable: true), "peer"));

        Assert.Empty(steps[^1].Diagnoses);
    }

    [Fact]
    public void PeerSaysClusterUnreachable_AndProbeSaysRegionDown_RegionDown()
    {
        var steps = Run(Every(0, 5, (t, v) => v == "peer" ? PeerSees(t, westReachable: false) : Healthy(t, v).RegionDown("west"), "probe", "peer"));

        var down = Assert.Single(steps[^1].Diagnoses);
        Assert.Equal((DiagnosisCode.RegionDown, "west"), (down.Code, down.Region));
        Assert.Contains(down.Evidence, e => e.StartsWith("peer: ", StringComparison.Ordinal) && e.Contains("cluster unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public void PeerStillConnected_WhileProbeSaysRegionDown_NoRegionDown()
    {
        var steps = Run(Every(0, 10, (t, v) => v == "peer" ? PeerSees(t, westReachable: true) : Healthy(t, v).RegionDown("west"), "probe", "peer"));

        Assert.Empty(steps[^1].Diagnoses);
    }
}
