using System.Text.Json.Nodes;
using EsDr.Recovery.Tests.Operate;
using Spectre.Console.Testing;

namespace EsDr.Recovery.Tests.Operate.Terminal;

/// <summary>
/// The operator commands with stdout a terminal (a <c>TestConsole</c>) on the prod stack's stand-ins: the table, the
/// live step display, and what <c>--json</c> still guarantees there.
/// </summary>
[Collection("live processes")]
public sealed class OperatorAtATerminalTests : IDisposable
{
    private readonly OperatorTestbed bed = new();
    private readonly TestConsole terminal = StatusOutputTests.Terminal();

    public OperatorAtATerminalTests() => bed.Terminal = terminal;

    public void Dispose()
    {
        terminal.Dispose();
        bed.Dispose();
    }

    [Fact]
    public async Task Status_AtATerminal_ShowsARowForEachRegion()
    {
        var exit = await bed.RunAsync("status");

        Assert.True(exit == 0, bed.Error.ToString() + terminal.Output);
        Assert.Empty(bed.Out.ToString());
        Assert.Contains("stack prod · active region fra · HEALTHY", terminal.Output, StringComparison.Ordinal);
        Assert.Contains(terminal.Lines, l => l.Contains("│ fra ", StringComparison.Ordinal) && l.Contains("active", StringComparison.Ordinal));
        Assert.Contains(terminal.Lines, l => l.Contains("│ dub ", StringComparison.Ordinal) && l.Contains("standby", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_WithJsonAtATerminal_WritesPlainJsonWithoutAnsiCodes()
    {
        terminal.EmitAnsiSequences = true;

        await bed.RunAsync("status", "--json");

        Assert.Equal("fra", (string?)JsonNode.Parse(bed.Out.ToString())!["activeRegion"]);
        Assert.DoesNotContain('\u001b', bed.Out.ToString() + bed.Error);
        Assert.Empty(terminal.Output);
    }

    [Fact]
    public async Task RebuildRegion_AtATerminal_ShowsEveryStepDoneLiveInsteadOfProgressLines()
    {
        bed.InputIsTerminal = true;
        bed.Input = "y\n";

        var exit = await bed.RunAsync("rebuild-region", "dub");

        Assert.True(exit == 0, bed.Error.ToString() + bed.Out + terminal.Output);
        var output = bed.Out.ToString();
        Assert.Contains("Run these 6 steps? [y/N]", output, StringComparison.Ordinal);
        Assert.Matches(@"RegionRebuild succeeded: recovery rec-\d{8}-\d{6}-[0-9a-f]{6}", output);
        Assert.DoesNotContain("[1/6]", output, StringComparison.Ordinal);
        var last = LastFrame();
        for (var step = 1; step <= 6; step++) Assert.Matches($@"│\s+{step} │ .*│ done\s+│", last);
        Assert.Contains("Build dub generation 2 (a brand-new cluster)", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RebuildRegion_UpFailsThenResumed_ShowsTheFailedStepThenTheEarlierStepsDone()
    {
        bed.Pulumi.FailOnly("up", "error: the provider could not be reached\n");

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.Equal(ExitCodes.RecoveryFailed, exit);
        var failed = LastFrame();
        Assert.Matches(@"│\s+3 │ Build dub generation 2 \(a brand-new cluster\)\s+│ failed\s+│ \S+\s+│ pulumi command failed \(exit 255\)", failed);
        Assert.Matches(@"│\s+4 │ .*│ not run\s+│", failed);
        var id = System.Text.RegularExpressions.Regex.Match(bed.Out.ToString(), @"rec-\d{8}-\d{6}-[0-9a-f]{6}").Value;

        bed.Pulumi.Recover();
        terminal.Clear(home: false);
        var resumed = await bed.RunAsync("rebuild-region", "--resume", id, "--yes");

        Assert.True(resumed == 0, bed.Error.ToString() + bed.Out + terminal.Output);
        var after = LastFrame();
        Assert.Matches(@"│\s+1 │ .*│ done\s+│\s+│ done in an earlier run", after);
        Assert.Matches(@"│\s+2 │ .*│ done\s+│\s+│ done in an earlier run", after);
        for (var step = 3; step <= 6; step++) Assert.Matches($@"│\s+{step} │ .*│ done\s+│ \d", after);
    }

    [Fact]
    public async Task RebuildRegion_SecretInPulumisOutput_IsRedactedInTheLiveDisplay()
    {
        bed.Pulumi.UpSummary = $"Updating (prod)\n\nResources:\n    ~ 4 updated\n\nelastic password {OperatorTestbed.FraPassword}\nDuration: 12s\n";

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes");

        Assert.True(exit == 0, bed.Error.ToString() + bed.Out + terminal.Output);
        Assert.Contains("elastic password [redacted]", terminal.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorTestbed.FraPassword, terminal.Output + bed.Out + bed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RebuildRegion_WithJsonAtATerminal_WritesNoAnsiCodesAndKeepsProgressLinesOnStderr()
    {
        terminal.EmitAnsiSequences = true;

        var exit = await bed.RunAsync("rebuild-region", "dub", "--yes", "--json");

        Assert.True(exit == 0, bed.Error.ToString() + bed.Out);
        Assert.Equal("succeeded", (string?)JsonNode.Parse(bed.Out.ToString())!["outcome"]);
        Assert.Contains("[3/6] Build dub generation 2 (a brand-new cluster) ...", bed.Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', bed.Out.ToString() + bed.Error);
        Assert.Empty(terminal.Output);
    }

    /// <summary>The live display redraws the whole table each frame; the last frame is the last table written.</summary>
    private string LastFrame() => terminal.Output[terminal.Output.LastIndexOf('╭')..];
}
