using System.CommandLine;
using System.Globalization;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery acknowledge --region R</c>: an operator's acknowledgement of the latest recovery in R, lifting its
/// anti-flap block period for every process on the same audit database (a running daemon included: it reads the
/// block periods on every check). Only the audit database is touched; pulumi is not asked.
/// </summary>
internal static class AcknowledgeCommand
{
    public static Command Create(OperatorHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var region = new Option<string>("--region") { Description = "the region whose block period to lift", Required = true };
        var auditDb = new Option<FileInfo?>("--audit-db")
        {
            Description = "the audit database (default: es-dr:recovery.auditDatabase of --stack-file when that file exists, else $XDG_STATE_HOME/es-dr/audit.db)",
        };
        var stackFile = new Option<FileInfo>("--stack-file")
        {
            Description = "the stack's config, read only for es-dr:recovery.auditDatabase (default: Pulumi.prod.yaml)",
            DefaultValueFactory = _ => new FileInfo("Pulumi.prod.yaml"),
        };
        var command = new Command("acknowledge", "Lift the anti-flap block period a recovery started in a region, so the next recovery there may run.")
        {
            region, auditDb, stackFile,
        };
        command.SetAction(result =>
        {
            var given = result.GetValue(auditDb) ?? (host.Services.AuditDatabase is { } configured ? new FileInfo(configured) : null);
            var (path, exit) = HistoryCommand.AuditDatabase(given, result.GetRequiredValue(stackFile), host.Console.Error);
            return path is null ? exit : Execute(host, result.GetRequiredValue(region), path);
        });
        return command;
    }

    private static int Execute(OperatorHost host, string region, FileInfo auditDb)
    {
        // No database yet: no recovery ever ran, so nothing blocks (and none is created by asking).
        if (!auditDb.Exists)
        {
            host.Console.Out.WriteLine($"no block period on {region}: no recovery recorded");
            return ExitCodes.Ok;
        }
        using var blocks = BlockPeriods.Open(auditDb.FullName);
        var latest = blocks.Latest(region);
        if (latest is null || !blocks.Acknowledge(region, host.Time.GetUtcNow()))
        {
            host.Console.Out.WriteLine($"no block period on {region}: nothing to acknowledge");
            return ExitCodes.Ok;
        }
        host.Console.Out.WriteLine(
            $"acknowledged recovery {latest.RecoveryId} in {region} (ran at {latest.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}): its block period is lifted");
        return ExitCodes.Ok;
    }
}
