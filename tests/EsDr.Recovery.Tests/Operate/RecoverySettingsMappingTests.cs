using EsDr.Infra.Config;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery.Tests.Operate;

/// <summary><c>es-dr:recovery</c> onto the pipeline's and the analyser's options.</summary>
public class RecoverySettingsMappingTests
{
    [Fact]
    public void NoSettings_KeepTheProgramsDefaults()
    {
        Assert.Equal(new PipelineOptions().BlockPeriod, RecoverySettingsMapping.Pipeline(null, dryRun: false).BlockPeriod);
        Assert.True(RecoverySettingsMapping.Pipeline(null, dryRun: true).DryRun);
        Assert.Equal(AnalysisThresholds.Default, RecoverySettingsMapping.Thresholds(null));
    }

    [Fact]
    public void Settings_OverrideOnlyWhatTheyName()
    {
        var settings = new RecoverySettings
        {
            BlockPeriod = TimeSpan.FromMinutes(5), PauseFile = "/run/pause", PreHooks = ["check-change-freeze"], PostHooks = ["notify"],
            ConfirmAfter = 5, RedGracePeriod = TimeSpan.FromMinutes(2),
        };

        var pipeline = RecoverySettingsMapping.Pipeline(settings, dryRun: false);
        var thresholds = RecoverySettingsMapping.Thresholds(settings);

        Assert.Equal(TimeSpan.FromMinutes(5), pipeline.BlockPeriod);
        Assert.Equal(new PipelineOptions().MaxPromotionLag, pipeline.MaxPromotionLag);
        Assert.Equal("/run/pause", pipeline.PauseFile);
        Assert.Equal([new Hook("pre[0]", "check-change-freeze")], pipeline.PreHooks);
        Assert.Equal([new Hook("post[0]", "notify")], pipeline.PostHooks);
        Assert.Equal(5, thresholds.ConfirmAfter);
        Assert.Equal(AnalysisThresholds.Default.ClearAfter, thresholds.ClearAfter);
        Assert.Equal(TimeSpan.FromMinutes(2), thresholds.RedGrace);
    }

    [Fact]
    public void RegionActions_NeedTwoVantagesByDefault_AndOneOnlyWhenTheConfigSaysSo()
    {
        Assert.Equal(2, RecoverySettingsMapping.Thresholds(null).MinVantagesForRegionActions);
        Assert.Equal(2, RecoverySettingsMapping.Thresholds(new RecoverySettings { ConfirmAfter = 5 }).MinVantagesForRegionActions);
        Assert.Equal(1, RecoverySettingsMapping.Thresholds(new RecoverySettings { MinVantagesForRegionActions = 1 }).MinVantagesForRegionActions);
    }
}
