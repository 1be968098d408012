using System.Globalization;
using EsDr.Recovery.Execute.Audit;
using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Pipeline;

/// <summary>One registered detection and what the pipeline made of it (null until decided).</summary>
internal sealed record DetectionRecord(
    long Id, DateTimeOffset DetectedAt, string Code, string Region, string? Node, RecoveryTrigger Trigger,
    bool Forced, string? Outcome, string? Detail, string? RecoveryId);

/// <summary>
/// Every detection the pipeline received, in a <c>detections</c> table of the audit database (next to
/// <see cref="AuditTrail"/>'s recoveries), with its outcome: acted, blocked by which rule, vetoed by which
/// hook, skipped and why, or dry run — linked to the recovery id where one was recorded.
/// </summary>
internal sealed class DetectionLog : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS detections (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            detected_at TEXT NOT NULL,
            code        TEXT NOT NULL,
            region      TEXT NOT NULL,
            node        TEXT,
            trigger     TEXT NOT NULL,
            forced      INTEGER NOT NULL,
            outcome     TEXT,
            detail      TEXT,
            recovery_id TEXT
        );
        """;

    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private DetectionLog(SqliteConnection connection) => this.connection = connection;

    public static DetectionLog Open(string auditPath) => new(SqliteCommands.OpenAuditFile(auditPath, Schema));

    public long Register(Detection detection, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(detection);
        var d = detection.Diagnosis;
        lock (gate)
        {
            using var command = Command("""
                INSERT INTO detections (detected_at, code, region, node, trigger, forced)
                VALUES ($at, $code, $region, $node, $trigger, $forced) RETURNING id
                """,
                ("$at", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), ("$code", d.Code.ToString()),
                ("$region", d.Region), ("$node", d.Node), ("$trigger", AuditNames.Name(detection.Trigger)),
                ("$forced", detection.Forced ? 1 : 0));
            return (long)command.ExecuteScalar()!;
        }
    }

    public void Resolve(long id, PipelineOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var (name, detail, recoveryId) = outcome switch
        {
            PipelineOutcome.Acted a => ("acted", a.Error, a.RecoveryId),
            PipelineOutcome.Blocked b => ("blocked:" + b.Rule, b.Reason, null),
            PipelineOutcome.Vetoed v => ("vetoed:" + v.Hook, v.Reason, v.RecoveryId),
            PipelineOutcome.Skipped s => ("skipped", s.Reason, null),
            PipelineOutcome.DryRun r => ("dry-run", null, r.RecoveryId),
            _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
        };
        lock (gate)
        {
            using var command = Command("UPDATE detections SET outcome = $outcome, detail = $detail, recovery_id = $rid WHERE id = $id",
                ("$id", id), ("$outcome", name), ("$detail", detail), ("$rid", recoveryId));
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The newest <paramref name="limit"/> detections, newest first.</summary>
    public IReadOnlyList<DetectionRecord> Recent(int limit)
    {
        lock (gate)
        {
            using var command = Command("SELECT * FROM detections ORDER BY id DESC LIMIT $limit", ("$limit", limit));
            using var reader = command.ExecuteReader();
            var rows = new List<DetectionRecord>();
            while (reader.Read())
            {
                rows.Add(new DetectionRecord(
                    reader.GetInt64(0),
                    DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    reader.GetString(2), reader.GetString(3), Optional(reader, 4),
                    AuditNames.ParseTrigger(reader.GetString(5)), reader.GetInt64(6) != 0,
                    Optional(reader, 7), Optional(reader, 8), Optional(reader, 9)));
            }
            return rows;
        }
    }

    public void Dispose() => connection.Dispose();

    private static string? Optional(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters) => connection.Command(sql, parameters);

}
