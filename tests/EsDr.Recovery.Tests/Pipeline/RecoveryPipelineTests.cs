using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery.Tests.Pipeline;

public sealed class RecoveryPipelineTests
{
    [Fact]
    public async Task FlappingRegionDown_Every2sFor10Minutes_With30MinuteBlockPeriod_ExecutesOnce()
    {
        using var h = new PipelineHarness();
        var outcomes = new List<PipelineOutcome>();
        for (var t = TimeSpan.Zero; t < TimeSpan.FromMinutes(10); t += TimeSpan.FromSeconds(2))
        {
            outcomes.Add(await h.Pipeline.HandleAsync(h.RegionDown()));
            h.Clock.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal(300, outcomes.Count);
        Assert.IsType<PipelineOutcome.Acted>(outcomes[0]);
        Assert.All(outcomes.Skip(1), o => Assert.Equal(nameof(GuardRails.BlockPeriod), Assert.IsType<PipelineOutcome.Blocked>(o).Rule));
        Assert.Equal(2, h.Runner.Ran.Count);
        Assert.Single(h.Audit.History(1000));
        Assert.Equal(300, h.Detections.Recent(1000).Count);
    }

    [Fact]
    public async Task BlockPeriod_AfterAcknowledge_NextDetectionActs()
    {
        using var h = new PipelineHarness();
        await h.Pipeline.HandleAsync(h.RegionDown());
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.IsType<PipelineOutcome.Blocked>(await h.Pipeline.HandleAsync(h.RegionDown()));

        Assert.True(h.Pipeline.Acknowledge("fra"));
        var next = await h.Pipeline.HandleAsync(h.RegionDown());

        Assert.Equal(RecoveryStatus.Succeeded, Assert.IsType<PipelineOutcome.Acted>(next).Status);
        Assert.Equal(4, h.Runner.Ran.Count);
    }

    [Fact]
    public async Task BlockPeriod_OnceElapsed_NextDetectionActs()
    {
        using var h = new PipelineHarness();
        await h.Pipeline.HandleAsync(h.RegionDown());
        h.Clock.Advance(TimeSpan.FromMinutes(30));

        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(h.RegionDown()));
    }

    [Fact]
    public async Task BlockPeriod_IsPerRegion_OtherRegionStillActs()
    {
        using var h = new PipelineHarness();
        await h.Pipeline.HandleAsync(h.RegionDown("fra"));

        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(h.NodeDown("dub", "es-dub-1", RecoveryTrigger.Webhook)));
    }

    [Fact]
    public async Task PauseSwitch_WhenFileExists_NothingActs()
    {
        using var h = new PipelineHarness();
        await File.WriteAllTextAsync(h.PauseFile, "maintenance");

        var outcome = await h.Pipeline.HandleAsync(h.RegionDown());

        Assert.Equal(nameof(GuardRails.PauseSwitch), Assert.IsType<PipelineOutcome.Blocked>(outcome).Rule);
        Assert.Empty(h.Runner.Ran);
        Assert.Equal(0, h.Lease.Acquired);
        Assert.Equal("blocked:PauseSwitch", Assert.Single(h.Detections.Recent(10)).Outcome);

        File.Delete(h.PauseFile);
        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(h.RegionDown()));
    }

    [Fact]
    public async Task PauseSwitch_AStoredPause_HoldsEveryPipelineOnTheFile_UntilAResume()
    {
        using var h = new PipelineHarness();
        var restarted = h.Restarted();
        h.Interventions.Record(new Intervention(h.Clock.GetUtcNow(), InterventionKind.Pause, null, "change freeze", "ana"));

        var blocked = Assert.IsType<PipelineOutcome.Blocked>(await restarted.HandleAsync(h.RegionDown()));
        Assert.Equal(nameof(GuardRails.PauseSwitch), blocked.Rule);
        Assert.Contains("paused by ana at 2026-03-01 12:00:00Z (change freeze)", blocked.Reason, StringComparison.Ordinal);
        // A resume of an unfinished recovery waits for the resume too.
        Assert.IsType<PipelineOutcome.Blocked>(await restarted.ResumeAsync("rec-x", PipelineHarness.PlanFor(h.RegionDown().Diagnosis)!));
        Assert.Empty(h.Runner.Ran);

        h.Interventions.Record(new Intervention(h.Clock.GetUtcNow(), InterventionKind.Resume, null, null, "ana"));
        Assert.IsType<PipelineOutcome.Acted>(await restarted.HandleAsync(h.RegionDown()));
    }

    [Fact]
    public async Task NotActionable_DiagnosisWithoutPlan_IsBlockedByName()
    {
        using var h = new PipelineHarness();
        var red = new Detection(new Diagnosis(DiagnosisCode.ClusterRed, "fra", null, h.Clock.GetUtcNow(), []), RecoveryTrigger.Webhook);

        var outcome = await h.Pipeline.HandleAsync(red);

        Assert.Equal(nameof(GuardRails.NotActionable), Assert.IsType<PipelineOutcome.Blocked>(outcome).Rule);
        Assert.Empty(h.Runner.Ran);
    }

    [Fact]
    public async Task LagLimit_FailoverBeyondLimit_IsVetoedUnlessForced()
    {
        using var h = new PipelineHarness();

        var lagging = await h.Pipeline.HandleAsync(h.RegionDown(lag: TimeSpan.FromMinutes(5)));
        var unknown = await h.Pipeline.HandleAsync(h.RegionDown() with { PromotionLag = null });
        var forced = await h.Pipeline.HandleAsync(h.RegionDown(forced: true, lag: TimeSpan.FromMinutes(5)));

        Assert.Equal(nameof(GuardRails.LagLimit), Assert.IsType<PipelineOutcome.Blocked>(lagging).Rule);
        Assert.Equal(nameof(GuardRails.LagLimit), Assert.IsType<PipelineOutcome.Blocked>(unknown).Rule);
        Assert.IsType<PipelineOutcome.Acted>(forced);
        Assert.Equal(2, h.Runner.Ran.Count);
    }

    [Fact]
    public async Task LagLimit_DoesNotApplyToNodeRebuild()
    {
        using var h = new PipelineHarness();

        var outcome = await h.Pipeline.HandleAsync(h.NodeDown("fra", "es-fra-2", RecoveryTrigger.Operator));

        Assert.IsType<PipelineOutcome.Acted>(outcome);
    }

    [Fact]
    public async Task FailingPreHook_VetoesAndIsRecorded()
    {
        using var h = new PipelineHarness(o => o with { PreHooks = [new Hook("change-freeze", "echo frozen >&2; exit 3")] });

        var outcome = await h.Pipeline.HandleAsync(h.RegionDown());

        var vetoed = Assert.IsType<PipelineOutcome.Vetoed>(outcome);
        Assert.Equal("change-freeze", vetoed.Hook);
        Assert.Contains("exited 3", vetoed.Reason, StringComparison.Ordinal);
        Assert.Contains("frozen", vetoed.Reason, StringComparison.Ordinal);
        Assert.Empty(h.Runner.Ran);
        Assert.Equal(0, h.Lease.Acquired);
        var record = h.Audit.Recovery(vetoed.RecoveryId);
        Assert.NotNull(record);
        Assert.Equal(RecoveryStatus.Vetoed, record.Status);
        Assert.All(record.Steps, s => Assert.Equal(StepStatus.Skipped, s.Status));
        Assert.Equal("vetoed:change-freeze", Assert.Single(h.Detections.Recent(10)).Outcome);
    }

    [Fact]
    public async Task FailingPreHook_DoesNotStartTheBlockPeriod()
    {
        using var h = new PipelineHarness(o => o with { PreHooks = [new Hook("no", "exit 1")] });
        await h.Pipeline.HandleAsync(h.RegionDown());

        Assert.IsType<PipelineOutcome.Vetoed>(await h.Pipeline.HandleAsync(h.RegionDown()));
    }

    [Fact]
    public async Task Hooks_SeeTheRecoveryFactsInEnvironmentVariables()
    {
        var dir = Directory.CreateTempSubdirectory("esdr-hooks-").FullName;
        var pre = Path.Combine(dir, "pre.env");
        var post = Path.Combine(dir, "post.env");
        const string Dump = "ESDR_RECOVERY_ID=$ESDR_RECOVERY_ID ESDR_KIND=$ESDR_KIND ESDR_REGION=$ESDR_REGION ESDR_NODE=$ESDR_NODE ESDR_TRIGGER=$ESDR_TRIGGER";
        using var hooked = new PipelineHarness(o => o with
        {
            PreHooks = [new Hook("record", $"echo \"{Dump}\" > '{pre}'")],
            PostHooks = [new Hook("record", $"echo \"{Dump} ESDR_STATUS=$ESDR_STATUS\" > '{post}'")],
        });

        var outcome = await hooked.Pipeline.HandleAsync(hooked.NodeDown("fra", "es-fra-2", RecoveryTrigger.Webhook));

        var id = Assert.IsType<PipelineOutcome.Acted>(outcome).RecoveryId;
        var expected = $"ESDR_RECOVERY_ID={id} ESDR_KIND=NodeRebuild ESDR_REGION=fra ESDR_NODE=es-fra-2 ESDR_TRIGGER=webhook";
        Assert.Equal(expected, (await File.ReadAllTextAsync(pre)).Trim());
        Assert.Equal(expected + " ESDR_STATUS=succeeded", (await File.ReadAllTextAsync(post)).Trim());
        Assert.Equal(RecoveryStatus.Succeeded, hooked.Audit.Recovery(id)?.Status);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task FailingPostHook_DoesNotFailTheRecovery()
    {
        using var h = new PipelineHarness(o => o with { PostHooks = [new Hook("pager", "exit 1"), new Hook("missing", "/no/such/binary")] });

        var outcome = await h.Pipeline.HandleAsync(h.RegionDown());

        var acted = Assert.IsType<PipelineOutcome.Acted>(outcome);
        Assert.Equal(RecoveryStatus.Succeeded, acted.Status);
        Assert.Equal(RecoveryStatus.Succeeded, h.Audit.Recovery(acted.RecoveryId)?.Status);
        Assert.Equal(1, h.Lease.Released);
    }

    [Fact]
    public async Task LeaseHeldByAnother_SkipsAndIsRecorded()
    {
        using var h = new PipelineHarness();
        h.Lease.HeldByAnother = true;

        var outcome = await h.Pipeline.HandleAsync(h.RegionDown());

        Assert.IsType<PipelineOutcome.Skipped>(outcome);
        Assert.Empty(h.Runner.Ran);
        Assert.Equal("skipped", Assert.Single(h.Detections.Recent(10)).Outcome);

        h.Lease.HeldByAnother = false;
        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(h.RegionDown()));
    }

    [Fact]
    public async Task Acting_ReleasesTheLease()
    {
        using var h = new PipelineHarness();

        await h.Pipeline.HandleAsync(h.RegionDown());

        Assert.Equal(1, h.Lease.Acquired);
        Assert.Equal(1, h.Lease.Released);
    }

    [Fact]
    public async Task DryRun_RecordsThePlanAndRunsNoStep()
    {
        using var h = new PipelineHarness(o => o with { DryRun = true });

        var outcome = await h.Pipeline.HandleAsync(h.RegionDown());

        var dry = Assert.IsType<PipelineOutcome.DryRun>(outcome);
        Assert.Empty(h.Runner.Ran);
        var record = h.Audit.Recovery(dry.RecoveryId);
        Assert.NotNull(record);
        Assert.Equal(["Promote the replica in dub", "Make dub writable"], record.Steps.Select(s => s.Description));
        Assert.All(record.Steps, s => Assert.Equal(StepStatus.Skipped, s.Status));
        Assert.Equal(1, h.Lease.Released);
    }
}
