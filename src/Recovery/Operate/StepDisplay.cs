using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Operate.Terminal;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Operate;

/// <summary>What an operator sees while a recovery's steps run: plain lines, or a live display at a terminal.</summary>
internal interface IStepDisplay
{
    /// <summary>A step started or ended (called on the pipeline's thread).</summary>
    void Report(StepProgress progress);

    /// <summary>
    /// Where each line of the output of the <c>pulumi</c> a step runs goes, or null when nobody watches it (pulumi's
    /// output is then read whole, as it always was).
    /// </summary>
    Action<string>? PulumiOutput { get; }

    /// <summary>Runs <paramref name="run"/> (the pipeline) while the display is shown.</summary>
    Task<T> ShowWhileAsync<T>(Func<Task<T>> run);
}

/// <summary>Chooses the display: live only when a person watches stdout and the output is not <c>--json</c>.</summary>
internal static class StepDisplays
{
    /// <param name="doneEarlier">For a resume: the indexes of the steps an earlier run finished (the live display shows them done).</param>
    public static IStepDisplay For(OperatorConsole console, bool json, RecoveryPlan plan, Redactor redactor, TimeProvider time,
        IEnumerable<int>? doneEarlier = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!json && console.Terminal is { } terminal) return new LiveStepDisplay(terminal, plan, redactor, time, doneEarlier);
        // With --json, stdout carries only the outcome object; the progress lines go to stderr.
        return new PlainStepLines(json ? console.Error : console.Out, redactor);
    }
}

/// <summary>
/// A line as each step starts and as it ends — the stable format logs and scripts read. Pulumi's own output is not
/// repeated (its summary is the step's detail).
/// </summary>
internal sealed class PlainStepLines(TextWriter output, Redactor redactor) : IStepDisplay
{
    private const int MaxDetail = 300;

    public void Report(StepProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var line = progress.Phase == "started"
            ? $"[{progress.Number}/{progress.Count}] {progress.Step.Describe()} ..."
            : $"[{progress.Number}/{progress.Count}] {progress.Phase}{(progress.Detail is null ? "" : ": " + OneLine(redactor.Redact(progress.Detail), MaxDetail))}";
        // The detail is redacted before it is cut: a secret straddling the cut would otherwise leak its first part.
        output.WriteLine(redactor.Redact(line));
        output.Flush();
    }

    public Action<string>? PulumiOutput => null;

    public Task<T> ShowWhileAsync<T>(Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run();
    }

    /// <summary>Multi-line text (pulumi's summary, an error) as one line, cut at <paramref name="max"/> characters.</summary>
    public static string OneLine(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = string.Join(" | ", text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        return line.Length <= max ? line : line[..max] + "…";
    }
}
