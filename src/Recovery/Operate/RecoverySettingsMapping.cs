using EsDr.Infra.Config;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery.Operate;

/// <summary><c>es-dr:recovery</c> onto the recovery program's own option types; what the config leaves out keeps their defaults.</summary>
internal static class RecoverySettingsMapping
{
    public static PipelineOptions Pipeline(RecoverySettings? settings, bool dryRun)
    {
        var defaults = new PipelineOptions();
        if (settings is null) return defaults with { DryRun = dryRun };
        return defaults with
        {
            DryRun = dryRun,
            PauseFile = settings.PauseFile,
            BlockPeriod = settings.BlockPeriod ?? defaults.BlockPeriod,
            MaxPromotionLag = settings.MaxPromotionLag ?? defaults.MaxPromotionLag,
            PreHooks = settings.PreHooks.Select((c, i) => new Hook($"pre[{i}]", c)).ToList(),
            PostHooks = settings.PostHooks.Select((c, i) => new Hook($"post[{i}]", c)).ToList(),
        };
    }

    public static AnalysisThresholds Thresholds(RecoverySettings? settings)
    {
        var d = AnalysisThresholds.Default;
        if (settings is null) return d;
        return d with
        {
            ConfirmAfter = settings.ConfirmAfter ?? d.ConfirmAfter,
            ClearAfter = settings.ClearAfter ?? d.ClearAfter,
            MinAgreeingVantages = settings.MinAgreeingVantages ?? d.MinAgreeingVantages,
            RedGracePeriod = settings.RedGracePeriod ?? d.RedGracePeriod,
            MinVantagesForRegionActions = settings.MinVantagesForRegionActions ?? d.MinVantagesForRegionActions,
        };
    }
}
