using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Tests.Analyse;

/// <summary>Builds snapshots as data: a healthy two-region world, then one thing changed at a time.</summary>
internal static class Timeline
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly ExpectedTopology Topology = new(
        [new ExpectedRegion("east", ["east-es-0", "east-es-1", "east-es-2"]),
         new ExpectedRegion("west", ["west-es-0", "west-es-1", "west-es-2"])],
        ActiveRegion: "east",
        MySqlPrimaryRegion: "east",
        MySqlReplicaRegion: "west");

    public static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    public static HealthSnapshot Healthy(double seconds, string vantage = "probe") => new(
        At(seconds),
        vantage,
        [HealthyCluster("east", []),
         HealthyCluster("west", [new FollowerObservation("orders", Active: true, LagOperations: 5, FatalError: null)])],
        [new DatabaseObservation("east", true, ReadOnly: false, IsReplica: false, false, false, null, "uuid:1-100"),
         new DatabaseObservation("west", true, ReadOnly: true, IsReplica: true, IoThreadRunning: true, SqlThreadRunning: true, SecondsBehind: 0, "uuid:1-100")],
        [new EndpointObservation("east", true), new EndpointObservation("west", true)]);

    public static HealthSnapshot WithCluster(this HealthSnapshot s, string region, Func<ClusterObservation, ClusterObservation> change) =>
        s with { Clusters = [.. s.Clusters.Select(c => c.Region == region ? change(c) : c)] };

    public static HealthSnapshot WithDatabase(this HealthSnapshot s, string region, Func<DatabaseObservation, DatabaseObservation> change) =>
        s with { Databases = [.. s.Databases.Select(d => d.Region == region ? change(d) : d)] };

    public static HealthSnapshot WithEndpoint(this HealthSnapshot s, string region, bool healthy) =>
        s with { Endpoints = [.. s.Endpoints.Select(e => e.Region == region ? e with { Healthy = healthy } : e)] };

    public static HealthSnapshot RegionDown(this HealthSnapshot s, string region) =>
        s.WithCluster(region, c => c with { Reachable = false, Status = null, HasMaster = false, NodeNames = [], Followers = [] })
         .WithEndpoint(region, healthy: false);

    public static HealthSnapshot NodeMissing(this HealthSnapshot s, string region, string node) =>
        s.WithCluster(region, c => c with { NodeNames = [.. c.NodeNames.Where(n => n != node)] });

    /// <summary>One snapshot per vantage per second over [from, to).</summary>
    public static IEnumerable<HealthSnapshot> Every(
        double from, double to, Func<double, string, HealthSnapshot> snapshot, params string[] vantages)
    {
        for (var t = from; t < to; t++)
            foreach (var v in vantages.Length == 0 ? ["probe"] : vantages)
                yield return snapshot(t, v);
    }

    /// <summary>Feeds the snapshots one by one, as the daemon does, and keeps every step.</summary>
    public static List<AnalysisStep> Run(IEnumerable<HealthSnapshot> snapshots, AnalysisThresholds? thresholds = null)
    {
        var state = AnalysisState.Empty;
        var steps = new List<AnalysisStep>();
        foreach (var s in snapshots)
        {
            var step = HealthAnalyser.Step(state, s, Topology, thresholds ?? AnalysisThresholds.Default);
            steps.Add(step);
            state = step.State;
        }
        return steps;
    }

    private static ClusterObservation HealthyCluster(string region, IReadOnlyList<FollowerObservation> followers) =>
        new(region, true, ClusterStatus.Green, true,
            Topology.Regions.Single(r => r.Name == region).NodeNames, followers);
}
