using EsDr.Infra.Config;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>The pure judgement behind <c>status</c>: which observations are problems.</summary>
public class StatusReportTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    private static Deployment Prod(RegionState dubState = RegionState.Standby)
    {
        var file = EsDr.Infra.Config.StackFile.Load(Path.Combine(OperatorTestbed.FindRoot(), "Pulumi.prod.yaml"), "es-dr");
        var config = StackConfigParser.Parse("es-dr", "prod", file.Config);
        config = config with { Regions = config.Regions.Select(r => r.Name == "dub" ? r with { State = dubState } : r).ToList() };
        var (view, types) = StackView.Offline(config);
        var regions = view.Regions.Select(r => new RegionAddress(r.Name, new Uri($"https://{r.Name}.example:9200"),
            new DatabaseAddress(r.Name == "fra" ? "primary" : "replica", "db." + r.Name, 3306), r.Nodes.Select(n => n.Name).ToList())).ToList();
        return new Deployment(config, view, types, regions, null, StackCredentials.Empty);
    }

    private static HealthSnapshot Healthy(Deployment d, string region, Func<ClusterObservation, ClusterObservation>? cluster = null,
        Func<DatabaseObservation, DatabaseObservation>? db = null)
    {
        var replica = region == "dub";
        var c = new ClusterObservation(region, true, ClusterStatus.Green, true, d.Region(region).ExpectedNodes,
            replica ? [new FollowerObservation("orders-1", true, 0, null)] : []);
        var database = new DatabaseObservation(region, true, ReadOnly: replica, IsReplica: replica, replica, replica, replica ? 0 : null, "0-1-10");
        return new HealthSnapshot(At, RegionProbe.Vantage, [(cluster ?? (x => x))(c)], [(db ?? (x => x))(database)], [new EndpointObservation(region, true)]);
    }

    private static StatusReport Evaluate(Deployment d, params HealthSnapshot[] snapshots) =>
        StatusReport.Evaluate(d, snapshots, AnalysisThresholds.Default, new Dictionary<string, string>());

    [Fact]
    public void OneVantageAllowedToMoveARegion_IsSaidByStatus_InTextAndJson_AndTheDefaultSaysNothing()
    {
        var d = Prod();
        var snapshots = new[] { Healthy(d, "fra"), Healthy(d, "dub") };
        var one = StatusReport.Evaluate(d, snapshots, AnalysisThresholds.Default with { MinVantagesForRegionActions = 1 }, new Dictionary<string, string>());
        var byDefault = Evaluate(d, snapshots);

        const string said = "region-level actions: confirmed by 1 vantage: allowed by es-dr:recovery.analysis.minVantagesForRegionActions = 1";
        Assert.Contains(said, one.Render(), StringComparison.Ordinal);
        Assert.Equal(said, (string?)one.ToJson()["regionActions"]);
        Assert.DoesNotContain("region-level actions", byDefault.Render(), StringComparison.Ordinal);
        Assert.Null(byDefault.ToJson()["regionActions"]);
    }

    [Fact]
    public void EverythingAsExpected_IsHealthy()
    {
        var d = Prod();

        var report = Evaluate(d, Healthy(d, "fra"), Healthy(d, "dub"));

        Assert.True(report.Healthy, string.Join("; ", report.Regions.SelectMany(r => r.Problems)));
    }

    [Fact]
    public void StoppedReplicaThreadsAndAWritableReplica_AreProblems()
    {
        var d = Prod();

        var report = Evaluate(d, Healthy(d, "fra"), Healthy(d, "dub", db: x => x with { IoThreadRunning = false, ReadOnly = false }));

        Assert.Equal(["replica threads stopped (IO stopped, SQL running)", "replica database is writable"], report.Regions[1].Problems);
        Assert.Empty(report.Regions[0].Problems);
    }

    [Fact]
    public void ADatabaseAnsweringWithAnError_IsThatProblem_NotUnreachable()
    {
        var d = Prod();
        const string error = "MySQL at dr@db.dub:3306 (dub) answered with error 1064 (exit 1): ERROR 1064 (42000) at line 1: syntax error";

        var report = Evaluate(d, Healthy(d, "fra"), Healthy(d, "dub", db: x => x with { SqlError = error }));

        Assert.Equal([$"database answered with an error: {error}"], report.Regions[1].Problems);
        Assert.Contains("database   replica  answered with an error", report.Render(), StringComparison.Ordinal);
        Assert.Equal(error, (string?)report.ToJson()["regions"]![1]!["database"]!["sqlError"]);
    }

    [Fact]
    public void ReplicaBehindBeyondTheAnalysisLimit_IsAProblem_AtTheLimitItIsNot()
    {
        var d = Prod();
        var limit = AnalysisThresholds.Default.MySqlLagLimitSeconds;

        Assert.True(Evaluate(d, Healthy(d, "fra"), Healthy(d, "dub", db: x => x with { SecondsBehind = limit })).Healthy);
        Assert.Contains($"replica is {limit + 1} s behind",
            Evaluate(d, Healthy(d, "fra"), Healthy(d, "dub", db: x => x with { SecondsBehind = limit + 1 })).Regions[1].Problems);
    }

    [Fact]
    public void ReadOnlyPrimary_PausedFollowerAndLostRegion_AreProblems()
    {
        var d = Prod(RegionState.Lost);

        var report = Evaluate(d, Healthy(d, "fra", db: x => x with { ReadOnly = true }),
            Healthy(d, "dub", cluster: c => c with { Followers = [new FollowerObservation("orders-1", false, 0, null)] }));

        Assert.Equal(["primary database is read-only"], report.Regions[0].Problems);
        Assert.Equal(["region is lost", "follower orders-1 is paused"], report.Regions[1].Problems);
    }

    [Fact]
    public void ClusterWithoutMaster_ReportsOnlyThat_NotEveryConsequence()
    {
        var d = Prod();

        var report = Evaluate(d, Healthy(d, "fra", cluster: c => c with { HasMaster = false, Status = null, NodeNames = [] }), Healthy(d, "dub"));

        Assert.Equal(["cluster has no elected master"], report.Regions[0].Problems);
        Assert.Contains("fra  active  generation 1  PROBLEMS", report.Render(), StringComparison.Ordinal);
        Assert.False(report.ToJson()["healthy"]!.GetValue<bool>());
    }
}
