using EsDr.Infra.Renderers.Monitoring;
using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Pipeline;
using EsDr.Recovery.Tests.Pipeline;
using EsDr.Recovery.Watch;

namespace EsDr.Recovery.Tests.Watch;

public sealed class WatchLoopTests
{
    [Fact]
    public async Task NodeDown_SeenByTheProbeOnly_WhileAlertsSayAllNodesPresent_HandsNothingOver()
    {
        var world = new WatchWorld();
        var loop = world.Loop(alerts: true);
        world.Fra.Answers(WatchWorld.NodeMissing("fra", "es-fra-1"));

        await world.RoundsAsync(loop, 20);

        Assert.Empty(world.Handed);
        Assert.Empty(loop.Decisions);
        Assert.Contains(loop.History.Recent(), s => s.Vantage == AlertVantage.Name);
    }

    [Fact]
    public async Task NodeDown_SeenByTheProbeAndAlertsConsecutively_HandsOverOneDetectionForThatNode()
    {
        var world = new WatchWorld();
        var loop = world.Loop(alerts: true);
        world.Fra.Answers(WatchWorld.NodeMissing("fra", "es-fra-1"));
        world.Fires(AlertRules.ElasticsearchFewerNodesThanExpected, "fra");

        await world.RoundsAsync(loop, 2);
        Assert.Empty(world.Handed); // two consecutive failed rounds: not yet confirmed (three needed)
        await world.RoundsAsync(loop, 18);

        var detection = Assert.Single(world.Handed);
        Assert.Equal((DiagnosisCode.NodeDown, "fra", "es-fra-1"), (detection.Diagnosis.Code, detection.Diagnosis.Region, detection.Diagnosis.Node));
        Assert.Equal(RecoveryTrigger.Timer, detection.Trigger);
        Assert.Contains(detection.Diagnosis.Evidence, e => e.StartsWith("alerts:", StringComparison.Ordinal));
        Assert.Contains(detection.Diagnosis.Evidence, e => e.StartsWith("probe:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OneFewerNodesAlert_WhileTheProbeCannotListTheNodes_HandsNoNodeRebuildOver()
    {
        var world = new WatchWorld();
        var loop = world.Loop(alerts: true);
        world.Dub.Answer = _ => throw new InvalidOperationException("unreadable answer");
        world.Fires(AlertRules.ElasticsearchFewerNodesThanExpected, "dub");

        await world.RoundsAsync(loop, 20);

        // The alert says dub has fewer nodes, not which: no node of dub may be rebuilt on its word.
        Assert.DoesNotContain(world.Handed, d => d.Diagnosis.Code == DiagnosisCode.NodeDown);
        var decision = Assert.Single(loop.Decisions);
        Assert.Equal((WatchAction.NeedsOperator, DiagnosisCode.NodesMissing, "dub", (string?)null),
            (decision.Action, decision.Diagnosis.Code, decision.Diagnosis.Region, decision.Diagnosis.Node));
    }

    [Fact]
    public async Task NodeDownHandedOver_CarriesTheMembersTheProbeListedInThatRound()
    {
        var world = new WatchWorld();
        var loop = world.Loop(alerts: true);
        world.Fra.Answers(WatchWorld.NodeMissing("fra", "es-fra-1"));
        world.Fires(AlertRules.ElasticsearchFewerNodesThanExpected, "fra");

        await world.RoundsAsync(loop, 5);

        var members = Assert.Single(world.Handed).Members;
        Assert.NotNull(members);
        Assert.Equal(["es-fra-0", "es-fra-1", "es-fra-2"], members.MasterEligible);
        Assert.Equal(["es-fra-0", "es-fra-2"], members.Present);
    }

    [Fact]
    public async Task NodeDown_ConfirmedInARoundTheProbeListedNothing_IsHandedWithMembersUnknown()
    {
        var world = new WatchWorld();
        var loop = world.Loop(alerts: true);
        world.Fra.Answers(WatchWorld.NodeMissing("fra", "es-fra-1"));
        await world.RoundsAsync(loop, 5); // the probe alone: not confirmed while Prometheus sees every node

        // The alert fires just as the probe stops answering: the alerts' third round confirms on the probe's old word.
        world.Fires(AlertRules.ElasticsearchFewerNodesThanExpected, "fra");
        world.Fra.Answer = _ => throw new InvalidOperationException("unreadable answer");
        await world.RoundsAsync(loop, 3);

        var detection = Assert.Single(world.Handed);
        Assert.Equal("es-fra-1", detection.Diagnosis.Node);
        Assert.Null(detection.Members?.Present); // an older list is not trusted: the quorum rule refuses
    }

    [Fact]
    public async Task Detection_SkippedBecauseTheLeaseIsHeld_IsHandedAgainEachRoundWhileInForce_ThenDropped()
    {
        var world = new WatchWorld();
        var leaseHeld = true;
        var handed = 0;
        var loop = world.Loop(options: WatchWorld.ProbeAloneMovesRegions, recover: (_, _) =>
        {
            handed++;
            return Task.FromResult<PipelineOutcome>(leaseHeld
                ? new PipelineOutcome.Skipped(RecoveryPipeline.LeaseHeldReason)
                : new PipelineOutcome.Skipped("recorded by the test"));
        });
        world.Fra.Answers(WatchWorld.Down("fra"));

        await world.RoundsAsync(loop, 3); // confirmed and handed on the third round
        Assert.Equal(1, handed);
        await world.RoundsAsync(loop, 4);
        Assert.Equal(5, handed); // once more per round while someone else holds the lease

        leaseHeld = false; // handed and not skipped on the lease: not handed again
        await world.RoundsAsync(loop, 4);
        Assert.Equal(6, handed);
    }

    [Fact]
    public async Task Detection_SkippedBecauseTheLeaseIsHeld_IsNotHandedAgainOnceItClears()
    {
        var world = new WatchWorld();
        var handed = 0;
        var loop = world.Loop(options: WatchWorld.ProbeAloneMovesRegions, recover: (_, _) =>
        {
            handed++;
            return Task.FromResult<PipelineOutcome>(new PipelineOutcome.Skipped(RecoveryPipeline.LeaseHeldReason));
        });
        world.Fra.Answers(WatchWorld.Down("fra"));
        await world.RoundsAsync(loop, 3);
        Assert.Equal(1, handed);

        world.Fra.Answers(WatchWorld.Healthy("fra"));
        await world.RoundsAsync(loop, 10);

        Assert.Empty(loop.Active);
        Assert.InRange(handed, 1, 3); // handed while the region was still in force, never after it cleared
        var before = handed;
        await world.RoundsAsync(loop, 5);
        Assert.Equal(before, handed);
    }

    [Fact]
    public async Task Diagnosis_NotInTheAutoRecoverSet_IsReportedForAnOperatorAndNotHandedOver()
    {
        var world = new WatchWorld();
        var loop = world.Loop(options: WatchWorld.Options with { AutoRecover = new HashSet<DiagnosisCode> { DiagnosisCode.NodeDown } });
        world.Fra.Answers(WatchWorld.Down("fra"));

        await world.RoundsAsync(loop, 5);

        Assert.Empty(world.Handed);
        var decision = Assert.Single(loop.Decisions);
        Assert.Equal((WatchAction.NeedsOperator, DiagnosisCode.RegionDown, "fra"), (decision.Action, decision.Diagnosis.Code, decision.Diagnosis.Region));
    }

    [Fact]
    public async Task RegionFlappingDownAndUpEvery4s_For10Minutes_ThroughTheRealPipeline_FailsOverOnce()
    {
        using var h = new PipelineHarness();
        var world = new WatchWorld();
        var loop = world.Loop(peers: true, recover: (d, ct) => h.Pipeline.HandleAsync(d, ct));

        await world.RoundsAsync(loop, 600, round =>
        {
            var down = round / 4 % 2 == 0;
            world.Fra.Answers(down ? WatchWorld.Down("fra") : WatchWorld.Healthy("fra"));
            world.FraPeer.Connected = down ? null : new() { ["dub"] = true };
            world.DubPeer.Connected = new() { ["fra"] = !down };
            if (round > 0)
                h.Clock.Advance(TimeSpan.FromSeconds(1));
        });

        var outcomes = loop.Decisions.Where(d => d.Action == WatchAction.Handed).Select(d => d.Outcome!).ToList();
        Assert.True(outcomes.Count > 10, $"the flapping region should be raised again and again, was {outcomes.Count}");
        Assert.Single(outcomes.OfType<PipelineOutcome.Acted>());
        Assert.All(outcomes.Where(o => o is not PipelineOutcome.Acted),
            o => Assert.Equal(nameof(GuardRails.BlockPeriod), Assert.IsType<PipelineOutcome.Blocked>(o).Rule));
        Assert.Equal(2, h.Runner.Ran.Count);
        Assert.Single(h.Audit.History(1000));
    }

    [Fact]
    public async Task RegionDown_SeenByTheProbeButThePeerStillConnected_HandsNothingOver()
    {
        var world = new WatchWorld();
        var loop = world.Loop(peers: true);
        world.Fra.Answers(WatchWorld.Down("fra"));
        world.FraPeer.Connected = null;

        await world.RoundsAsync(loop, 20);

        Assert.Empty(world.Handed);
    }

    [Fact]
    public async Task HangingProbe_AfterTheTimeout_RoundCompletesAndTheRegionCountsAsUnreachable()
    {
        var world = new WatchWorld();
        var loop = world.Loop(peers: true);
        world.Fra.Hangs();

        var round = loop.RoundAsync(CancellationToken.None);
        Assert.False(round.IsCompleted);
        world.Clock.Advance(WatchWorld.Options.ProbeTimeout);
        await round.WaitAsync(TimeSpan.FromSeconds(30));

        var probe = loop.History.Recent().Single(s => s.Vantage == "probe");
        Assert.False(probe.Clusters.Single(c => c.Region == "fra").Reachable);
        Assert.False(probe.Endpoints.Single(e => e.Region == "fra").Healthy);
        Assert.True(probe.Clusters.Single(c => c.Region == "dub").Reachable);
    }

    [Fact]
    public async Task HangingProbe_WithPeerAgreeing_LoopKeepsGoingAndFailsTheRegionOver()
    {
        var world = new WatchWorld();
        var loop = world.Loop(peers: true);
        world.Fra.Hangs();
        world.FraPeer.Connected = null;
        world.DubPeer.Connected = new() { ["fra"] = false };

        for (var i = 0; i < 5; i++)
        {
            var round = loop.RoundAsync(CancellationToken.None);
            world.Clock.Advance(TimeSpan.FromSeconds(1));
            await round.WaitAsync(TimeSpan.FromSeconds(30));
            await loop.DecidePendingAsync(CancellationToken.None);
        }

        Assert.Equal(5, loop.Rounds);
        Assert.Equal(5, world.Dub.Calls);
        var detection = Assert.Single(world.Handed);
        Assert.Equal((DiagnosisCode.RegionDown, "fra"), (detection.Diagnosis.Code, detection.Diagnosis.Region));
        Assert.Equal(TimeSpan.Zero, detection.PromotionLag); // the replica in dub was 0 s behind when last seen
    }

    [Fact]
    public async Task ThrowingProbe_LeavesItsRegionUnknownForThatRound_AndTheLoopGoesOn()
    {
        var world = new WatchWorld();
        var loop = world.Loop();
        world.Fra.Answer = _ => throw new InvalidOperationException("unexpected answer");

        await world.RoundsAsync(loop, 3);
        var probe = loop.History.Recent()[^1];
        Assert.Equal(["dub"], probe.Clusters.Select(c => c.Region));

        world.Fra.Answers(WatchWorld.Healthy("fra"));
        await world.RoundsAsync(loop, 1);
        Assert.Equal(["fra", "dub"], loop.History.Recent()[^1].Clusters.Select(c => c.Region));
        Assert.Empty(world.Handed);
    }

    [Fact]
    public async Task History_OverThousandsOfFlappingRounds_StaysWithinItsCapacity()
    {
        var world = new WatchWorld();
        var loop = world.Loop(peers: true, alerts: true, options: WatchWorld.Options with { HistoryCapacity = 64, DecisionCapacity = 16 });
        void Flap(int round)
        {
            world.Fra.Answers(round / 4 % 2 == 0 ? WatchWorld.NodeMissing("fra", "es-fra-" + (round % 3)) : WatchWorld.Healthy("fra"));
            if (round % 7 == 0)
                world.Fires(AlertRules.ElasticsearchClusterRed, "dub", "fp-" + round, round % 14 == 0 ? "firing" : "resolved");
        }

        await world.RoundsAsync(loop, 1000, Flap);
        var subjectsAfter1000 = loop.TrackedSubjects;
        await world.RoundsAsync(loop, 3000, Flap);

        Assert.Equal(64, loop.History.Count);
        Assert.Equal(64, loop.History.Recent().Count);
        Assert.True(loop.Decisions.Count <= 16);
        Assert.Equal(subjectsAfter1000, loop.TrackedSubjects);
        Assert.Equal(WatchWorld.T0.AddSeconds(3999), loop.History.Recent()[^1].At);
    }

    [Fact]
    public async Task SlowPipeline_ProbingContinuesMeanwhile_AndDetectionsAreHandledOneAtATime()
    {
        var world = new WatchWorld();
        var release = new TaskCompletionSource();
        var running = 0;
        var mostAtOnce = 0;
        var entered = 0;
        var loop = world.Loop(options: WatchWorld.ProbeAloneMovesRegions, recover: async (d, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            mostAtOnce = Math.Max(mostAtOnce, now);
            Interlocked.Increment(ref entered);
            await release.Task.WaitAsync(ct);
            Interlocked.Decrement(ref running);
            return new PipelineOutcome.Skipped("slow stand-in");
        });
        world.Fra.Answers(WatchWorld.Down("fra"));
        world.Dub.Answers(WatchWorld.Down("dub"));
        using var stop = new CancellationTokenSource();

        var run = loop.RunAsync(stop.Token);
        await DriveAsync(world.Clock, () => loop.Rounds >= 20);
        var enteredWhileBlocked = Volatile.Read(ref entered);
        release.SetResult();
        await DriveAsync(world.Clock, () => loop.Decisions.Count(d => d.Action == WatchAction.Handed) == 2);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, enteredWhileBlocked); // two regions down, the second waits for the first
        Assert.Equal(1, mostAtOnce);
        Assert.Equal(2, entered);
    }

    [Fact]
    public void Options_WithANonPositiveInterval_AreRejectedNamingTheOption()
    {
        var world = new WatchWorld();

        var error = Assert.Throws<ArgumentException>(() => world.Loop(options: WatchWorld.Options with { Interval = TimeSpan.Zero }));

        Assert.Contains("watch.interval", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Moves test time a second at a time until the loop, running on the thread pool, gets there.</summary>
    private static async Task DriveAsync(TimerClock clock, Func<bool> done)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < giveUp, "the loop did not get there");
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1); // lets the loop's continuations run; the loop itself waits on test time only
        }
    }
}
