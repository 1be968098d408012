using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EsDr.Recovery.Operate;
using EsDr.Recovery.Execute.Audit;
using EsDr.Recovery.Execute.Git;

namespace EsDr.Recovery;

/// <summary>
/// <c>es-dr-recovery history [--limit N] [--audit-db FILE | --stack-file FILE] [--json]</c>: the audit trail, newest recovery
/// first, each with its steps, their status and the exact call or command they ran (already redacted
/// when it was recorded).
/// </summary>
internal static class HistoryCommand
{
    private static readonly Option<int> Limit = new("--limit") { Description = "how many recoveries to show", DefaultValueFactory = _ => 20 };
    private static readonly Option<FileInfo?> AuditDb = new("--audit-db")
    {
        Description = "the audit database (default: es-dr:recovery.auditDatabase of --stack-file when that file exists, else $XDG_STATE_HOME/es-dr/audit.db)",
    };
    private static readonly Option<FileInfo> StackFileOption = new("--stack-file")
    {
        Description = "the stack's config, read only for es-dr:recovery.auditDatabase (default: Pulumi.prod.yaml)",
        DefaultValueFactory = _ => new FileInfo("Pulumi.prod.yaml"),
    };
    private static readonly Option<bool> Json = new("--json") { Description = "machine-readable output" };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("history", "Show the audit trail: every recovery and each of its steps.") { Limit, AuditDb, StackFileOption, Json };
        command.SetAction(result =>
        {
            var (auditDb, exit) = AuditDatabase(result.GetValue(AuditDb), result.GetRequiredValue(StackFileOption), stderr);
            return auditDb is null ? exit : Execute(result.GetValue(Limit), auditDb, result.GetValue(Json), stdout, stderr);
        });
        return command;
    }

    /// <summary>
    /// Where the audit trail is: <c>--audit-db</c>; else the stack's <c>es-dr:recovery.auditDatabase</c> (the file is
    /// only parsed, pulumi is not asked); else the default path. An invalid stack file is reported, not ignored.
    /// </summary>
    internal static (FileInfo? AuditDb, int ExitCode) AuditDatabase(FileInfo? given, FileInfo stackFile, TextWriter stderr)
    {
        if (given is not null) return (given, ExitCodes.Ok);
        if (!stackFile.Exists) return (new FileInfo(AuditTrail.DefaultPath()), ExitCodes.Ok);
        try
        {
            var project = EsDr.Infra.Config.ProjectFile.ProjectNameFor(stackFile.FullName);
            var file = EsDr.Infra.Config.StackFile.Load(stackFile.FullName, project);
            var config = EsDr.Infra.Config.StackConfigParser.Parse(project, file.Stack, file.Config, file.SecretKeys);
            return (new FileInfo(config.Recovery?.AuditDatabase ?? AuditTrail.DefaultPath()), ExitCodes.Ok);
        }
        catch (EsDr.Infra.Config.ConfigFileUnreadableException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return (null, ExitCodes.FileNotFound);
        }
        catch (EsDr.Infra.Config.InvalidConfigException e)
        {
            foreach (var problem in e.Errors) stderr.WriteLine($"error: {problem}");
            return (null, ExitCodes.InvalidConfig);
        }
    }

    public static int Execute(int limit, FileInfo auditDb, bool json, TextWriter stdout, TextWriter stderr)
    {
        if (limit < 1)
        {
            stderr.WriteLine("error: --limit must be at least 1");
            return ExitCodes.Usage;
        }
        // A directory is not "no database yet": it would hide a wrong --audit-db behind an empty history.
        if (!auditDb.Exists && !Directory.Exists(auditDb.FullName))
        {
            // No database yet means no recovery has ever run: an empty history, not an error.
            stdout.WriteLine(json ? "[]" : "no recoveries recorded");
            return ExitCodes.Ok;
        }
        IReadOnlyList<RecoveryRecord> history;
        Dictionary<string, PublicationRecord> published;
        try
        {
            using var trail = AuditTrail.Open(auditDb.FullName, Redactor.None);
            history = trail.History(limit);
            using var publications = ConfigPublications.Open(auditDb.FullName, Redactor.None);
            published = history.Select(r => publications.Find(r.Id)).OfType<PublicationRecord>().ToDictionary(p => p.RecoveryId, StringComparer.Ordinal);
        }
        catch (Exception e) when (Operate.OperatorHost.IsAuditFailure(e))
        {
            return Operate.OperatorHost.AuditUnusable(stderr, auditDb.FullName, e);
        }
        if (json)
        {
            stdout.WriteLine(new JsonArray(history.Select(r => (JsonNode)new JsonObject
            {
                ["id"] = r.Id, ["kind"] = r.Kind, ["trigger"] = r.Trigger.ToString(), ["summary"] = r.Summary,
                ["status"] = r.Status.ToString(), ["startedAt"] = r.StartedAt, ["finishedAt"] = r.FinishedAt,
                ["steps"] = new JsonArray(r.Steps.Select(s => (JsonNode)new JsonObject
                {
                    ["index"] = s.Index, ["description"] = s.Description, ["rendered"] = s.Rendered,
                    ["status"] = s.Status.ToString(), ["attempts"] = s.Attempts, ["detail"] = s.Detail,
                }).ToArray()),
                ["config"] = published.TryGetValue(r.Id, out var p) ? new JsonObject
                {
                    ["pushed"] = p.Landed, ["commit"] = p.Commit, ["attempts"] = p.Attempts, ["lastError"] = p.LastError, ["landedAt"] = p.LandedAt,
                } : null,
            }).ToArray()).ToJsonString(JsonOutput.Indented));
            return ExitCodes.Ok;
        }
        if (history.Count == 0) stdout.WriteLine("no recoveries recorded");
        foreach (var r in history)
        {
            stdout.WriteLine($"{r.Id}  {r.Kind}  {r.Status}  trigger {r.Trigger}  started {Time(r.StartedAt)}{(r.FinishedAt is { } f ? $"  finished {Time(f)}" : "")}");
            stdout.WriteLine($"  {r.Summary}");
            foreach (var s in r.Steps)
                stdout.WriteLine($"  {s.Index + 1,3}. {s.Status,-9} {s.Description}{(s.Attempts > 1 ? $" ({s.Attempts} attempts)" : "")}");
            if (published.TryGetValue(r.Id, out var config))
                stdout.WriteLine("  " + config.Describe());
        }
        return ExitCodes.Ok;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
