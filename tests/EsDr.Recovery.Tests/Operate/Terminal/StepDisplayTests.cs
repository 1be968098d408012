using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Operate.Terminal;
using EsDr.Recovery.Plan;
using EsDr.Recovery.Tests.Observe.Webhook;

namespace EsDr.Recovery.Tests.Operate.Terminal;

/// <summary>
/// The two step displays driven with the same progress: the live one at a (test) terminal — states, elapsed time,
/// pulumi's progress, redaction — and the plain lines, pinned byte for byte.
/// </summary>
public sealed class StepDisplayTests
{
    private const string Secret = "fra-Elastic-Pw-51f0c2";
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    private static readonly RecoveryPlan Plan = new(RecoveryKind.RegionRebuild, "rebuild dub",
    [
        new ElasticsearchCall("fra", "GET", "/_cluster/health", null, "Check fra answers", "read-only"),
        new PulumiCommand(["up", "--stack", "prod", "--yes", "--skip-preview"], "Build dub generation 2", "up converges"),
        new ElasticsearchCall("dub", "POST", "/_ccr/auto_follow/x", null, "Follow fra from dub", "PUT is idempotent"),
    ]);

    [Fact]
    public async Task LiveDisplay_StepFails_ShowsItFailedWithItsErrorAndLaterStepsNotRun()
    {
        var terminal = StatusOutputTests.Terminal();
        var time = new ManualTimeProvider(Start);
        var display = new LiveStepDisplay(terminal, Plan, Redactor.None, time);

        await display.ShowWhileAsync(() =>
        {
            display.Report(Progress(1, "started"));
            time.Advance(TimeSpan.FromSeconds(2));
            display.Report(Progress(1, "done", "green"));
            display.Report(Progress(2, "started"));
            time.Advance(TimeSpan.FromSeconds(75));
            display.Report(Progress(2, "failed", "pulumi command failed (exit 255): pulumi up\nerror: the stack is locked"));
            return Task.FromResult(0);
        });

        var last = LastFrame(terminal.Output);
        Assert.Matches(@"│\s+1 │ Check fra answers\s+│ done\s+│ 2\.0s\s+│ green", last);
        Assert.Matches(@"│\s+2 │ Build dub generation 2\s+│ failed\s+│ 1m15s\s+│ pulumi command failed \(exit 255\): pulumi up \| error: the stack is locked", last);
        Assert.Matches(@"│\s+3 │ Follow fra from dub\s+│ not run\s+│\s+│", last);
    }

    [Fact]
    public async Task LiveDisplay_Resume_ShowsTheStepsAnEarlierRunFinishedAsDone()
    {
        var terminal = StatusOutputTests.Terminal();
        var display = new LiveStepDisplay(terminal, Plan, Redactor.None, new ManualTimeProvider(Start), doneEarlier: [0]);

        await display.ShowWhileAsync(() =>
        {
            display.Report(Progress(2, "started"));
            display.Report(Progress(2, "done", "exit 0"));
            display.Report(Progress(3, "started"));
            display.Report(Progress(3, "done", "acknowledged"));
            return Task.FromResult(0);
        });

        var last = LastFrame(terminal.Output);
        Assert.Matches(@"│\s+1 │ Check fra answers\s+│ done\s+│\s+│ done in an earlier run", last);
        Assert.Matches(@"│\s+3 │ Follow fra from dub\s+│ done\s+│ 0\.0s\s+│ acknowledged", last);
    }

    [Fact]
    public async Task LiveDisplay_SecretInAStepDetail_IsRedacted()
    {
        var terminal = StatusOutputTests.Terminal();
        var display = new LiveStepDisplay(terminal, Plan, new Redactor([Secret]), new ManualTimeProvider(Start));

        await display.ShowWhileAsync(() =>
        {
            display.Report(Progress(1, "started"));
            display.Report(Progress(1, "failed", $"401 from https://elastic:{Secret}@fra.example.test:9200"));
            return Task.FromResult(0);
        });

        Assert.DoesNotContain(Secret, terminal.Output, StringComparison.Ordinal);
        Assert.Contains("elastic:[redacted]@fra", terminal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveDisplay_WhilePulumiUpRuns_ShowsItsCountsAndLatestResourceLine()
    {
        var terminal = StatusOutputTests.Terminal();
        var display = new LiveStepDisplay(terminal, Plan, new Redactor([Secret]), new ManualTimeProvider(Start));
        string frame = "";

        await display.ShowWhileAsync(() =>
        {
            display.Report(Progress(2, "started"));
            display.PulumiLine("Updating (prod):");
                display.PulumiLine(" +  linode:index/instance:Instance prod-dub-es-1 created (41s)");
            display.PulumiLine($" +  linode:index/instance:Instance prod-dub-es-2 creating (0s) password {Secret}");
            frame = Render(display);
            return Task.FromResult(0);
        });

        Assert.Contains("pulumi: 1 done, 1 in progress · +  linode:index/instance:Instance prod-dub-es-2 creating (0s) password [redacted]", frame, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, terminal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void LiveDisplay_RunningStep_ShowsTheTimeSinceItStarted()
    {
        var time = new ManualTimeProvider(Start);
        var display = new LiveStepDisplay(StatusOutputTests.Terminal(), Plan, Redactor.None, time);
        display.Report(Progress(1, "started"));

        time.Advance(TimeSpan.FromSeconds(12.6));

        Assert.Matches(@"│\s+1 │ Check fra answers\s+│ running\s+│ 12s\s+│", Render(display));
    }

    [Fact]
    public void PlainLines_ReportTheSameLinesAsBeforeTheLiveDisplay()
    {
        var output = new StringWriter();
        var display = new PlainStepLines(output, new Redactor([Secret]));

        display.Report(Progress(1, "started"));
        display.Report(Progress(1, "done", "met: cluster in fra green\n\n  twice  "));
        display.Report(Progress(2, "started"));
        display.Report(Progress(2, "failed", $"exit 255: password {Secret}"));
        display.Report(Progress(3, "done", new string('x', 310)));

        Assert.Equal(
            "[1/3] Check fra answers ...\n" +
            "[1/3] done: met: cluster in fra green | twice\n" +
            "[2/3] Build dub generation 2 ...\n" +
            "[2/3] failed: exit 255: password [redacted]\n" +
            $"[3/3] done: {new string('x', 300)}…\n",
            output.ToString().ReplaceLineEndings("\n"));
        // Nobody watches pulumi's output here: it is read whole, as before.
        Assert.Null(display.PulumiOutput);
    }

    [Fact]
    public void PlainLines_SecretStraddlingTheCut_LeaksNoPartOfIt()
    {
        var output = new StringWriter();
        var display = new PlainStepLines(output, new Redactor([Secret]));

        display.Report(Progress(1, "failed", new string('x', 290) + Secret));

        Assert.DoesNotContain(Secret[..5], output.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.4, "0.4s")]
    [InlineData(9.96, "9.9s")]
    [InlineData(12.6, "12s")]
    [InlineData(185, "3m05s")]
    [InlineData(3720, "1h02m")]
    public void Elapsed_IsShortAndPreciseWhereItMatters(double seconds, string expected) =>
        Assert.Equal(expected, StepBoard.FormatElapsed(TimeSpan.FromSeconds(seconds)));

    private static StepProgress Progress(int number, string phase, string? detail = null) =>
        new(number, Plan.Steps.Count, Plan.Steps[number - 1], phase, detail);

    private static string Render(LiveStepDisplay display)
    {
        var terminal = StatusOutputTests.Terminal();
        terminal.Write(display.Frame());
        return terminal.Output;
    }

    /// <summary>The live display redraws the whole table each frame; the last frame is the last table in the output.</summary>
    private static string LastFrame(string output) => output[output.LastIndexOf('╭')..];
}
