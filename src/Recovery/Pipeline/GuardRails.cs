using EsDr.Recovery.Analyse;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Pipeline;

/// <summary>Everything the guard rails decide on, gathered once per detection.</summary>
internal sealed record GuardFacts(
    Detection Detection,
    RecoveryPlan? Plan,
    DateTimeOffset Now,
    string? PauseReason,
    BlockStart? LastRecoveryInRegion,
    bool RecoveryInProgressInRegion,
    PipelineOptions Options);

/// <summary>A named safety rule: returns why it blocks, or null when it lets the recovery through.</summary>
internal sealed record GuardRail(string Name, Func<GuardFacts, string?> BlockingReason);

/// <summary>
/// The guard rails as data, checked in order; the first that blocks is reported by name
/// (after ECK's upgrade predicates). Each is a pure function of <see cref="GuardFacts"/>.
/// </summary>
internal static class GuardRails
{
    public static readonly GuardRail PauseSwitch = new(nameof(PauseSwitch), f =>
        f.PauseReason);

    public static readonly GuardRail BlockPeriod = new(nameof(BlockPeriod), f =>
    {
        var region = f.Detection.Diagnosis.Region;
        if (f.RecoveryInProgressInRegion)
            return $"a recovery for {region} is in progress";
        if (f.LastRecoveryInRegion is { } last && f.Now < last.At + f.Options.BlockPeriod)
            return $"a recovery for {region} ({last.RecoveryId}) ran at {last.At:O}; blocked until {last.At + f.Options.BlockPeriod:O} "
                + $"or an operator acknowledges it (es-dr-recovery ack {region})";
        return null;
    });

    public static readonly GuardRail NotActionable = new(nameof(NotActionable), f =>
        f.Plan is null ? $"{f.Detection.Diagnosis.Code} has no recovery action" : null);

    public static readonly GuardRail LagLimit = new(nameof(LagLimit), f =>
    {
        if (f.Plan?.Kind != RecoveryKind.RegionFailover || f.Detection.Forced)
            return null;
        var limit = f.Options.MaxPromotionLag;
        return f.Detection.PromotionLag switch
        {
            null => $"the promotion target's lag is unknown (limit {limit}); force to fail over anyway",
            { } lag when lag > limit => $"promotion would lose up to {lag} of writes (limit {limit}); force to fail over anyway",
            _ => null,
        };
    });

    /// <summary>
    /// A node rebuild must not take the cluster's healthy master-eligible nodes below a majority of those configured
    /// (without a majority no master is elected: writes stop). Replacing a node already missing takes nothing away;
    /// when no vantage listed the members lately, it is refused. An operator may force it.
    /// </summary>
    public static readonly GuardRail Quorum = new(nameof(Quorum), f =>
    {
        if (f.Plan?.Kind != RecoveryKind.NodeRebuild || f.Detection.Forced)
            return null;
        var (region, node) = (f.Detection.Diagnosis.Region, f.Detection.Diagnosis.Node ?? "the node");
        if (f.Detection.Members is not { Present: { } present } members)
            return $"no probe listed the nodes of {region} lately, so replacing {node} could leave it without a majority of master-eligible nodes; "
                + "an operator may force it (rebuild-node --force)";
        var healthy = members.MasterEligible.Where(n => present.Contains(n, StringComparer.Ordinal)).ToList();
        if (!healthy.Contains(node, StringComparer.Ordinal))
            return null; // already out of the cluster: its replacement takes no healthy node away
        var (left, majority) = (healthy.Count - 1, members.MasterEligible.Count / 2 + 1);
        if (left >= majority)
            return null;
        var missing = members.MasterEligible.Except(healthy, StringComparer.Ordinal).ToList();
        return $"replacing {node} would leave {left} of the {members.MasterEligible.Count} master-eligible nodes of {region} in the cluster"
            + (missing.Count > 0 ? $" ({string.Join(", ", missing)} missing)" : "")
            + $", below the majority of {majority} it needs to elect a master; an operator may force it (rebuild-node --force)";
    });

    public static readonly IReadOnlyList<GuardRail> All = [PauseSwitch, BlockPeriod, NotActionable, LagLimit, Quorum];

    /// <summary>The first rule that blocks, with its reason; null when all pass.</summary>
    public static (GuardRail Rule, string Reason)? FirstBlocking(GuardFacts facts)
    {
        foreach (var rule in All)
        {
            if (rule.BlockingReason(facts) is { } reason)
                return (rule, reason);
        }
        return null;
    }
}
