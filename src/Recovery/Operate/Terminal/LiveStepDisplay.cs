using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EsDr.Recovery.Operate.Terminal;

/// <summary>
/// The plan's steps as a table redrawn in place (Spectre's live display) while the pipeline runs: each step's state
/// and elapsed time, and the running <c>pulumi up</c>'s progress. The last frame stays on screen. Reports arrive on
/// the pipeline's thread and frames are drawn on this one, so both go through one lock.
/// </summary>
internal sealed class LiveStepDisplay(IAnsiConsole console, RecoveryPlan plan, Redactor redactor, TimeProvider time) : IStepDisplay
{
    /// <summary>How often a running step's elapsed time is redrawn.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock gate = new();
    private readonly StepBoard board = new(plan, redactor);

    public void Report(StepProgress progress)
    {
        lock (gate) board.Apply(progress, time.GetUtcNow());
    }

    public void PulumiLine(string line)
    {
        lock (gate) board.ApplyPulumi(line);
    }

    public Task<T> ShowWhileAsync<T>(Func<Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return console.Live(Frame()).AutoClear(false).StartAsync(async context =>
        {
            var work = run();
            // The cancellation of the recovery belongs to the pipeline; the redraw only stops when the work ends.
            while (await Task.WhenAny(work, Task.Delay(RefreshInterval, time, CancellationToken.None)).ConfigureAwait(false) != work)
                context.UpdateTarget(Frame());
            context.UpdateTarget(Frame());
            return await work.ConfigureAwait(false);
        });
    }

    /// <summary>The display as it is now (what the next redraw shows).</summary>
    public IRenderable Frame()
    {
        lock (gate) return board.Render(time.GetUtcNow());
    }
}
