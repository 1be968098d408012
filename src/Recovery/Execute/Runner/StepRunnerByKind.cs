using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Runner;

/// <summary>Hands each step to the runner for its kind (Elasticsearch, MySQL, pulumi, wait).</summary>
internal sealed class StepRunnerByKind(IReadOnlyDictionary<StepKind, IStepRunner> runners) : IStepRunner
{
    public Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        return runners.TryGetValue(step.Kind, out var runner)
            ? runner.RunAsync(step, cancellationToken)
            : throw new InvalidOperationException($"no runner for {step.Kind} steps");
    }
}

/// <summary>What an operator sees while a recovery runs: a line as each step starts and as it ends.</summary>
internal sealed record StepProgress(int Number, int Count, RecoveryStep Step, string Phase, string? Detail);

/// <summary>
/// Reports progress around another runner. The step's number is its place in the plan (by reference, so two
/// equal-looking steps are told apart), which stays right when a resumed recovery skips the steps already done.
/// </summary>
internal sealed class ProgressReportingRunner(IStepRunner inner, RecoveryPlan plan, Action<StepProgress> report) : IStepRunner
{
    public async Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        var number = 1;
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            if (ReferenceEquals(plan.Steps[i], step)) { number = i + 1; break; }
        }
        report(new StepProgress(number, plan.Steps.Count, step, "started", null));
        try
        {
            var detail = await inner.RunAsync(step, cancellationToken).ConfigureAwait(false);
            report(new StepProgress(number, plan.Steps.Count, step, "done", detail));
            return detail;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report(new StepProgress(number, plan.Steps.Count, step, "failed", ex.Message));
            throw;
        }
    }
}
