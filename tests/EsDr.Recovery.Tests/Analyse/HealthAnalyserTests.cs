using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using static EsDr.Recovery.Tests.Analyse.Timeline;

namespace EsDr.Recovery.Tests.Analyse;

public class HealthAnalyserTests
{
    private static readonly AnalysisThresholds Thresholds = AnalysisThresholds.Default;

    /// <summary>Each scenario breaks one thing in every snapshot; the expected diagnosis and its subject.</summary>
    private static (Func<HealthSnapshot, HealthSnapshot> Break, DiagnosisCode Code, string Region, string? Node) Scenario(string name) => name switch
    {
        "node lost" => (s => s.NodeMissing("east", "east-es-1"), DiagnosisCode.NodeDown, "east", "east-es-1"),
        "cluster red" => (s => s.WithCluster("east", c => c with { Status = ClusterStatus.Red }), DiagnosisCode.ClusterRed, "east", null),
        "no master" => (s => s.WithCluster("east", c => c with { HasMaster = false }), DiagnosisCode.ClusterWithoutMaster, "east", null),
        "region lost" => (s => s.RegionDown("east"), DiagnosisCode.RegionDown, "east", null),
        "ccr lag" => (s => s.WithCluster("west", c => c with { Followers = [new("orders", true, 50_000, null)] }), DiagnosisCode.ReplicationLagTooHigh, "west", null),
        "mysql lag" => (s => s.WithDatabase("west", d => d with { SecondsBehind = 120 }), DiagnosisCode.ReplicationLagTooHigh, "west", null),
        "ccr fatal" => (s => s.WithCluster("west", c => c with { Followers = [new("orders", false, 0, "index_not_found_exception")] }), DiagnosisCode.CcrFatalError, "west", null),
        "replica io stopped" => (s => s.WithDatabase("west", d => d with { IoThreadRunning = false, SecondsBehind = null }), DiagnosisCode.ReplicaBroken, "west", null),
        "replica sql stopped" => (s => s.WithDatabase("west", d => d with { SqlThreadRunning = false }), DiagnosisCode.ReplicaBroken, "west", null),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [InlineData("node lost")]
    [InlineData("cluster red")]
    [InlineData("no master")]
    [InlineData("region lost")]
    [InlineData("ccr lag")]
    [InlineData("mysql lag")]
    [InlineData("ccr fatal")]
    [InlineData("replica io stopped")]
    [InlineData("replica sql stopped")]
    public void Analyse_FailureSeenLongEnoughByBothVantages_DiagnosesItOnceSinceTheFirstFailure(string name)
    {
        var (breakIt, code, region, node) = Scenario(name);
        var timeline = Every(0, 10, (t, v) => Healthy(t, v), "probe", "peer")
            .Concat(Every(10, 60, (t, v) => breakIt(Healthy(t, v)), "probe", "peer"))
            .ToList();

        var diagnoses = HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(59));

        var d = Assert.Single(diagnoses);
        Assert.Equal((code, region, node), (d.Code, d.Region, d.Node));
        Assert.Equal(At(10), d.Since);
        Assert.Contains(d.Evidence, e => e.StartsWith("peer: ", StringComparison.Ordinal));
        Assert.Contains(d.Evidence, e => e.StartsWith("probe: ", StringComparison.Ordinal));
        Assert.Contains("2 of 2 reporting vantages agree (2 required)", d.Evidence);
    }

    [Theory]
    [InlineData("node lost")]
    [InlineData("no master")]
    [InlineData("region lost")]
    [InlineData("ccr fatal")]
    [InlineData("replica io stopped")]
    public void Analyse_TwoConsecutiveFailuresWithThresholdThree_DiagnosesNothing(string name)
    {
        var (breakIt, _, _, _) = Scenario(name);
        var timeline = Every(0, 5, (t, v) => Healthy(t, v))
            .Concat(Every(5, 7, (t, v) => breakIt(Healthy(t, v))))
            .ToList();

        Assert.Empty(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(6)));
    }

    [Fact]
    public void Analyse_ThirdConsecutiveFailure_Confirms()
    {
        var timeline = Every(0, 3, (t, v) => Healthy(t, v).NodeMissing("east", "east-es-2")).ToList();

        var d = Assert.Single(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(2)));

        Assert.Equal(DiagnosisCode.NodeDown, d.Code);
        Assert.Contains("probe: 3 consecutive failed observations since 2025-01-01T12:00:00.0000000+00:00 (node missing from cluster)", d.Evidence);
    }

    [Fact]
    public void Analyse_AFailureItsSourceConfirmedAlready_ConfirmsOnItsFirstObservation()
    {
        // Prometheus fires an alert only after its rule's for: has held: the round that first sees it firing, after two
        // quiet ones, agrees with the probe's third failure.
        var timeline = Every(0, 3, (t, v) => v == "probe"
            ? Healthy(t, v).RegionDown("east")
            : (t < 2 ? Healthy(t, v) : Healthy(t, v).RegionDown("east")) with { ConfirmedAtSource = true }, "probe", "alerts").ToList();

        var d = Assert.Single(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(2)));

        Assert.Equal((DiagnosisCode.RegionDown, "east"), (d.Code, d.Region));
        Assert.Contains("2 of 2 reporting vantages agree (2 required)", d.Evidence);
    }

    [Fact]
    public void Analyse_OneFailedObservationOfAProbe_ConfirmsNothingYet()
    {
        var timeline = new[] { Healthy(0, "alerts").RegionDown("east"), Healthy(0).RegionDown("east") };

        Assert.Empty(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(0)));
    }

    [Fact]
    public void Analyse_HealthyWorld_DiagnosesNothing()
    {
        var timeline = Every(0, 60, (t, v) => Healthy(t, v), "probe", "peer", "prometheus").ToList();

        Assert.Empty(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(59)));
    }

    [Fact]
    public void Analyse_OneVantageSaysDownWhileAnotherSaysUp_NoRegionDown()
    {
        var timeline = Every(0, 60, (t, v) => v == "probe" ? Healthy(t, v).RegionDown("east") : Healthy(t, v), "probe", "peer").ToList();

        Assert.DoesNotContain(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(59)), d => d.Code == DiagnosisCode.RegionDown);
    }

    [Fact]
    public void Analyse_TwoOfThreeVantagesSayDown_RegionDown()
    {
        var timeline = Every(0, 10, (t, v) => v == "prometheus" ? Healthy(t, v) : Healthy(t, v).RegionDown("east"), "probe", "peer", "prometheus").ToList();

        var d = Assert.Single(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(9)));
        Assert.Equal(DiagnosisCode.RegionDown, d.Code);
        Assert.Contains("2 of 3 reporting vantages agree (2 required)", d.Evidence);
    }

    [Fact]
    public void Analyse_OnlyVantageSaysDown_RegionDown()
    {
        var timeline = Every(0, 5, (t, v) => Healthy(t, v).RegionDown("west")).ToList();

        var d = Assert.Single(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(4)));
        Assert.Equal((DiagnosisCode.RegionDown, "west"), (d.Code, d.Region));
    }

    [Fact]
    public void Analyse_ClusterUnreachableButEndpointHealthy_NoRegionDown()
    {
        var timeline = Every(0, 10, (t, v) => Healthy(t, v).RegionDown("east").WithEndpoint("east", healthy: true), "probe", "peer").ToList();

        Assert.Empty(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(9)));
    }

    [Fact]
    public void Analyse_RegionDown_SuppressesNodeDownOfThatRegion()
    {
        // Nodes drop out one by one (NodeDown confirmed for east-es-0), then the whole region goes.
        var timeline = Every(0, 10, (t, v) => Healthy(t, v).NodeMissing("east", "east-es-0"), "probe", "peer")
            .Concat(Every(10, 20, (t, v) => Healthy(t, v).RegionDown("east"), "probe", "peer"))
            .ToList();

        var before = HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(9));
        var after = HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(19));

        Assert.Equal(DiagnosisCode.NodeDown, Assert.Single(before).Code);
        Assert.Equal(DiagnosisCode.RegionDown, Assert.Single(after).Code);
    }

    [Fact]
    public void Analyse_RedShorterThanGracePeriod_NotDiagnosed()
    {
        var timeline = Every(0, 20, (t, v) => Healthy(t, v).WithCluster("east", c => c with { Status = ClusterStatus.Red })).ToList();

        Assert.Empty(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(19)));
    }

    [Fact]
    public void Analyse_YellowForever_NotDiagnosed()
    {
        var timeline = Every(0, 60, (t, v) => Healthy(t, v).WithCluster("east", c => c with { Status = ClusterStatus.Yellow })).ToList();

        Assert.Empty(HealthAnalyser.Analyse(timeline, Topology, Thresholds, At(59)));
    }

    [Fact]
    public void Analyse_SnapshotsOutsideTheWindow_AreIgnored()
    {
        var timeline = Every(0, 10, (t, v) => Healthy(t, v).NodeMissing("east", "east-es-1")).ToList();

        Assert.Empty(HealthAnalyser.Analyse(timeline, Topology, Thresholds with { Window = TimeSpan.FromSeconds(2) }, At(10)));
    }

    [Fact]
    public void Step_RegionFlappingEvery2sForAMinute_AtMostOneRegionDownThatNeverClearsOrReFires()
    {
        // Down for 2 s, up for 2 s, for a minute; both vantages see it, one snapshot each per second.
        static bool Down(double t) => (int)t / 2 % 2 == 1;
        var steps = Run(Every(0, 60, (t, v) => Down(t) ? Healthy(t, v).RegionDown("east") : Healthy(t, v), "probe", "peer"));

        Assert.True(steps.Sum(s => s.Raised.Count) <= 1);
        Assert.Empty(steps.SelectMany(s => s.Cleared));
    }

    [Fact]
    public void Step_RegionConfirmedDownThenFlapping_KeepsOneDiagnosisWithTheSameSince()
    {
        static bool Down(double t) => t < 10 || (int)t / 2 % 2 == 1;
        var steps = Run(Every(0, 70, (t, v) => Down(t) ? Healthy(t, v).RegionDown("east") : Healthy(t, v), "probe", "peer"));

        var raised = Assert.Single(steps.SelectMany(s => s.Raised));
        Assert.Equal((DiagnosisCode.RegionDown, At(0)), (raised.Code, raised.Since));
        Assert.Empty(steps.SelectMany(s => s.Cleared));
        Assert.All(steps.SkipWhile(s => s.Raised.Count == 0), s => Assert.Same(raised, Assert.Single(s.Diagnoses)));
    }

    [Fact]
    public void Step_RegionBackForClearAfterObservationsOnEveryVantage_Clears()
    {
        var steps = Run(Every(0, 10, (t, v) => Healthy(t, v).RegionDown("east"), "probe", "peer")
            .Concat(Every(10, 13, (t, v) => Healthy(t, v), "probe", "peer")));

        Assert.Equal(DiagnosisCode.RegionDown, Assert.Single(steps.SelectMany(s => s.Cleared)).Code);
        Assert.Empty(steps[^1].Diagnoses);
        Assert.NotEmpty(steps[^2].Diagnoses); // probe has three healthy observations, peer only two: still down
    }

    [Fact]
    public void Step_OnlyOneVantageSeesRecovery_DiagnosisStays()
    {
        var steps = Run(Every(0, 10, (t, v) => Healthy(t, v).RegionDown("east"), "probe", "peer")
            .Concat(Every(10, 30, (t, v) => v == "probe" ? Healthy(t, v) : Healthy(t, v).RegionDown("east"), "probe", "peer")));

        Assert.Empty(steps.SelectMany(s => s.Cleared));
        Assert.Equal(DiagnosisCode.RegionDown, Assert.Single(steps[^1].Diagnoses).Code);
    }

    [Fact]
    public void Step_FailureAfterClearing_RaisesANewDiagnosisWithANewSince()
    {
        var steps = Run(Every(0, 5, (t, v) => Healthy(t, v).NodeMissing("east", "east-es-1"))
            .Concat(Every(5, 10, (t, v) => Healthy(t, v)))
            .Concat(Every(10, 15, (t, v) => Healthy(t, v).NodeMissing("east", "east-es-1"))));

        var raised = steps.SelectMany(s => s.Raised).ToList();
        Assert.Equal([At(0), At(10)], raised.Select(d => d.Since));
        Assert.Single(steps.SelectMany(s => s.Cleared));
    }

    [Fact]
    public void Step_IsPure_SameStateAndSnapshotGiveTheSameResult()
    {
        var state = Run(Every(0, 2, (t, v) => Healthy(t, v).RegionDown("east")))[^1].State;
        var next = Healthy(2).RegionDown("east");

        var a = HealthAnalyser.Step(state, next, Topology, Thresholds);
        var b = HealthAnalyser.Step(state, next, Topology, Thresholds);

        Assert.Equal(a.Diagnoses.Select(d => (d.Code, d.Region, d.Since)), b.Diagnoses.Select(d => (d.Code, d.Region, d.Since)));
        Assert.Single(a.Diagnoses);
        Assert.Empty(HealthAnalyser.Step(state, Healthy(2), Topology, Thresholds).Diagnoses);
    }
}
