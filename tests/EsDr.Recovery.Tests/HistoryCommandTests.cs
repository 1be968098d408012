using System.Text.Json.Nodes;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Runner;
using EsDr.Recovery.Tests.Execute.Audit;
using EsDr.Recovery.Tests.Execute.Runner;

namespace EsDr.Recovery.Tests;

/// <summary><c>es-dr-recovery history</c>: the audit trail as an operator reads it.</summary>
public sealed class HistoryCommandTests : IDisposable
{
    private readonly TempDatabase db = new();
    private readonly ManualTime time = new(new DateTimeOffset(2026, 11, 22, 0, 12, 34, TimeSpan.Zero));

    public void Dispose() => db.Dispose();

    private async Task RecordOneFailoverAsync()
    {
        using var audit = AuditTrail.Open(db.Path, Redactor.None);
        await new RecoveryExecutor(audit, new FakeWorld(time), time).RunAsync(FakeWorld.Plan(3), RecoveryTrigger.Webhook);
    }

    private (int Exit, string Out) History(bool json)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = HistoryCommand.Execute(20, new FileInfo(db.Path), json, stdout, stderr);
        return (exit, stdout.ToString());
    }

    [Fact]
    public async Task History_ListsTheRecoveryWithEveryStepAndItsStatus()
    {
        await RecordOneFailoverAsync();

        var (exit, output) = History(json: false);

        Assert.Equal(0, exit);
        Assert.Contains("RegionFailover  Succeeded  trigger Webhook  started 2026-11-22 00:12:34Z", output, StringComparison.Ordinal);
        Assert.Equal(3, output.Split('\n').Count(l => l.Contains(" Succeeded ", StringComparison.Ordinal) && l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0])));
    }

    [Fact]
    public async Task History_Json_CarriesTheExactRenderedSteps()
    {
        await RecordOneFailoverAsync();

        var (_, output) = History(json: true);

        var recovery = JsonNode.Parse(output)!.AsArray().Single()!;
        Assert.Equal("Webhook", recovery["trigger"]!.GetValue<string>());
        Assert.Equal(3, recovery["steps"]!.AsArray().Count);
        Assert.All(recovery["steps"]!.AsArray(), s => Assert.False(string.IsNullOrEmpty(s!["rendered"]!.GetValue<string>())));
    }

    [Fact]
    public void History_WithoutAnyRecoveryYet_IsEmptyNotAnError()
    {
        using var stdout = new StringWriter();
        var missing = new FileInfo(Path.Combine(Path.GetTempPath(), $"esdr-none-{Guid.NewGuid():N}.db"));

        var exit = HistoryCommand.Execute(20, missing, json: false, stdout, new StringWriter());

        Assert.Equal(0, exit);
        Assert.Equal("no recoveries recorded", stdout.ToString().Trim());
        Assert.False(missing.Exists);
    }

    [Fact]
    public void AuditDatabase_WithoutAuditDb_ReadsTheStacksAuditDatabaseSetting_AndReportsAnInvalidStack()
    {
        using var bed = new Operate.OperatorTestbed();
        var configured = Path.Combine(Path.GetTempPath(), "esdr-history-configured.db");
        Operate.OperatorTestbedFiles.AppendRecovery(bed, $"auditDatabase: {configured}");
        using var stderr = new StringWriter();

        Assert.Equal(configured, HistoryCommand.AuditDatabase(null, bed.StackFile, stderr).AuditDb!.FullName);
        Assert.Equal(db.Path, HistoryCommand.AuditDatabase(new FileInfo(db.Path), bed.StackFile, stderr).AuditDb!.FullName);

        Operate.OperatorTestbedFiles.AppendRecovery(bed, "colour: blue");
        var (none, exit) = HistoryCommand.AuditDatabase(null, bed.StackFile, stderr);
        Assert.Null(none);
        Assert.Equal(ExitCodes.InvalidConfig, exit);
        Assert.Contains("colour", stderr.ToString(), StringComparison.Ordinal);
    }
}
