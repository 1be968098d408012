using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery.Tests.Pipeline;

/// <summary>
/// The anti-flap block period lives in the audit database: a restarted daemon, or another operator command on the
/// same database, honours a block period started before it, and an operator's acknowledgement lifts it for all.
/// </summary>
public sealed class BlockPeriodPersistenceTests
{
    [Fact]
    public async Task BlockPeriod_StartedBeforeARestart_StillBlocksTheRestartedPipeline()
    {
        using var h = new PipelineHarness();
        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(h.RegionDown()));
        h.Clock.Advance(TimeSpan.FromMinutes(5));

        var outcome = await h.Restarted().HandleAsync(h.RegionDown());

        Assert.Equal(nameof(GuardRails.BlockPeriod), Assert.IsType<PipelineOutcome.Blocked>(outcome).Rule);
        Assert.Equal(2, h.Runner.Ran.Count);
    }

    [Fact]
    public async Task BlockPeriod_StartedBeforeARestart_EndsWhenItsPeriodHasPassed()
    {
        using var h = new PipelineHarness();
        await h.Pipeline.HandleAsync(h.RegionDown());
        h.Clock.Advance(TimeSpan.FromMinutes(30));

        Assert.IsType<PipelineOutcome.Acted>(await h.Restarted().HandleAsync(h.RegionDown()));
    }

    [Fact]
    public async Task Acknowledge_OnARestartedPipeline_LiftsTheBlockStartedBeforeIt_ForEveryLaterPipeline()
    {
        using var h = new PipelineHarness();
        await h.Pipeline.HandleAsync(h.RegionDown());
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(h.Restarted().Acknowledge("fra"));

        Assert.IsType<PipelineOutcome.Acted>(await h.Restarted().HandleAsync(h.RegionDown()));
        Assert.Equal(RecoveryStatus.Succeeded, h.Audit.History(10)[0].Status);
    }

    [Fact]
    public async Task Acknowledge_FromAnotherProcess_LiftsTheBlockForARunningPipelineToo()
    {
        using var h = new PipelineHarness();
        await h.Pipeline.HandleAsync(h.RegionDown());
        Assert.IsType<PipelineOutcome.Blocked>(await h.Pipeline.HandleAsync(h.RegionDown()));

        Assert.True(h.Restarted().Acknowledge("fra"));

        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(h.RegionDown()));
    }

    [Fact]
    public void Acknowledge_WithNoRecoveryInTheRegion_SaysThereWasNone()
    {
        using var h = new PipelineHarness();

        Assert.False(h.Pipeline.Acknowledge("fra"));
    }

    [Fact]
    public async Task DryRun_StartsNoBlockPeriodThatARealRecoveryWouldHonour()
    {
        using var h = new PipelineHarness(o => o with { DryRun = true });
        Assert.IsType<PipelineOutcome.DryRun>(await h.Pipeline.HandleAsync(h.RegionDown()));
        // The same dry-running process still shows what the block period would do.
        Assert.IsType<PipelineOutcome.Blocked>(await h.Pipeline.HandleAsync(h.RegionDown()));

        var real = h.Restarted(o => o with { DryRun = false });

        Assert.IsType<PipelineOutcome.Acted>(await real.HandleAsync(h.RegionDown()));
    }
}
