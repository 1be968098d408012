using EsDr.Infra.Config;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Operate;

/// <summary>
/// The daemon's planning: a diagnosis, the recoveries <c>es-dr:recovery.auto</c> allows and the latest "probe"
/// snapshot in, a plan (or null: not the daemon's to do) out. Pure; the facts the operator commands probe for
/// (does the node answer, which indices follow, is the old primary reachable) come from that snapshot.
/// </summary>
internal static class DaemonPlanning
{
    /// <summary>The diagnoses each allowed recovery answers; what the watch loop hands to the pipeline.</summary>
    public static IReadOnlySet<DiagnosisCode> AutoCodes(IEnumerable<AutoRecovery> allowed) =>
        allowed.Select(a => a switch
        {
            AutoRecovery.NodeRebuild => DiagnosisCode.NodeDown,
            AutoRecovery.RegionFailover or AutoRecovery.RegionRebuild => DiagnosisCode.RegionDown,
            _ => throw new ArgumentOutOfRangeException(nameof(allowed)),
        }).ToHashSet();

    /// <summary>
    /// The plan for <paramref name="diagnosis"/>; a region-level one carries, in its summary, how many vantages
    /// confirmed it and by which rule that was enough (so a plan on one vantage's word says which setting allowed it).
    /// </summary>
    public static RecoveryPlan? PlanFor(Diagnosis diagnosis, Deployment deployment, IReadOnlyCollection<AutoRecovery> allowed, HealthSnapshot? probe)
    {
        var plan = Plan(diagnosis, deployment, allowed, probe);
        return plan is not null && diagnosis.Confirmation is { } confirmation
            ? plan with { Summary = $"{plan.Summary} ({confirmation.Statement})" }
            : plan;
    }

    private static RecoveryPlan? Plan(Diagnosis diagnosis, Deployment deployment, IReadOnlyCollection<AutoRecovery> allowed, HealthSnapshot? probe)
    {
        ArgumentNullException.ThrowIfNull(diagnosis);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(allowed);
        var config = deployment.Config;
        var ctx = deployment.Planning;
        ClusterObservation? Seen(string region) => probe?.Clusters.FirstOrDefault(c => c.Region == region);
        switch (diagnosis.Code)
        {
            case DiagnosisCode.NodeDown when allowed.Contains(AutoRecovery.NodeRebuild) && diagnosis.Node is { } node:
                {
                    var answers = Seen(diagnosis.Region)?.NodeNames.Contains(node, StringComparer.Ordinal) == true;
                    return Planner.NodeRebuild(ctx, diagnosis.Region, node, answers);
                }
            case DiagnosisCode.RegionDown when diagnosis.Region == config.ActiveRegion && allowed.Contains(AutoRecovery.RegionFailover):
                {
                    var from = diagnosis.Region;
                    // The first standby in config order: config says which regions follow the active one.
                    var to = config.Regions.FirstOrDefault(r => r.Name != from && r.State == RegionState.Standby)?.Name
                        ?? throw new ArgumentException($"no standby region to fail over to from {from}");
                    var lost = Seen(from);
                    var lostDb = probe?.Databases.FirstOrDefault(d => d.Region == from);
                    var target = Seen(to);
                    RefuseWhenAlreadyPromoted(config, to, target, probe?.Databases.FirstOrDefault(d => d.Region == to));
                    IReadOnlyList<string> followers = config.Replication is null ? []
                        : target is { Reachable: true, HasMaster: true } t ? [.. t.Followers.Select(f => f.Index)]
                        : throw new ArgumentException($"the cluster in {to} was not seen answering, so its follower indices are unknown");
                    return Planner.RegionFailover(ctx, from, to, new Reachability(lost is { Reachable: true, HasMaster: true }, lostDb is { Reachable: true }), followers);
                }
            case DiagnosisCode.RegionDown when diagnosis.Region != config.ActiveRegion && allowed.Contains(AutoRecovery.RegionRebuild):
                return Planner.RegionRebuild(ctx, diagnosis.Region);
            default:
                return null;
        }
    }

    /// <summary>
    /// Another watcher may have failed over already (it held the lease; this one retries lease-skipped
    /// detections) while this process still has the config it loaded, naming the old active region. The
    /// standby then looks promoted: its database is a writable primary, or, without a database tier, its
    /// cluster answers with no follower left. Planning refuses rather than run the failover twice.
    /// </summary>
    private static void RefuseWhenAlreadyPromoted(StackConfig config, string to, ClusterObservation? target, DatabaseObservation? targetDb)
    {
        var databasePromoted = targetDb is { Queried: true, IsReplica: false, ReadOnly: false };
        var followersGone = config.Database is null && config.Replication is not null
            && target is { Reachable: true, HasMaster: true, Followers.Count: 0 };
        if (databasePromoted || followersGone)
            throw new ArgumentException(
                $"{to} already looks promoted ({(databasePromoted ? "its database is a writable primary" : "its cluster follows nothing")}): another instance has failed over; restart the watchers so they load the new config");
    }

    /// <summary>The expected topology analysis judges against: the stack's node names, active region and database roles.</summary>
    public static ExpectedTopology Expected(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        string? Role(string role) => deployment.Regions.FirstOrDefault(r => r.Database?.Role == role)?.Name;
        return new ExpectedTopology(
            [.. deployment.Regions.Select(r => new ExpectedRegion(r.Name, r.ExpectedNodes))],
            deployment.Config.ActiveRegion, Role("primary"), Role("replica"));
    }

    /// <summary>
    /// What a failover from the active region would lose, when the loop did not know it (no MySQL replica
    /// observed): zero when the standby's followers were all at lag 0 in the latest probe, else unknown.
    /// </summary>
    public static TimeSpan? FollowerLag(Deployment deployment, HealthSnapshot? probe)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var to = deployment.Config.Regions.FirstOrDefault(r => r.Name != deployment.Config.ActiveRegion && r.State == RegionState.Standby)?.Name;
        if (to is null || probe is null || deployment.Regions.Any(r => r.Name == to && r.Database is not null)) return null;
        var cluster = probe.Clusters.FirstOrDefault(c => c.Region == to);
        return cluster is null ? null : ActionPlanning.PromotionLag(new RegionObservation(cluster), hasDatabase: false);
    }
}
