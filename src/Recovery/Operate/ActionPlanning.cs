using EsDr.Infra.Config;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Operate;

/// <summary>A plan an operator asked for, and the detection it enters the pipeline as.</summary>
internal sealed record PlannedAction(RecoveryPlan Plan, Detection Detection);

/// <summary>Planning could not proceed; <see cref="ExitCode"/> says why (bad request, or a probe it needs failed).</summary>
internal sealed class ActionPlanningException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// The operator commands' planning: one live probe of the regions involved supplies what the pure
/// <see cref="Planner"/> needs (does the node still answer, which indices follow, is the old primary reachable,
/// how far behind is the promotion target), then the planner decides the steps.
/// </summary>
internal static class ActionPlanning
{
    /// <param name="force">Overrides the quorum rule: replace the node even when that leaves too few nodes to elect a master, or when who is in the cluster is unknown.</param>
    public static async Task<PlannedAction> NodeRebuildAsync(RecoveryServices services, string region, string node, bool force, CancellationToken cancellationToken)
    {
        RequireRegion(services, region);
        var view = services.Deployment.View.Regions.SingleOrDefault(r => r.Name == region)
            ?? throw new ActionPlanningException($"region '{region}' is not in the stack outputs", ExitCodes.InvalidConfig);
        _ = view.Nodes.SingleOrDefault(n => n.Name == node)
            ?? throw new ActionPlanningException($"no node '{node}' in region '{region}' (nodes: {string.Join(", ", view.Nodes.Select(n => n.Name))})", ExitCodes.Usage);
        var cluster = (await services.Probes[region].ProbeAsync(cancellationToken).ConfigureAwait(false)).Cluster;
        var answers = cluster?.NodeNames.Contains(node, StringComparer.Ordinal) == true;
        var plan = Planner.NodeRebuild(services.Deployment.Planning, region, node, answers);
        var detection = Operator(DiagnosisCode.NodeDown, region, node, services,
            answers ? $"operator: rebuild {node}; it still answers (drained first)" : $"operator: rebuild {node}; it does not answer") with
        {
            Forced = force,
            Members = ClusterMembers.Seen(services.Deployment.Region(region).ExpectedNodes, cluster),
        };
        return new PlannedAction(plan, detection);
    }

    public static async Task<PlannedAction> FailoverAsync(RecoveryServices services, string to, bool force, CancellationToken cancellationToken)
    {
        var (config, from) = (services.Deployment.Config, services.Deployment.Config.ActiveRegion);
        var target = RequireRegion(services, to).Region;
        if (to == from) throw new ActionPlanningException($"{to} is already the active region", ExitCodes.Usage);
        if (target.State is RegionState.Lost or RegionState.Rebuilding)
            throw new ActionPlanningException($"{to} is {StackConfigParser.Spell(target.State)}; fail over to a standby", ExitCodes.Usage);
        var probes = await Task.WhenAll(services.Probes[from].ProbeAsync(cancellationToken), services.Probes[to].ProbeAsync(cancellationToken)).ConfigureAwait(false);
        var (lost, promoted) = (probes[0], probes[1]);
        var (lostCluster, lostDb) = (lost.Cluster, lost.Database);
        var followers = Followers(promoted, to, config);
        // A database that answers, even with an error, may still take writes: it is fenced.
        var reach = new Reachability(lostCluster is { Reachable: true, HasMaster: true }, lostDb is { Reachable: true });
        var plan = Planner.RegionFailover(services.Deployment.Planning, from, to, reach, followers);
        var detection = Operator(DiagnosisCode.RegionDown, from, null, services, $"operator: fail over from {from} to {to}") with
        {
            Forced = force,
            PromotionLag = PromotionLag(promoted, services.Deployment.Region(to).Database is not null),
        };
        return new PlannedAction(plan, detection);
    }

    public static Task<PlannedAction> RegionRebuildAsync(RecoveryServices services, string region)
    {
        var config = RequireRegion(services, region).Config;
        if (region == config.ActiveRegion)
            throw new ActionPlanningException($"{region} is the active region: fail over first, then rebuild it", ExitCodes.Usage);
        var plan = Planner.RegionRebuild(services.Deployment.Planning, region);
        return Task.FromResult(new PlannedAction(plan, Operator(DiagnosisCode.RegionDown, region, null, services, $"operator: rebuild region {region}")));
    }

    public static async Task<PlannedAction> FailbackAsync(RecoveryServices services, string to, CancellationToken cancellationToken)
    {
        var (config, target) = RequireRegion(services, to);
        if (to == config.ActiveRegion) throw new ActionPlanningException($"{to} is already the active region", ExitCodes.Usage);
        if (target.State != RegionState.Standby)
            throw new ActionPlanningException($"{to} is {StackConfigParser.Spell(target.State)}; failback needs a standby that follows the active region", ExitCodes.Usage);
        var followers = Followers(await services.Probes[to].ProbeAsync(cancellationToken).ConfigureAwait(false), to, config);
        var plan = Planner.Failback(services.Deployment.Planning, to, followers);
        return new PlannedAction(plan, Operator(DiagnosisCode.OperatorRequest, to, null, services, $"operator: fail back to {to}"));
    }

    private static (StackConfig Config, RegionConfig Region) RequireRegion(RecoveryServices services, string region)
    {
        var config = services.Deployment.Config;
        var r = config.Regions.SingleOrDefault(x => x.Name == region)
            ?? throw new ActionPlanningException($"no region '{region}' in the stack (regions: {string.Join(", ", config.Regions.Select(x => x.Name))})", ExitCodes.Usage);
        return (config, r);
    }

    /// <summary>
    /// The follower indices of the promotion target and the leaders they follow, as its probe lists them; a target
    /// that cannot be seen cannot be planned for.
    /// </summary>
    private static IReadOnlyList<ReplicatedIndex> Followers(RegionObservation target, string region, StackConfig config)
    {
        var cluster = target.Cluster;
        if (config.Replication is null) return [];
        if (cluster is not { Reachable: true, HasMaster: true })
            throw new ActionPlanningException($"the cluster in {region} cannot be probed, so its follower indices are unknown", ExitCodes.Unavailable);
        return Replicated(cluster);
    }

    /// <summary>Each follower of <paramref name="cluster"/> with the leader index it follows (its own name when follow info gave none).</summary>
    internal static IReadOnlyList<ReplicatedIndex> Replicated(ClusterObservation cluster) =>
        [.. cluster.Followers.Select(f => new ReplicatedIndex(f.Index, f.LeaderIndex ?? f.Index))];

    /// <summary>
    /// The writes a failover would lose: the target replica's seconds behind when the stack has a database there;
    /// otherwise zero when every follower is at lag 0. Null (unknown) makes the lag guard rail ask for <c>--force</c>.
    /// </summary>
    internal static TimeSpan? PromotionLag(RegionObservation target, bool hasDatabase)
    {
        if (hasDatabase)
            return target.Database is { Queried: true, SecondsBehind: { } s } ? TimeSpan.FromSeconds(s) : null;
        var cluster = target.Cluster;
        return cluster is { Reachable: true } && cluster.Followers.All(f => f.LagOperations == 0) ? TimeSpan.Zero : null;
    }

    private static Detection Operator(DiagnosisCode code, string region, string? node, RecoveryServices services, string evidence) =>
        new(new Diagnosis(code, region, node, services.Time.GetUtcNow(), [evidence]), RecoveryTrigger.Operator);
}
