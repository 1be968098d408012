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
internal sealed class LiveStepDisplay : IStepDisplay
{
    /// <summary>How often a running step's elapsed time is redrawn.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock gate = new();
    private readonly IAnsiConsole console;
    private readonly TimeProvider time;
    private readonly StepBoard board;

    /// <param name="doneEarlier">For a resume: the indexes of the steps an earlier run finished.</param>
    public LiveStepDisplay(IAnsiConsole console, RecoveryPlan plan, Redactor redactor, TimeProvider time, IEnumerable<int>? doneEarlier = null)
    {
        this.console = console ?? throw new ArgumentNullException(nameof(console));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        board = new StepBoard(plan, redactor);
        board.MarkDoneEarlier(doneEarlier ?? []);
    }

    public void Report(StepProgress progress)
    {
        lock (gate) board.Apply(progress, time.GetUtcNow());
    }

    public Action<string>? PulumiOutput => PulumiLine;

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
            lock (gate) board.Finish();
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
