using EsDr.Infra.Config;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>The daemon's planning: which diagnoses <c>es-dr:recovery.auto</c> lets it plan, with facts from the latest probe.</summary>
public sealed class DaemonPlanningTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    private static Deployment Prod()
    {
        var file = EsDr.Infra.Config.StackFile.Load(Path.Combine(OperatorTestbed.FindRoot(), "Pulumi.prod.yaml"), "es-dr");
        var config = StackConfigParser.Parse("es-dr", "prod", file.Config);
        var (view, types) = StackView.Offline(config);
        var regions = view.Regions.Select(r => new RegionAddress(r.Name, new Uri($"https://{r.Name}.example:9200"),
            new DatabaseAddress(r.Name == "fra" ? "primary" : "replica", "db." + r.Name, 3306), r.Nodes.Select(n => n.Name).ToList())).ToList();
        return new Deployment(config, view, types, regions, null, StackCredentials.Empty);
    }

    private static HealthSnapshot FraDownDubFollowing() => new(At, "probe",
    [
        new ClusterObservation("fra", false, null, false, [], []),
        new ClusterObservation("dub", true, ClusterStatus.Green, true, ["n"], [new FollowerObservation("orders-1", true, 0, null)]),
    ], [new DatabaseObservation("fra", false, false, false, false, false, null, null)], []);

    private static Diagnosis Down(string region, string? node = null) =>
        new(node is null ? DiagnosisCode.RegionDown : DiagnosisCode.NodeDown, region, node, At, ["test"]);

    [Fact]
    public void RegionDownOfTheActiveRegion_WithRegionFailoverAllowed_PlansAFailoverToTheStandby_FromTheProbesFacts()
    {
        var plan = DaemonPlanning.PlanFor(Down("fra"), Prod(), [AutoRecovery.RegionFailover], FraDownDubFollowing());

        Assert.NotNull(plan);
        Assert.Equal(RecoveryKind.RegionFailover, plan.Kind);
        Assert.Equal("fail over from fra to dub (fra's cluster did not answer: its indices are not write-blocked)", plan.Summary);
        var rendered = plan.Steps.Select(s => s.Render()).ToList();
        Assert.Contains(rendered, r => r.Contains("/orders-1/_ccr/pause_follow", StringComparison.Ordinal));
        // fra's MySQL did not answer: no fencing step is planned against it.
        Assert.DoesNotContain(rendered, r => r.Contains("read_only = ON", StringComparison.Ordinal));
    }

    [Fact]
    public void RegionFailoverPlan_OnOneVantageAllowedByTheSetting_SaysSoInItsSummary()
    {
        const string statement = "confirmed by 1 vantage (alerts): allowed by es-dr:recovery.analysis.minVantagesForRegionActions = 1";
        var diagnosis = Down("fra") with { Confirmation = new VantageConfirmation(["alerts"], 1, true, statement) };

        var plan = DaemonPlanning.PlanFor(diagnosis, Prod(), [AutoRecovery.RegionFailover], FraDownDubFollowing());

        Assert.Equal("fail over from fra to dub (fra's cluster did not answer: its indices are not write-blocked) (" + statement + ")", plan!.Summary);
        Assert.Contains(statement, plan.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void RegionFailover_WhenTheLostClusterStillAnswers_FencesTheLeaderIndicesFollowInfoNamed()
    {
        var probe = new HealthSnapshot(At, "probe",
        [
            new ClusterObservation("fra", true, ClusterStatus.Red, true, ["n"], []),
            new ClusterObservation("dub", true, ClusterStatus.Green, true, ["n"], [new FollowerObservation("orders-copy", true, 0, null, "orders-1")]),
        ], [new DatabaseObservation("fra", false, false, false, false, false, null, null)], []);

        var plan = DaemonPlanning.PlanFor(Down("fra"), Prod(), [AutoRecovery.RegionFailover], probe)!;

        Assert.Equal("""[es fra] PUT /orders-1/_settings?ignore_unavailable=true {"blocks":{"write":true}}""", plan.Steps[0].Render());
        Assert.Equal("[es dub] POST /orders-copy/_ccr/pause_follow", plan.Steps[1].Render());
        Assert.Equal("fail over from fra to dub", plan.Summary);
    }

    private static Diagnosis Red(string region) => new(DiagnosisCode.ClusterRed, region, null, At, ["test"]);

    private static HealthSnapshot FraRedDubGreen(ClusterStatus dub = ClusterStatus.Green) => new(At, "probe",
    [
        new ClusterObservation("fra", true, ClusterStatus.Red, true, ["n"], []),
        new ClusterObservation("dub", true, dub, true, ["n"], [new FollowerObservation("orders-1", true, 0, null, "orders-1")]),
    ], [new DatabaseObservation("fra", false, false, false, false, false, null, null)], []);

    [Fact]
    public void ClusterRed_OfTheActiveRegion_WithRegionFailoverAllowed_FailsOverToAGreenStandby_FencingTheRedCluster()
    {
        var plan = DaemonPlanning.PlanFor(Red("fra"), Prod(), [AutoRecovery.RegionFailover], FraRedDubGreen());

        Assert.NotNull(plan);
        Assert.Equal(RecoveryKind.RegionFailover, plan.Kind);
        Assert.Equal("fail over from fra to dub", plan.Summary);
        Assert.Equal("""[es fra] PUT /orders-1/_settings?ignore_unavailable=true {"blocks":{"write":true}}""", plan.Steps[0].Render());
        Assert.True(DaemonPlanning.MayFailOver(DiagnosisCode.ClusterRed));
    }

    [Theory]
    [InlineData(ClusterStatus.Yellow)]
    [InlineData(ClusterStatus.Red)]
    public void ClusterRed_IsNotFailedOverToAStandbyThatIsNotGreen(ClusterStatus standby)
    {
        var error = Assert.Throws<ArgumentException>(() => DaemonPlanning.PlanFor(Red("fra"), Prod(), [AutoRecovery.RegionFailover], FraRedDubGreen(standby)));

        Assert.Contains($"was not seen green ({standby.ToString().ToLowerInvariant()})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterRed_OfAnotherRegion_IsAnOperators()
    {
        Assert.Null(DaemonPlanning.PlanFor(Red("dub"), Prod(), [AutoRecovery.RegionFailover, AutoRecovery.RegionRebuild, AutoRecovery.NodeRebuild], FraRedDubGreen()));
        Assert.False(DaemonPlanning.MayFailOver(DiagnosisCode.CcrFatalError));
    }

    [Fact]
    public void Diagnoses_TheConfigDoesNotAllow_AreNotPlanned()
    {
        var deployment = Prod();
        var node = deployment.Region("fra").ExpectedNodes[0];

        Assert.Null(DaemonPlanning.PlanFor(Down("fra"), deployment, [AutoRecovery.NodeRebuild], FraDownDubFollowing()));
        Assert.Null(DaemonPlanning.PlanFor(Down("fra", node), deployment, [AutoRecovery.RegionFailover], FraDownDubFollowing()));
        Assert.Null(DaemonPlanning.PlanFor(Down("dub"), deployment, [AutoRecovery.RegionFailover], FraDownDubFollowing()));
        foreach (var code in new[] { DiagnosisCode.NodesMissing, DiagnosisCode.ClusterWithoutMaster, DiagnosisCode.ReplicationLagTooHigh, DiagnosisCode.CcrFatalError, DiagnosisCode.ReplicaBroken })
            Assert.Null(DaemonPlanning.PlanFor(new Diagnosis(code, "fra", null, At, []), deployment,
                [AutoRecovery.RegionFailover, AutoRecovery.NodeRebuild, AutoRecovery.RegionRebuild], FraDownDubFollowing()));
        Assert.Null(DaemonPlanning.PlanFor(Red("fra"), deployment, [AutoRecovery.NodeRebuild, AutoRecovery.RegionRebuild], FraRedDubGreen()));
        Assert.Equal(RecoveryKind.NodeRebuild, DaemonPlanning.PlanFor(Down("fra", node), deployment, [AutoRecovery.NodeRebuild], FraDownDubFollowing())!.Kind);
        Assert.Equal(RecoveryKind.RegionRebuild, DaemonPlanning.PlanFor(Down("dub"), deployment, [AutoRecovery.RegionRebuild], FraDownDubFollowing())!.Kind);
    }

    [Fact]
    public void Failover_WhenTheStandbyIsAlreadyAWritablePrimary_IsRefused_SoASecondWatcherDoesNotRepeatIt()
    {
        var promoted = FraDownDubFollowing() with
        {
            Databases = [new DatabaseObservation("fra", false, false, false, false, false, null, null),
                         new DatabaseObservation("dub", true, false, false, false, false, null, "0-2-7")],
        };

        var error = Assert.Throws<ArgumentException>(() => DaemonPlanning.PlanFor(Down("fra"), Prod(), [AutoRecovery.RegionFailover], promoted));

        Assert.Contains("dub already looks promoted", error.Message, StringComparison.Ordinal);
        // Still a read-only replica: planned as usual.
        var replica = promoted with { Databases = [promoted.Databases[0], new DatabaseObservation("dub", true, true, true, true, true, 0, "0-1-7")] };
        Assert.NotNull(DaemonPlanning.PlanFor(Down("fra"), Prod(), [AutoRecovery.RegionFailover], replica));
    }

    [Fact]
    public void Failover_WhenTheStandbyDatabaseAnswersWithAnError_IsNotMistakenForAPromotedPrimary()
    {
        var erring = FraDownDubFollowing() with
        {
            Databases = [new DatabaseObservation("fra", false, false, false, false, false, null, null),
                         new DatabaseObservation("dub", true, false, false, false, false, null, null) { SqlError = "answered with error 1064" }],
        };

        Assert.NotNull(DaemonPlanning.PlanFor(Down("fra"), Prod(), [AutoRecovery.RegionFailover], erring));
    }

    [Fact]
    public void Failover_FencesAnOldPrimaryThatAnswersWithAnError_ForItMayStillTakeWrites()
    {
        var erring = FraDownDubFollowing() with
        {
            Databases = [new DatabaseObservation("fra", true, false, false, false, false, null, null) { SqlError = "answered with error 1227" }],
        };

        var plan = DaemonPlanning.PlanFor(Down("fra"), Prod(), [AutoRecovery.RegionFailover], erring)!;

        Assert.Equal("[mysql fra] SET GLOBAL read_only = ON;", plan.Steps[0].Render());
    }

    [Fact]
    public void Failover_WhenTheStandbyWasNotSeen_RefusesToGuessItsFollowers()
    {
        var unseen = new HealthSnapshot(At, "probe", [new ClusterObservation("fra", false, null, false, [], [])], [], []);

        var e = Assert.Throws<ArgumentException>(() => DaemonPlanning.PlanFor(Down("fra"), Prod(), [AutoRecovery.RegionFailover], unseen));
        Assert.Contains("dub", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoCodes_MapEachAllowedRecoveryToTheDiagnosisItAnswers() =>
        Assert.Equal(new HashSet<DiagnosisCode> { DiagnosisCode.NodeDown, DiagnosisCode.ClusterRed, DiagnosisCode.RegionDown },
            DaemonPlanning.AutoCodes([AutoRecovery.NodeRebuild, AutoRecovery.RegionFailover, AutoRecovery.RegionRebuild]));
}
