using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Runner;

/// <summary>
/// Carries out one step (an Elasticsearch call, a SQL statement, a <c>pulumi</c> command, a wait).
/// Returns a short detail for the audit trail (output, what was found), or throws when the step failed.
/// An <see cref="OperationCanceledException"/> means the process is stopping: the step's outcome is unknown.
/// </summary>
internal interface IStepRunner
{
    Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default);
}
