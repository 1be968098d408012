using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Runner;

/// <summary>How a run or resume of a recovery ended.</summary>
internal sealed record RecoveryOutcome(string RecoveryId, RecoveryStatus Status, int? FailedStep = null, string? Error = null);

/// <summary>
/// Runs a plan's steps in order, recording each in the <see cref="AuditTrail"/> (started, then succeeded or
/// failed) and stopping at the first failure. A recovery whose process died can be resumed by id.
/// </summary>
internal sealed class RecoveryExecutor(AuditTrail audit, IStepRunner runner, TimeProvider time)
{
    /// <summary>Starts a new recovery of <paramref name="plan"/> and runs it to the end or the first failed step.</summary>
    public Task<RecoveryOutcome> RunAsync(RecoveryPlan plan, RecoveryTrigger trigger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var id = RecoveryId.New(time);
        audit.BeginRecovery(id, plan.Kind.ToString(), trigger, plan.Summary, time.GetUtcNow());
        return RunFromAsync(id, plan, 0, cancellationToken);
    }

    /// <summary>
    /// Continues a recovery that did not finish (its process died, or a step failed and the cause was fixed):
    /// steps recorded as succeeded are skipped, and the run continues from the first step that is not.
    /// A step recorded as "started" but never finished — the process died while it ran — is run again.
    /// That is safe because every plan step is idempotent (see <see cref="RecoveryStep.Idempotency"/>):
    /// running it a second time sees its effect already in place and changes nothing.
    /// </summary>
    public Task<RecoveryOutcome> ResumeAsync(string recoveryId, RecoveryPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(recoveryId);
        ArgumentNullException.ThrowIfNull(plan);
        var record = audit.Recovery(recoveryId)
            ?? throw new InvalidOperationException($"no recovery {recoveryId} in the audit trail");
        if (record.Status is RecoveryStatus.Succeeded or RecoveryStatus.Vetoed)
            return Task.FromResult(new RecoveryOutcome(recoveryId, record.Status));
        CheckSamePlan(record, plan);

        var done = record.Steps.Where(s => s.Status == StepStatus.Succeeded).Select(s => s.Index).ToHashSet();
        var first = 0;
        while (first < plan.Steps.Count && done.Contains(first))
            first++;
        audit.ReopenRecovery(recoveryId);
        return RunFromAsync(recoveryId, plan, first, cancellationToken);
    }

    /// <summary>Records a recovery that a guard rail vetoed: every step skipped, with the reason.</summary>
    public RecoveryOutcome RecordVeto(RecoveryPlan plan, RecoveryTrigger trigger, string reason)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var id = RecoveryId.New(time);
        var now = time.GetUtcNow();
        audit.BeginRecovery(id, plan.Kind.ToString(), trigger, plan.Summary, now);
        for (var i = 0; i < plan.Steps.Count; i++)
            audit.StepSkipped(id, i, plan.Steps[i].Describe(), plan.Steps[i].Render(), reason, now);
        audit.FinishRecovery(id, RecoveryStatus.Vetoed, now);
        return new RecoveryOutcome(id, RecoveryStatus.Vetoed, Error: reason);
    }

    private async Task<RecoveryOutcome> RunFromAsync(string id, RecoveryPlan plan, int first, CancellationToken cancellationToken)
    {
        for (var i = first; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            audit.StepStarted(id, i, step.Describe(), step.Render(), time.GetUtcNow());
            string? detail;
            try
            {
                detail = await runner.RunAsync(step, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The process is stopping: the step's outcome is unknown, so it stays "started" and the
                // recovery "running" — exactly what a crash leaves behind. ResumeAsync re-runs the step.
                throw;
            }
#pragma warning disable CA1031 // Any exception from a step is that step's failure, recorded and reported.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var now = time.GetUtcNow();
                audit.StepFinished(id, i, StepStatus.Failed, ex.Message, now);
                audit.FinishRecovery(id, RecoveryStatus.Failed, now);
                return new RecoveryOutcome(id, RecoveryStatus.Failed, i, ex.Message);
            }
            audit.StepFinished(id, i, StepStatus.Succeeded, detail, time.GetUtcNow());
        }
        audit.FinishRecovery(id, RecoveryStatus.Succeeded, time.GetUtcNow());
        return new RecoveryOutcome(id, RecoveryStatus.Succeeded);
    }

    // A resume must run the plan that was recorded, not a different one planned since.
    private static void CheckSamePlan(RecoveryRecord record, RecoveryPlan plan)
    {
        if (record.Kind != plan.Kind.ToString())
            throw new InvalidOperationException($"recovery {record.Id} is a {record.Kind}, not a {plan.Kind}");
        foreach (var step in record.Steps)
        {
            if (step.Index >= plan.Steps.Count)
                throw new InvalidOperationException($"recovery {record.Id} recorded step {step.Index + 1}, the plan has {plan.Steps.Count}");
            if (step.Description != plan.Steps[step.Index].Describe())
                throw new InvalidOperationException(
                    $"step {step.Index + 1} of recovery {record.Id} was '{step.Description}', the plan now has '{plan.Steps[step.Index].Describe()}'");
        }
    }
}
