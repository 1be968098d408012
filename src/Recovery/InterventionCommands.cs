using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EsDr.Infra.Config;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Pipeline;

namespace EsDr.Recovery;

/// <summary>
/// The operators' switches on the recovery machinery, kept in the audit database (<see cref="Interventions"/>) so every
/// process on it — both daemon replicas, later commands, a restarted daemon — honours them at once:
/// <c>ack REGION [--comment …]</c> lifts the region's block period, <c>pause [--reason …]</c> stops every recovery
/// (automatic or not) before it acts, <c>resume</c> lifts the pause. Each is recorded with who and why. Neither pulumi
/// nor the stack's services are touched: the stack file is read only for its regions and its audit database.
/// </summary>
internal static class InterventionCommands
{
    private sealed class Options
    {
        public Option<FileInfo?> AuditDb { get; } = new("--audit-db")
        {
            Description = "the audit database (default: es-dr:recovery.auditDatabase of --stack-file, else $XDG_STATE_HOME/es-dr/audit.db)",
        };

        public Option<FileInfo> StackFile { get; } = new("--stack-file")
        {
            Description = "the stack's config, read for its regions, es-dr:recovery.auditDatabase and pauseFile (default: Pulumi.prod.yaml)",
            DefaultValueFactory = _ => new FileInfo("Pulumi.prod.yaml"),
        };

        public Option<bool> Json { get; } = new("--json") { Description = "one JSON object on stdout" };

        public void AddTo(Command command)
        {
            command.Options.Add(AuditDb);
            command.Options.Add(StackFile);
            command.Options.Add(Json);
        }
    }

    /// <summary>What the command found in the stack file: its audit database, regions (null: no file) and pause file.</summary>
    private sealed record Context(FileInfo AuditDb, IReadOnlyList<string>? Regions, string? PauseFile, bool Json);

    public static Command CreateAck(OperatorHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var o = new Options();
        var region = new Argument<string?>("region") { Description = "the region whose block period to lift", Arity = ArgumentArity.ZeroOrOne };
        // The form earlier releases documented (acknowledge --region R); hidden, still accepted.
        var regionOption = new Option<string?>("--region") { Description = "the region (as the argument)", Hidden = true };
        var comment = new Option<string?>("--comment") { Description = "why, recorded with the acknowledgement" };
        var command = new Command("ack", "Acknowledge the latest recovery in a region: lift its block period for every process, so the next recovery there may run.")
        {
            region, regionOption, comment,
        };
        command.Aliases.Add("acknowledge");
        o.AddTo(command);
        command.SetAction(result =>
        {
            var (given, byOption) = (result.GetValue(region), result.GetValue(regionOption));
            if (given is not null && byOption is not null && given != byOption)
                return Usage(host, $"the region is given twice ('{given}' and --region '{byOption}')");
            if ((given ?? byOption) is not { Length: > 0 } name)
                return Usage(host, "name the region: es-dr-recovery ack REGION [--comment TEXT]");
            return Run(host, o, result, ctx => Ack(host, ctx, name, result.GetValue(comment)));
        });
        return command;
    }

    public static Command CreatePause(OperatorHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var o = new Options();
        var reason = new Option<string?>("--reason") { Description = "why, recorded and shown by status and every refusal" };
        var command = new Command("pause", "Stop every recovery, automatic or not, before it acts (daemons keep watching) until es-dr-recovery resume.") { reason };
        o.AddTo(command);
        command.SetAction(result => Run(host, o, result, ctx => Pause(host, ctx, result.GetValue(reason))));
        return command;
    }

    public static Command CreateResume(OperatorHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var o = new Options();
        var comment = new Option<string?>("--comment") { Description = "why, recorded with the resume" };
        var command = new Command("resume", "Lift a pause set with es-dr-recovery pause (exit 6 while the pause file still exists).") { comment };
        o.AddTo(command);
        command.SetAction(result => Run(host, o, result, ctx => Resume(host, ctx, result.GetValue(comment))));
        return command;
    }

    private static int Run(OperatorHost host, Options o, ParseResult result, Func<Context, int> act)
    {
        var stackFile = result.GetRequiredValue(o.StackFile);
        var given = result.GetValue(o.AuditDb);
        var (auditDb, exit) = HistoryCommand.AuditDatabase(given ?? (host.Services.AuditDatabase is { } configured ? new FileInfo(configured) : null),
            stackFile, host.Console.Error);
        if (auditDb is null) return exit;
        var (regions, pauseFile) = StackFacts(stackFile);
        var ctx = new Context(auditDb, regions, pauseFile, result.GetValue(o.Json));
        try
        {
            return act(ctx);
        }
        catch (Exception e) when (OperatorHost.IsAuditFailure(e))
        {
            return OperatorHost.AuditUnusable(host.Console.Error, auditDb.FullName, e);
        }
    }

    private static int Ack(OperatorHost host, Context ctx, string region, string? comment)
    {
        if (ctx.Regions is { } regions && !regions.Contains(region, StringComparer.Ordinal))
            return Usage(host, $"no region '{region}' in the stack (regions: {string.Join(", ", regions)})");
        // No database yet: no recovery ever ran, so nothing blocks (and none is created by asking).
        BlockStart? lifted = null;
        if (ctx.AuditDb.Exists)
        {
            using var blocks = BlockPeriods.Open(ctx.AuditDb.FullName);
            var latest = blocks.Latest(region);
            var now = host.Time.GetUtcNow();
            if (latest is not null && blocks.Acknowledge(region, now))
            {
                lifted = latest;
                using var interventions = Interventions.Open(ctx.AuditDb.FullName);
                interventions.Record(new Intervention(now, InterventionKind.Acknowledge, region, comment, Operator(host)) { RecoveryId = latest.RecoveryId });
            }
        }
        var text = lifted is null
            ? $"no block period on {region}: nothing to acknowledge"
            : $"acknowledged recovery {lifted.RecoveryId} in {region} (ran at {Time(lifted.At)}): its block period is lifted";
        return Say(host, ctx, text, new JsonObject
        {
            ["command"] = "ack", ["region"] = region, ["acknowledged"] = lifted is not null, ["recoveryId"] = lifted?.RecoveryId, ["comment"] = comment,
        }, ExitCodes.Ok);
    }

    private static int Pause(OperatorHost host, Context ctx, string? reason)
    {
        using var interventions = Interventions.Open(ctx.AuditDb.FullName);
        var already = interventions.Paused();
        var paused = already ?? new PauseRecord(host.Time.GetUtcNow(), Operator(host), reason);
        // Pausing twice keeps the first pause (who and why it began), as the log shows it.
        if (already is null)
            interventions.Record(new Intervention(paused.Since, InterventionKind.Pause, null, reason, paused.By));
        var text = already is null ? $"recoveries are {paused.Describe()}" : $"already {paused.Describe()}";
        return Say(host, ctx, text, new JsonObject
        {
            ["command"] = "pause", ["paused"] = true, ["changed"] = already is null, ["since"] = Iso(paused.Since), ["by"] = paused.By,
            ["reason"] = paused.Reason,
        }, ExitCodes.Ok);
    }

    private static int Resume(OperatorHost host, Context ctx, string? comment)
    {
        var was = false;
        if (ctx.AuditDb.Exists)
        {
            using var interventions = Interventions.Open(ctx.AuditDb.FullName);
            if (interventions.Paused() is not null)
            {
                interventions.Record(new Intervention(host.Time.GetUtcNow(), InterventionKind.Resume, null, comment, Operator(host)));
                was = true;
            }
        }
        var fileStays = ctx.PauseFile is { } file && File.Exists(file);
        var text = (was ? "recoveries are resumed" : "recoveries were not paused by es-dr-recovery pause")
            + (fileStays ? $"; but {ctx.PauseFile} exists, so nothing acts until it is removed" : "");
        return Say(host, ctx, text, new JsonObject
        {
            ["command"] = "resume", ["changed"] = was, ["paused"] = fileStays, ["pauseFile"] = fileStays ? ctx.PauseFile : null,
        }, fileStays ? ExitCodes.NotRun : ExitCodes.Ok);
    }

    /// <summary>The stack's regions and pause file; nulls when there is no stack file (an explicit --audit-db alone).</summary>
    private static (IReadOnlyList<string>? Regions, string? PauseFile) StackFacts(FileInfo stackFile)
    {
        if (!stackFile.Exists) return (null, null);
        // HistoryCommand.AuditDatabase already parsed it and reported what is wrong with it.
        var project = ProjectFile.ProjectNameFor(stackFile.FullName);
        var file = StackFile.Load(stackFile.FullName, project);
        var config = StackConfigParser.Parse(project, file.Stack, file.Config, file.SecretKeys);
        return ([.. config.Regions.Select(r => r.Name)], config.Recovery?.PauseFile);
    }

    /// <summary>Who ran the command: the login behind sudo, else the login.</summary>
    private static string Operator(OperatorHost host) =>
        host.Environment("SUDO_USER") is { Length: > 0 } sudo ? sudo
        : host.Environment("USER") is { Length: > 0 } user ? user
        : "unknown";

    private static int Say(OperatorHost host, Context ctx, string text, JsonObject json, int exit)
    {
        host.Console.Out.WriteLine(ctx.Json ? json.ToJsonString(JsonOutput.Lines) : text);
        return exit;
    }

    private static int Usage(OperatorHost host, string message)
    {
        host.Console.Error.WriteLine("error: " + message);
        return ExitCodes.Usage;
    }

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
