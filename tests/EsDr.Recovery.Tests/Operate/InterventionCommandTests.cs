using System.Text.Json.Nodes;

namespace EsDr.Recovery.Tests.Operate;

/// <summary>
/// <c>ack</c>, <c>pause</c> and <c>resume</c> end to end on the operator test bed: each is kept in the audit database,
/// honoured by the next command (another process), shown by <c>status</c>, and said in JSON with <c>--json</c>.
/// </summary>
public sealed class InterventionCommandTests : IDisposable
{
    private readonly OperatorTestbed bed = new();

    public InterventionCommandTests() => bed.Environment["USER"] = "ana";

    public void Dispose() => bed.Dispose();

    [Fact]
    public async Task Pause_StopsTheNextAction_StatusShowsIt_AndResumeLetsItRun()
    {
        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("pause", "--reason", "change freeze"));
        Assert.Contains("recoveries are paused by ana at ", bed.Out.ToString(), StringComparison.Ordinal);

        Assert.Equal(ExitCodes.NotRun, await bed.RunAsync("rebuild-region", "dub", "--yes"));
        Assert.Contains("blocked by PauseSwitch: paused by ana at ", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Contains("(change freeze); es-dr-recovery resume lifts it", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.Empty(bed.Changes);

        await bed.RunAsync("status");
        Assert.Contains("recovery   PAUSED: paused by ana", bed.Out.ToString(), StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("resume", "--comment", "freeze over"));
        Assert.Equal("recoveries are resumed\n", bed.Out.ToString());
        Assert.True(await bed.RunAsync("rebuild-region", "dub", "--yes") == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
        Assert.NotEmpty(bed.Changes);
    }

    [Fact]
    public async Task PauseTwice_KeepsTheFirstPause_AndSaysItDidNotChange()
    {
        await bed.RunAsync("pause", "--reason", "first");
        bed.Environment["USER"] = "ben";

        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("pause", "--reason", "second", "--json"));

        var json = JsonNode.Parse(bed.Out.ToString())!;
        Assert.Equal(("pause", true, false, "ana", "first"),
            ((string?)json["command"], (bool)json["paused"]!, (bool)json["changed"]!, (string?)json["by"], (string?)json["reason"]));
    }

    [Fact]
    public async Task Resume_WhileThePauseFileExists_Exits6_AndSaysNothingActsYet()
    {
        var pauseFile = Path.Combine(Path.GetDirectoryName(bed.AuditPath)!, "paused");
        OperatorTestbedFiles.AppendRecovery(bed, $"pauseFile: {pauseFile}");
        File.WriteAllText(pauseFile, "");
        await bed.RunAsync("pause");

        Assert.Equal(ExitCodes.NotRun, await bed.RunAsync("resume", "--json"));

        var json = JsonNode.Parse(bed.Out.ToString())!;
        Assert.True((bool)json["changed"]!);
        Assert.True((bool)json["paused"]!);
        Assert.Equal(pauseFile, (string?)json["pauseFile"]);
    }

    [Fact]
    public async Task Resume_WhenNotPaused_ChangesNothing_Exit0()
    {
        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("resume"));

        Assert.Contains("were not paused", bed.Out.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(bed.AuditPath));
    }

    [Fact]
    public async Task Ack_LiftsTheBlockPeriod_RecordsWhoAndWhy_AndStatusShowsBoth()
    {
        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("rebuild-region", "dub", "--yes"));
        await bed.RunAsync("status", "--json");
        var blocked = Assert.Single(JsonNode.Parse(bed.Out.ToString())!["recovery"]!["blocked"]!.AsArray())!;
        Assert.Equal("dub", (string?)blocked["region"]);

        Assert.Equal(ExitCodes.Ok, await bed.RunAsync("ack", "dub", "--comment", "region checked by hand", "--json"));
        var ack = JsonNode.Parse(bed.Out.ToString())!;
        Assert.True((bool)ack["acknowledged"]!);
        Assert.Equal((string?)blocked["recoveryId"], (string?)ack["recoveryId"]);

        await bed.RunAsync("status", "--json");
        var recovery = JsonNode.Parse(bed.Out.ToString())!["recovery"]!;
        Assert.Empty(recovery["blocked"]!.AsArray());
        var recorded = recovery["interventions"]!.AsArray()[0]!;
        Assert.Equal(("acknowledge", "dub", "region checked by hand", "ana", (string?)ack["recoveryId"]),
            ((string?)recorded["kind"], (string?)recorded["region"], (string?)recorded["text"], (string?)recorded["by"], (string?)recorded["recoveryId"]));
        Assert.True(await bed.RunAsync("rebuild-region", "dub", "--yes") == ExitCodes.Ok, bed.Error.ToString() + bed.Out);
    }

    [Fact]
    public async Task Ack_ARegionTheStackDoesNotHave_IsAUsageError_NamingItsRegions()
    {
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync("ack", "ams"));

        Assert.Equal("error: no region 'ams' in the stack (regions: fra, dub)\n", bed.Error.ToString());
        Assert.False(File.Exists(bed.AuditPath));
    }

    [Theory]
    [InlineData(new[] { "ack" }, "name the region")]
    [InlineData(new[] { "ack", "fra", "--region", "dub" }, "the region is given twice")]
    public async Task Ack_WithoutOneRegion_IsAUsageError(string[] args, string said)
    {
        Assert.Equal(ExitCodes.Usage, await bed.RunAsync(args));

        Assert.Contains(said, bed.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAuditDatabaseThatIsADirectory_IsRefusedWith74()
    {
        Directory.CreateDirectory(bed.AuditPath);

        Assert.Equal(ExitCodes.AuditDatabaseUnusable, await bed.RunAsync("pause"));
        Assert.Contains("is a directory", bed.Error.ToString(), StringComparison.Ordinal);
    }
}
