using System.Globalization;
using EsDr.Recovery.Observe;

namespace EsDr.Recovery.Analyse;

/// <summary>
/// What one rule made of one snapshot for one subject (a region, or a node of a region): failing or healthy,
/// and a short human reason. A rule yields nothing for a subject the snapshot says nothing about.
/// <see cref="NamesSubject"/> is false when the vantage saw only something coarser that includes the subject (a
/// region with fewer nodes than expected, said of each of its nodes): such a finding can agree with a vantage
/// that names the subject, never confirm it alone.
/// </summary>
internal readonly record struct Finding(string Region, string? Node, bool Failing, string Detail, bool NamesSubject = true);

/// <summary>A rule of the table: its code, its classifier, and how long a failure must last before it is believed.</summary>
internal sealed record AnalysisRule(
    DiagnosisCode Code,
    Func<HealthSnapshot, ExpectedTopology, AnalysisThresholds, IEnumerable<Finding>> Evaluate,
    Func<AnalysisThresholds, TimeSpan> MinimumDuration);

/// <summary>
/// The rules (Orchestrator's analysis codes, ECK's predicates): each is a pure function from one snapshot to
/// findings; <see cref="DiagnosisCatalog"/> says which code each raises. Counting, agreement between vantages and hysteresis live in <see cref="HealthAnalyser"/>.
/// </summary>
internal static class AnalysisRules
{
    /// <summary>Every rule, as <see cref="DiagnosisCatalog"/> pairs them with their codes and minimum durations.</summary>
    public static IReadOnlyList<AnalysisRule> All => DiagnosisCatalog.Rules;

    public static AnalysisRule For(DiagnosisCode code) => All.First(r => r.Code == code);

    /// <summary>
    /// Down: everything this vantage saw of the region is down — its cluster does not answer and/or its balancer's
    /// health check fails — and it saw at least one of the two. Either one up means up. (The peer region sees only
    /// the cluster, Prometheus alerts only the endpoint; agreement between vantages is the analyser's job.)
    /// </summary>
    public static IEnumerable<Finding> RegionDown(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        foreach (var region in expected.Regions)
        {
            var cluster = ClusterOf(s, region.Name) is { } c && c.Saw(ClusterFacets.Reachability) ? c : null;
            var endpoint = s.Endpoints.FirstOrDefault(e => e.Region == region.Name);
            if (cluster is { Reachable: true } || endpoint is { Healthy: true })
                yield return new(region.Name, null, false, cluster is { Reachable: true } ? "cluster reachable" : "endpoint healthy");
            else if (cluster is not null || endpoint is not null)
                yield return new(region.Name, null, true, (cluster, endpoint) switch
                {
                    ({ }, { }) => "cluster unreachable, endpoint unhealthy",
                    ({ }, null) => "cluster unreachable",
                    _ => "endpoint unhealthy",
                });
        }
    }

    /// <summary>
    /// An expected node missing from a cluster that answers, said by a vantage that lists the members. A vantage
    /// that sees only the count speaks of every node of the region at once and names none: its findings may agree
    /// with a naming vantage's, never confirm alone. An unreachable cluster says nothing about its nodes.
    /// </summary>
    public static IEnumerable<Finding> NodeDown(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        foreach (var region in expected.Regions)
        {
            if (ClusterOf(s, region.Name) is not { Reachable: true } cluster)
                continue;
            if (cluster.Saw(ClusterFacets.Nodes))
            {
                foreach (var node in region.NodeNames)
                {
                    var present = cluster.NodeNames.Contains(node, StringComparer.Ordinal);
                    yield return new(region.Name, node, !present, present ? "node in cluster" : "node missing from cluster");
                }
            }
            else if (cluster.Saw(ClusterFacets.NodeCount))
            {
                var fewer = cluster.FewerNodesThanExpected;
                var detail = fewer ? "fewer nodes than expected in the region, not which" : "as many nodes as expected";
                foreach (var node in region.NodeNames)
                    yield return new(region.Name, node, fewer, detail, NamesSubject: false);
            }
        }
    }

    /// <summary>
    /// The region's cluster has fewer of its expected nodes than it should, from any vantage that saw the members or
    /// only their count. A region-level finding: it names no node, so nothing is rebuilt on it.
    /// </summary>
    public static IEnumerable<Finding> NodesMissing(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        foreach (var region in expected.Regions)
        {
            if (ClusterOf(s, region.Name) is not { Reachable: true } cluster)
                continue;
            if (cluster.Saw(ClusterFacets.Nodes))
            {
                var present = region.NodeNames.Count(n => cluster.NodeNames.Contains(n, StringComparer.Ordinal));
                yield return new(region.Name, null, present < region.NodeNames.Count,
                    Invariant($"{present} of {region.NodeNames.Count} expected nodes in the cluster"));
            }
            else if (cluster.Saw(ClusterFacets.NodeCount))
            {
                yield return new(region.Name, null, cluster.FewerNodesThanExpected,
                    cluster.FewerNodesThanExpected ? "fewer nodes than expected" : "as many nodes as expected");
            }
        }
    }

    public static IEnumerable<Finding> ClusterRed(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        foreach (var region in expected.Regions)
        {
            if (ClusterOf(s, region.Name) is { Reachable: true, Status: { } status } cluster && cluster.Saw(ClusterFacets.Status))
                yield return new(region.Name, null, status == ClusterStatus.Red, "status " + status.ToString().ToLowerInvariant());
        }
    }

    public static IEnumerable<Finding> ClusterWithoutMaster(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        foreach (var region in expected.Regions)
        {
            if (ClusterOf(s, region.Name) is { Reachable: true } cluster && cluster.Saw(ClusterFacets.Master))
                yield return new(region.Name, null, !cluster.HasMaster, cluster.HasMaster ? "master elected" : "no elected master");
        }
    }

    /// <summary>
    /// One subject per region for both kinds of replication into it: CCR followers over the operations limit, or
    /// the region's MySQL replica over the seconds limit. The detail names which.
    /// </summary>
    public static IEnumerable<Finding> ReplicationLagTooHigh(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        foreach (var region in expected.Regions)
        {
            var applicable = false;
            var problems = new List<string>();
            if (ClusterOf(s, region.Name) is { Reachable: true, Followers.Count: > 0 } cluster && cluster.Saw(ClusterFacets.Followers))
            {
                applicable = true;
                problems.AddRange(cluster.Followers
                    .Where(f => f.LagOperations > t.CcrLagLimitOperations)
                    .Select(f => Invariant($"CCR follower {f.Index} {f.LagOperations} operations behind (limit {t.CcrLagLimitOperations})")));
            }
            if (region.Name == expected.MySqlReplicaRegion
                && DatabaseOf(s, region.Name) is { Queried: true, SecondsBehind: { } behind })
            {
                applicable = true;
                if (behind > t.MySqlLagLimitSeconds)
                    problems.Add(Invariant($"MySQL replica {behind} s behind (limit {t.MySqlLagLimitSeconds} s)"));
            }
            if (applicable)
                yield return new(region.Name, null, problems.Count > 0, problems.Count > 0 ? string.Join("; ", problems) : "lag within limits");
        }
    }

    public static IEnumerable<Finding> CcrFatalError(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        foreach (var region in expected.Regions)
        {
            if (ClusterOf(s, region.Name) is not { Reachable: true, Followers.Count: > 0 } cluster || !cluster.Saw(ClusterFacets.Followers))
                continue;
            var fatal = cluster.Followers.Where(f => f.FatalError is not null).ToList();
            yield return fatal.Count > 0
                ? new(region.Name, null, true, string.Join("; ", fatal.Select(f => $"CCR follower {f.Index}: {f.FatalError}")))
                : new(region.Name, null, false, "no follower has a fatal error");
        }
    }

    /// <summary>The region's MySQL replica answers but its IO or SQL thread is stopped.</summary>
    public static IEnumerable<Finding> ReplicaBroken(HealthSnapshot s, ExpectedTopology expected, AnalysisThresholds t)
    {
        if (expected.MySqlReplicaRegion is not { } region
            || DatabaseOf(s, region) is not { Queried: true, IsReplica: true } db)
            yield break;
        var stopped = new List<string>();
        if (!db.IoThreadRunning) stopped.Add("IO thread stopped");
        if (!db.SqlThreadRunning) stopped.Add("SQL thread stopped");
        yield return new(region, null, stopped.Count > 0, stopped.Count > 0 ? string.Join(", ", stopped) : "replication threads running");
    }

    private static ClusterObservation? ClusterOf(HealthSnapshot s, string region) =>
        s.Clusters.FirstOrDefault(c => c.Region == region);

    private static DatabaseObservation? DatabaseOf(HealthSnapshot s, string region) =>
        s.Databases.FirstOrDefault(d => d.Region == region);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
