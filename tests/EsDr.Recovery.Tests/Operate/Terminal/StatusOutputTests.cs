using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Observe;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Operate.Terminal;
using Spectre.Console.Testing;

namespace EsDr.Recovery.Tests.Operate.Terminal;

/// <summary>
/// <c>status</c>'s three renderings of one report: the table at a terminal, the plain lines elsewhere (byte for byte
/// what they were before the table existed), JSON with <c>--json</c> — and the redactor over all of them.
/// </summary>
public sealed class StatusOutputTests
{
    private const string Secret = "s3cr3t-Elastic-Pw-77";

    [Fact]
    public void StatusTable_TwoRegions_ShowsARowForEachRegionWithItsFacts()
    {
        var terminal = Terminal();

        terminal.Write(StatusTable.Build(Report(), Redactor.None));

        var output = terminal.Output;
        Assert.Contains("stack prod · active region fra · DEGRADED", output, StringComparison.Ordinal);
        var fra = Assert.Single(terminal.Lines, l => l.Contains("│ fra ", StringComparison.Ordinal));
        Assert.Contains("active", fra, StringComparison.Ordinal);
        Assert.Contains("green", fra, StringComparison.Ordinal);
        Assert.Contains("3/3", fra, StringComparison.Ordinal);
        Assert.Contains("primary", fra, StringComparison.Ordinal);
        Assert.Contains("│ ok ", fra, StringComparison.Ordinal);
        var dub = Assert.Single(terminal.Lines, l => l.Contains("│ dub ", StringComparison.Ordinal));
        Assert.Contains("standby", dub, StringComparison.Ordinal);
        Assert.Contains("yellow", dub, StringComparison.Ordinal);
        Assert.Contains("2/3", dub, StringComparison.Ordinal);
        Assert.Contains("! missing node(s): prod-dub-es-3", output, StringComparison.Ordinal);
        Assert.Contains("orders-1  active  lag 0 ops", output, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusTable_SecretInAProblem_IsRedacted()
    {
        var terminal = Terminal();

        terminal.Write(StatusTable.Build(Report(problem: $"probe: 401 for elastic:{Secret}"), new Redactor([Secret])));

        Assert.DoesNotContain(Secret, terminal.Output, StringComparison.Ordinal);
        Assert.Contains("elastic:[redacted]", terminal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_NotATerminal_WritesExactlyThePlainLines()
    {
        var report = Report();
        var stdout = new StringWriter();
        var console = new OperatorConsole(stdout, new StringWriter(), new StringReader(""), InputIsTerminal: false);

        await StatusCommand.WriteAsync(console, report, json: false, Redactor.None);

        Assert.Equal(report.Render(), stdout.ToString());
        // The plain renderer itself, pinned: scripts and logs read these lines.
        Assert.Equal(
            "stack prod  active region fra  DEGRADED\n" +
            "recovery   may act (not paused)\n" +
            "\n" +
            "fra  active  generation 1  ok\n" +
            "  endpoint   https://fra.example.test:9200/  healthy\n" +
            "  cluster    green  master elected  nodes 3/3\n" +
            "  database   primary  read_only OFF  not replicating\n" +
            "\n" +
            "dub  standby  generation 2  PROBLEMS\n" +
            "  endpoint   https://dub.example.test:9200/  healthy\n" +
            "  cluster    yellow  master elected  nodes 2/3\n" +
            "  follower   orders-1  active  lag 0 ops\n" +
            "  follower   products-1  paused  lag 12 ops  FATAL leader index [products-1] was deleted\n" +
            "  database   replica  read_only ON  IO running  SQL running  behind 0 s\n" +
            "  ! missing node(s): prod-dub-es-3\n",
            stdout.ToString());
    }

    [Fact]
    public async Task Status_AtATerminalWithJson_WritesJsonToStdoutAndNothingToTheTerminal()
    {
        var terminal = Terminal();
        terminal.EmitAnsiSequences = true;
        var stdout = new StringWriter();
        var console = new OperatorConsole(stdout, new StringWriter(), new StringReader(""), InputIsTerminal: true) { Terminal = terminal };

        await StatusCommand.WriteAsync(console, Report(), json: true, Redactor.None);

        Assert.StartsWith("{", stdout.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout.ToString());
        Assert.Empty(terminal.Output);
    }

    [Fact]
    public async Task Status_AtATerminal_WritesTheTableAndNoPlainLines()
    {
        var terminal = Terminal();
        var stdout = new StringWriter();
        var console = new OperatorConsole(stdout, new StringWriter(), new StringReader(""), InputIsTerminal: true) { Terminal = terminal };

        await StatusCommand.WriteAsync(console, Report(), json: false, Redactor.None);

        Assert.Empty(stdout.ToString());
        Assert.Contains("│ dub ", terminal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnpublishedConfig_IsShownInEveryRendering_AndMakesTheStackDegraded()
    {
        var fraOnly = Report() with { Regions = [Report().Regions[0]] };
        Assert.True(fraOnly.Healthy);
        var pending = new EsDr.Recovery.Execute.Git.PublicationRecord("rec-20261206-101500-3f9a1c", "RegionFailover",
            "fail over from fra to dub (succeeded)", "0123456789abcdef", 2, $"origin refused the push to main: token {Secret}",
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);
        var report = fraOnly with { UnpublishedConfig = [pending] };
        var terminal = Terminal();

        terminal.Write(StatusTable.Build(report, new Redactor([Secret])));

        Assert.False(report.Healthy);
        var line = "! recovery rec-20261206-101500-3f9a1c (RegionFailover: fail over from fra to dub (succeeded)): config not pushed: origin refused the push to main";
        Assert.Contains(line, report.Render(), StringComparison.Ordinal);
        // The table's caption wraps at the table's width: the facts, not the line.
        Assert.Contains("! recovery rec-20261206-101500-3f9a1c", terminal.Output, StringComparison.Ordinal);
        Assert.Contains("config not pushed", terminal.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, terminal.Output, StringComparison.Ordinal);
        var json = report.ToJson();
        Assert.Equal("rec-20261206-101500-3f9a1c", (string?)json["unpublishedConfig"]![0]!["recoveryId"]);
        Assert.Equal(2, (int)json["unpublishedConfig"]![0]!["attempts"]!);
        Assert.False((bool)json["healthy"]!);
        Assert.Null(fraOnly.ToJson()["unpublishedConfig"]); // left out when nothing is pending
    }

    internal static TestConsole Terminal()
    {
        var console = new TestConsole();
        console.Profile.Width = 200;
        return console;
    }

    /// <summary>fra healthy and active; dub a standby missing a node, one follower failed.</summary>
    internal static StatusReport Report(string? problem = null)
    {
        var fraNodes = new[] { "prod-fra-es-1", "prod-fra-es-2", "prod-fra-es-3" };
        var dubNodes = new[] { "prod-dub-es-1", "prod-dub-es-2", "prod-dub-es-3" };
        var fra = new RegionStatus("fra", "active", 1, new Uri("https://fra.example.test:9200"), true,
            new ClusterObservation("fra", true, ClusterStatus.Green, true, fraNodes, []), fraNodes, "primary",
            new DatabaseObservation("fra", true, false, false, false, false, null, "0-1-100"), []);
        var dub = new RegionStatus("dub", "standby", 2, new Uri("https://dub.example.test:9200"), true,
            new ClusterObservation("dub", true, ClusterStatus.Yellow, true, dubNodes[..2],
                [new FollowerObservation("orders-1", true, 0, null), new FollowerObservation("products-1", false, 12, "leader index [products-1] was deleted")]),
            dubNodes, "replica", new DatabaseObservation("dub", true, true, true, true, true, 0, "0-1-100"),
            problem is null ? ["missing node(s): prod-dub-es-3"] : ["missing node(s): prod-dub-es-3", problem]);
        return new StatusReport("prod", "fra", [fra, dub]);
    }
}
