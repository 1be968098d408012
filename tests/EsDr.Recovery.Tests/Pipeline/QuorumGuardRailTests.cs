using EsDr.Recovery.Analyse;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery.Tests.Pipeline;

/// <summary>
/// The quorum guard rail: a node rebuild must not take a cluster's healthy master-eligible nodes below a majority of
/// those configured; every node of these clusters is master-eligible.
/// </summary>
public sealed class QuorumGuardRailTests
{
    private static readonly string[] ThreeNodes = ["es-fra-0", "es-fra-1", "es-fra-2"];

    private static Detection Rebuild(PipelineHarness h, string node, IReadOnlyList<string>? present, string[]? configured = null, bool forced = false) =>
        new(new Diagnosis(DiagnosisCode.NodeDown, "fra", node, h.Clock.GetUtcNow(), ["test"]), RecoveryTrigger.Timer, forced,
            Members: new ClusterMembers(configured ?? ThreeNodes, present));

    [Fact]
    public async Task RebuildOfAHealthyNode_WhileAnotherIsMissing_IsRefusedByQuorum_AndRunsNothing()
    {
        using var h = new PipelineHarness();

        var outcome = await h.Pipeline.HandleAsync(Rebuild(h, "es-fra-0", present: ["es-fra-0", "es-fra-1"]));

        var blocked = Assert.IsType<PipelineOutcome.Blocked>(outcome);
        Assert.Equal(nameof(GuardRails.Quorum), blocked.Rule);
        Assert.Equal("replacing es-fra-0 would leave 1 of the 3 master-eligible nodes of fra in the cluster (es-fra-2 missing), "
            + "below the majority of 2 it needs to elect a master; an operator may force it (rebuild-node --force)", blocked.Reason);
        Assert.Empty(h.Runner.Ran);
        Assert.Equal(0, h.Lease.Acquired);
        Assert.Equal("blocked:Quorum", Assert.Single(h.Detections.Recent(10)).Outcome);
    }

    [Fact]
    public async Task RebuildOfTheMissingNode_TakesNoHealthyNodeAway_AndActs()
    {
        using var h = new PipelineHarness();

        var outcome = await h.Pipeline.HandleAsync(Rebuild(h, "es-fra-2", present: ["es-fra-0", "es-fra-1"]));

        Assert.IsType<PipelineOutcome.Acted>(outcome);
    }

    [Fact]
    public async Task RebuildOfTheMissingNode_WhenTwoOfThreeAreMissing_StillActs_ForItOnlyAddsANode()
    {
        using var h = new PipelineHarness();

        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(Rebuild(h, "es-fra-2", present: ["es-fra-0"])));
    }

    [Fact]
    public async Task RebuildOfAHealthyNode_InAWholeCluster_LeavesAMajority_AndActs()
    {
        using var h = new PipelineHarness();

        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(Rebuild(h, "es-fra-1", present: ThreeNodes)));
    }

    [Theory]
    [InlineData(4, true)]  // 3 of 5 left: a majority
    [InlineData(3, false)] // 2 of 5 left: none
    public async Task FiveNodeCluster_RebuildOfAHealthyNode_ActsOnlyWhileAMajorityStays(int present, bool acts)
    {
        using var h = new PipelineHarness();
        string[] five = ["es-fra-0", "es-fra-1", "es-fra-2", "es-fra-3", "es-fra-4"];

        var outcome = await h.Pipeline.HandleAsync(Rebuild(h, "es-fra-0", present: five[..present], configured: five));

        Assert.Equal(acts, outcome is PipelineOutcome.Acted);
    }

    [Fact]
    public async Task MembersNotListedLately_RefusesTheRebuild()
    {
        using var h = new PipelineHarness();

        var outcome = await h.Pipeline.HandleAsync(Rebuild(h, "es-fra-2", present: null));

        var blocked = Assert.IsType<PipelineOutcome.Blocked>(outcome);
        Assert.Equal(nameof(GuardRails.Quorum), blocked.Rule);
        Assert.StartsWith("no probe listed the nodes of fra lately", blocked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectionWithoutMembers_RefusesTheRebuild()
    {
        using var h = new PipelineHarness();
        var bare = new Detection(new Diagnosis(DiagnosisCode.NodeDown, "fra", "es-fra-2", h.Clock.GetUtcNow(), ["test"]), RecoveryTrigger.Webhook);

        Assert.Equal(nameof(GuardRails.Quorum), Assert.IsType<PipelineOutcome.Blocked>(await h.Pipeline.HandleAsync(bare)).Rule);
    }

    [Fact]
    public async Task ForcedByAnOperator_RebuildsAHealthyNodeAnyway()
    {
        using var h = new PipelineHarness();

        var outcome = await h.Pipeline.HandleAsync(Rebuild(h, "es-fra-0", present: ["es-fra-0", "es-fra-1"], forced: true));

        Assert.Equal(RecoveryStatus.Succeeded, Assert.IsType<PipelineOutcome.Acted>(outcome).Status);
    }

    [Fact]
    public async Task RegionActions_AreNotJudgedByQuorum()
    {
        using var h = new PipelineHarness();

        Assert.IsType<PipelineOutcome.Acted>(await h.Pipeline.HandleAsync(h.RegionDown() with { Members = null }));
    }
}
