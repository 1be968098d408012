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
    /// <summary>The diagnoses each allowed recovery answers (<see cref="DiagnosisCatalog"/>); what the watch loop hands to the pipeline.</summary>
    public static IReadOnlySet<DiagnosisCode> AutoCodes(IEnumerable<AutoRecovery> allowed) => DiagnosisCatalog.AutoCodes(allowed);

    /// <summary>Whether the daemon's plan for <paramref name="code"/> may be a failover, whose promotion lag the guard rail judges.</summary>
    public static bool MayFailOver(DiagnosisCode code) => DiagnosisCatalog.For(code).Auto.Any(a => a.Action == AutoRecovery.RegionFailover);

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

    /// <summary>The catalog's automatic response to the diagnosis, if the config allows it there, made by that response's planner.</summary>
    private static RecoveryPlan? Plan(Diagnosis diagnosis, Deployment deployment, IReadOnlyCollection<AutoRecovery> allowed, HealthSnapshot? probe)
    {
        ArgumentNullException.ThrowIfNull(diagnosis);
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(allowed);
        var config = deployment.Config;
        var response = DiagnosisCatalog.For(diagnosis.Code).ResponseFor(diagnosis.Region == config.ActiveRegion, allowed);
        return response?.Action switch
        {
            null => null,
            AutoRecovery.NodeRebuild => diagnosis.Node is { } node ? NodeRebuild(diagnosis.Region, node, deployment, probe) : null,
            AutoRecovery.RegionFailover => Failover(diagnosis.Region, response.TargetMustBeGreen, deployment, probe),
            AutoRecovery.RegionRebuild => Planner.RegionRebuild(deployment.Planning, diagnosis.Region),
            _ => throw new ArgumentOutOfRangeException(nameof(diagnosis), response.Action, "no planner for this recovery"),
        };
    }

    private static RecoveryPlan NodeRebuild(string region, string node, Deployment deployment, HealthSnapshot? probe)
    {
        var answers = Seen(probe, region)?.NodeNames.Contains(node, StringComparer.Ordinal) == true;
        // The planner types the new node's resources by their predecessors' (a generation bump only renames).
        return Planner.NodeRebuild(deployment.Planning, region, node, answers);
    }

    /// <summary>
    /// Fail over from <paramref name="from"/> to the first standby in config order (config says which regions follow the
    /// active one), with what the probe saw: which indices follow there and which leaders they follow, whether the
    /// lost side still answers (then it is fenced). <paramref name="targetMustBeGreen"/>: refuse a standby that is not
    /// seen green (leaving a red cluster for one that cannot serve every shard either gains nothing).
    /// </summary>
    private static RecoveryPlan Failover(string from, bool targetMustBeGreen, Deployment deployment, HealthSnapshot? probe)
    {
        var config = deployment.Config;
        var to = config.Regions.FirstOrDefault(r => r.Name != from && r.State == RegionState.Standby)?.Name
            ?? throw new ArgumentException($"no standby region to fail over to from {from}");
        var lost = Seen(probe, from);
        var lostDb = probe?.Databases.FirstOrDefault(d => d.Region == from);
        var target = Seen(probe, to);
        RefuseWhenAlreadyPromoted(config, to, target, probe?.Databases.FirstOrDefault(d => d.Region == to));
        if (targetMustBeGreen && target is not { Reachable: true, Status: ClusterStatus.Green })
            throw new ArgumentException(
                $"the standby {to} was not seen green ({(target is { Reachable: true, Status: { } status } ? status.ToString().ToLowerInvariant() : "unknown")}), so failing over to it would not serve every shard either");
        var followers = config.Replication is null ? []
            : target is { Reachable: true, HasMaster: true } t ? ActionPlanning.Replicated(t)
            : throw new ArgumentException($"the cluster in {to} was not seen answering, so its follower indices are unknown");
        return Planner.RegionFailover(deployment.Planning, from, to,
            new Reachability(lost is { Reachable: true, HasMaster: true }, lostDb is { Reachable: true }), followers);
    }

    private static ClusterObservation? Seen(HealthSnapshot? probe, string region) => probe?.Clusters.FirstOrDefault(c => c.Region == region);

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
