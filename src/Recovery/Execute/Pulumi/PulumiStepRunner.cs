using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>
/// Runs a plan's <see cref="PulumiCommand"/> steps; the audit detail is the tail of pulumi's output (its summary).
/// With <paramref name="outputLine"/>, each line of pulumi's output is also handed over as it comes (for a live display).
/// </summary>
internal sealed class PulumiStepRunner(IPulumiCli cli, Action<string>? outputLine = null) : IStepRunner
{
    private const int DetailLines = 8;

    public async Task<string?> RunAsync(RecoveryStep step, CancellationToken cancellationToken = default)
    {
        if (step is not PulumiCommand command)
            throw new ArgumentException($"not a pulumi step: {step?.Render()}", nameof(step));
        var result = outputLine is null
            ? await cli.RunAsync(command, cancellationToken).ConfigureAwait(false)
            : await cli.RunAsync(command, outputLine, cancellationToken).ConfigureAwait(false);
        var lines = result.Stdout.TrimEnd().Split('\n');
        var tail = string.Join('\n', lines.Skip(Math.Max(0, lines.Length - DetailLines))).Trim();
        return tail.Length == 0 ? "exit 0" : tail;
    }
}
