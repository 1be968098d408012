using System.Globalization;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Plan;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EsDr.Recovery.Operate.Terminal;

/// <summary>A step's place in this run; <see cref="NotRun"/> is what a pending step becomes when the run ends without it.</summary>
internal enum StepState { Pending, Running, Done, Failed, NotRun }

/// <summary>One step as the live display shows it. Text is redacted before it is stored here.</summary>
internal sealed record StepRow(int Number, string Description, StepState State, DateTimeOffset? Started, DateTimeOffset? Ended, string? Detail);

/// <summary>
/// The state of a running plan for the live display: every step pending → running → done or failed, with its
/// elapsed time, and the progress of the <c>pulumi up</c> the running step started. Not thread-safe: the display
/// serialises access. Every string that enters is redacted on the way in, so nothing rendered from here can carry a
/// secret.
/// </summary>
internal sealed class StepBoard
{
    private const int MaxDetail = 160;

    private readonly StepRow[] rows;
    private readonly Redactor redactor;
    private PulumiUpProgress? pulumi;

    public StepBoard(RecoveryPlan plan, Redactor redactor)
    {
        ArgumentNullException.ThrowIfNull(plan);
        this.redactor = redactor ?? throw new ArgumentNullException(nameof(redactor));
        rows = plan.Steps.Select((s, i) => new StepRow(i + 1, redactor.Redact(s.Describe()), StepState.Pending, null, null, null)).ToArray();
    }

    public IReadOnlyList<StepRow> Rows => rows;

    /// <summary>A resumed recovery's steps that an earlier run finished: the executor skips them, so no report comes.</summary>
    public void MarkDoneEarlier(IEnumerable<int> stepIndexes)
    {
        ArgumentNullException.ThrowIfNull(stepIndexes);
        foreach (var index in stepIndexes.Where(i => i >= 0 && i < rows.Length))
            rows[index] = rows[index] with { State = StepState.Done, Detail = "done in an earlier run" };
    }

    /// <summary>
    /// The run is over (finished, failed, blocked, vetoed or a dry run): a step still pending was not run, and the
    /// last frame should say so rather than look like it is waiting.
    /// </summary>
    public void Finish()
    {
        for (var i = 0; i < rows.Length; i++)
            if (rows[i].State == StepState.Pending) rows[i] = rows[i] with { State = StepState.NotRun };
    }

    public void Apply(StepProgress progress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var index = progress.Number - 1;
        if (index < 0 || index >= rows.Length) return;
        var row = rows[index];
        rows[index] = progress.Phase switch
        {
            "started" => row with { State = StepState.Running, Started = now, Ended = null, Detail = null },
            "done" => row with { State = StepState.Done, Ended = now, Detail = Clean(progress.Detail) },
            "failed" => row with { State = StepState.Failed, Ended = now, Detail = Clean(progress.Detail) },
            _ => row,
        };
        // Pulumi's progress belongs to the step that runs it; a new step starts with none.
        if (progress.Phase == "started") pulumi = null;
    }

    public void ApplyPulumi(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        (pulumi ??= new PulumiUpProgress()).Add(redactor.Redact(line));
    }

    /// <summary>The table of steps, and below it pulumi's progress while a step runs it.</summary>
    public IRenderable Render(DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "step", "state", "time", "detail");
        table.Columns[0].RightAligned();
        foreach (var row in rows)
        {
            table.AddRow(
                new Text(row.Number.ToString(CultureInfo.InvariantCulture)),
                new Text(row.Description),
                new Text(StateName(row.State), StateStyle(row.State)),
                new Text(Elapsed(row, now)),
                new Text(row.Detail ?? ""));
        }
        var running = rows.Any(r => r.State == StepState.Running);
        return running && pulumi?.Summary() is { } summary
            ? new Rows(table, new Text(summary, new Style(Color.Grey)))
            : table;
    }

    public static string StateName(StepState state) => state switch
    {
        StepState.Pending => "pending",
        StepState.Running => "running",
        StepState.Done => "done",
        StepState.Failed => "failed",
        StepState.NotRun => "not run",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    private static Style StateStyle(StepState state) => state switch
    {
        StepState.Running => new Style(Color.Yellow),
        StepState.Done => new Style(Color.Green),
        StepState.Failed => new Style(Color.Red, decoration: Decoration.Bold),
        _ => new Style(Color.Grey),
    };

    private static string Elapsed(StepRow row, DateTimeOffset now) =>
        row.Started is not { } started ? "" : FormatElapsed((row.Ended ?? now) - started);

    /// <summary><c>0.4s</c>, <c>12s</c>, <c>3m05s</c>, <c>1h02m</c>: short enough for a column, precise where it matters.</summary>
    public static string FormatElapsed(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero) elapsed = TimeSpan.Zero;
        // Truncated, never rounded up: 9.96 s is "9.9s", not a "10.0s" that the next column width disagrees with.
        if (elapsed < TimeSpan.FromSeconds(10)) return (Math.Floor(elapsed.TotalSeconds * 10) / 10).ToString("0.0", CultureInfo.InvariantCulture) + "s";
        if (elapsed < TimeSpan.FromMinutes(1)) return string.Create(CultureInfo.InvariantCulture, $"{(int)elapsed.TotalSeconds}s");
        if (elapsed < TimeSpan.FromHours(1)) return string.Create(CultureInfo.InvariantCulture, $"{(int)elapsed.TotalMinutes}m{elapsed.Seconds:00}s");
        return string.Create(CultureInfo.InvariantCulture, $"{(int)elapsed.TotalHours}h{elapsed.Minutes:00}m");
    }

    // Redacted before it is cut, so a cut can never leave part of a secret the redactor would no longer recognise,
    // and again after the lines are joined, in case the joined text looks like a secret the lines did not.
    private string? Clean(string? detail) =>
        detail is null ? null : redactor.Redact(PlainStepLines.OneLine(redactor.Redact(detail), MaxDetail));
}
