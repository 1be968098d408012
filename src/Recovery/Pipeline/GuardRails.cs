using EsDr.Recovery.Analyse;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Pipeline;

/// <summary>Everything the guard rails decide on, gathered once per detection.</summary>
internal sealed record GuardFacts(
    Detection Detection,
    RecoveryPlan? Plan,
    DateTimeOffset Now,
    bool Paused,
    DateTimeOffset? LastRecoveryInRegion,
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
        f.Paused ? $"paused: {f.Options.PauseFile} exists" : null);

    public static readonly GuardRail BlockPeriod = new(nameof(BlockPeriod), f =>
    {
        var region = f.Detection.Diagnosis.Region;
        if (f.RecoveryInProgressInRegion)
            return $"a recovery for {region} is in progress";
        if (f.LastRecoveryInRegion is { } last && f.Now < last + f.Options.BlockPeriod)
            return $"a recovery for {region} ran at {last:O}; blocked until {last + f.Options.BlockPeriod:O} or an operator acknowledges";
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

    public static readonly IReadOnlyList<GuardRail> All = [PauseSwitch, BlockPeriod, NotActionable, LagLimit];

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
