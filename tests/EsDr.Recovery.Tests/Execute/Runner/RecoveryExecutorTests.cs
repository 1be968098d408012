using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Execute.Audit;

namespace EsDr.Recovery.Tests.Execute.Runner;

public sealed class RecoveryExecutorTests : IDisposable
{
    private const int Steps = 5;
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 12, 34, TimeSpan.Zero);
    private readonly TempDatabase db = new();
    private readonly ManualTime time = new(Start);

    public void Dispose() => db.Dispose();

    public static TheoryData<int, bool> CrashPoints()
    {
        var data = new TheoryData<int, bool>();
        for (var k = 0; k < Steps; k++)
        {
            data.Add(k, true);
            data.Add(k, false);
        }
        return data;
    }

    [Fact]
    public async Task An_uninterrupted_run_applies_every_step_once_in_order()
    {
        var world = new FakeWorld(time);
        using var audit = AuditTrail.Open(db.Path, Redactor.None);

        var outcome = await new RecoveryExecutor(audit, world, time).RunAsync(FakeWorld.Plan(Steps), RecoveryTrigger.Timer);

        Assert.Equal(RecoveryStatus.Succeeded, outcome.Status);
        Assert.Equal([0, 1, 2, 3, 4], world.Calls);
        Assert.Equal(Expected(), world.State);
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task A_crash_at_any_step_resumes_to_the_same_end_state_as_an_uninterrupted_run(int k, bool effectLanded)
    {
        var plan = FakeWorld.Plan(Steps);
        var world = new FakeWorld(time) { CrashAt = k, CrashAfterEffect = effectLanded };
        string id;

        // First process: dies during step k, after (or before) the step's effect landed, before success was recorded.
        using (var audit = AuditTrail.Open(db.Path, Redactor.None))
        {
            await Assert.ThrowsAsync<SimulatedCrash>(() => new RecoveryExecutor(audit, world, time).RunAsync(plan, RecoveryTrigger.Webhook));
        }

        // Second process: finds the unfinished recovery and resumes it.
        world.CrashAt = null;
        using (var audit = AuditTrail.Open(db.Path, Redactor.None))
        {
            var unfinished = Assert.Single(audit.Unfinished());
            id = unfinished.Id;
            Assert.Equal(RecoveryStatus.Running, unfinished.Status);
            Assert.Equal(Enumerable.Repeat(StepStatus.Succeeded, k).Append(StepStatus.Started), unfinished.Steps.Select(s => s.Status));

            var outcome = await new RecoveryExecutor(audit, world, time).ResumeAsync(id, plan);

            Assert.Equal(new RecoveryOutcome(id, RecoveryStatus.Succeeded), outcome);
            Assert.Empty(audit.Unfinished());
            var record = audit.Recovery(id)!;
            Assert.Equal(RecoveryStatus.Succeeded, record.Status);
            Assert.All(record.Steps, s => Assert.Equal((StepStatus.Succeeded, s.Index == k ? 2 : 1), (s.Status, s.Attempts)));
            Assert.Equal(Steps, record.Steps.Count);
        }

        Assert.Equal(Expected(), world.State);
        for (var i = 0; i < Steps; i++)
            Assert.Equal(i == k ? 2 : 1, world.Calls.Count(c => c == i));
        Assert.Equal(Enumerable.Range(0, k + 1).Concat(Enumerable.Range(k, Steps - k)), world.Calls);
    }

    [Fact]
    public async Task A_recovery_that_crashes_at_every_step_still_finishes_through_repeated_resumes()
    {
        var plan = FakeWorld.Plan(Steps);
        var world = new FakeWorld(time) { CrashAt = 0, CrashAfterEffect = true };
        using var audit = AuditTrail.Open(db.Path, Redactor.None);
        var executor = new RecoveryExecutor(audit, world, time);

        await Assert.ThrowsAsync<SimulatedCrash>(() => executor.RunAsync(plan, RecoveryTrigger.Timer));
        var id = Assert.Single(audit.Unfinished()).Id;
        for (var k = 1; k < Steps; k++)
        {
            world.CrashAt = k;
            await Assert.ThrowsAsync<SimulatedCrash>(() => executor.ResumeAsync(id, plan));
        }
        world.CrashAt = null;

        Assert.Equal(RecoveryStatus.Succeeded, (await executor.ResumeAsync(id, plan)).Status);
        Assert.Equal(Expected(), world.State);
        Assert.All(Enumerable.Range(0, Steps), i => Assert.InRange(world.Calls.Count(c => c == i), 1, 2));
    }

    [Fact]
    public async Task A_failed_step_stops_the_run_and_a_resume_continues_from_it()
    {
        var plan = FakeWorld.Plan(Steps);
        var world = new FakeWorld(time) { FailAt = 2 };
        using var audit = AuditTrail.Open(db.Path, Redactor.None);
        var executor = new RecoveryExecutor(audit, world, time);

        var failed = await executor.RunAsync(plan, RecoveryTrigger.Operator);

        Assert.Equal((RecoveryStatus.Failed, (int?)2), (failed.Status, failed.FailedStep));
        Assert.Equal([0, 1, 2], world.Calls);
        Assert.Equal([StepStatus.Succeeded, StepStatus.Succeeded, StepStatus.Failed], audit.Recovery(failed.RecoveryId)!.Steps.Select(s => s.Status));
        Assert.NotNull(audit.Recovery(failed.RecoveryId)!.FinishedAt);

        world.FailAt = null;
        var resumed = await executor.ResumeAsync(failed.RecoveryId, plan);

        Assert.Equal(RecoveryStatus.Succeeded, resumed.Status);
        Assert.Equal([0, 1, 2, 2, 3, 4], world.Calls);
        Assert.Equal(Expected(), world.State);
    }

    [Fact]
    public async Task Resuming_a_finished_recovery_runs_nothing()
    {
        var plan = FakeWorld.Plan(Steps);
        var world = new FakeWorld(time);
        using var audit = AuditTrail.Open(db.Path, Redactor.None);
        var executor = new RecoveryExecutor(audit, world, time);
        var done = await executor.RunAsync(plan, RecoveryTrigger.Timer);
        world.Calls.Clear();

        var again = await executor.ResumeAsync(done.RecoveryId, plan);

        Assert.Equal(RecoveryStatus.Succeeded, again.Status);
        Assert.Empty(world.Calls);
    }

    [Fact]
    public async Task Resuming_with_a_different_plan_or_an_unknown_id_is_refused()
    {
        var world = new FakeWorld(time) { CrashAt = 2 };
        using var audit = AuditTrail.Open(db.Path, Redactor.None);
        var executor = new RecoveryExecutor(audit, world, time);
        await Assert.ThrowsAsync<SimulatedCrash>(() => executor.RunAsync(FakeWorld.Plan(Steps), RecoveryTrigger.Timer));
        var id = Assert.Single(audit.Unfinished()).Id;
        world.CrashAt = null;
        var other = new RecoveryPlan(RecoveryKind.RegionFailover, "something else",
            [new MySqlStatement("dub", "SET GLOBAL read_only = OFF", "make dub writable", "already OFF")]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ResumeAsync(id, other));
        await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ResumeAsync("rec-20261122-000000-000000", FakeWorld.Plan(Steps)));
        Assert.Equal([0, 1, 2], world.Calls);
    }

    private static SortedDictionary<string, string> Expected()
    {
        var reference = new FakeWorld(new ManualTime(Start));
        foreach (var step in FakeWorld.Plan(Steps).Steps)
            reference.RunAsync(step).GetAwaiter().GetResult();
        return reference.State;
    }
}
