using Microsoft.Data.Sqlite;

namespace EsDr.Recovery.Execute.Audit;

/// <summary>
/// The audit trail: every recovery and every step it ran, in an embedded SQLite database (WAL mode,
/// schema created on open). Every text goes through the <see cref="Redactor"/> before it is written,
/// so secrets never reach the file. Safe to share between threads of one process.
/// </summary>
internal sealed class AuditTrail : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS recoveries (
            id          TEXT PRIMARY KEY,
            kind        TEXT NOT NULL,
            trigger     TEXT NOT NULL CHECK (trigger IN ('timer', 'webhook', 'operator')),
            summary     TEXT NOT NULL,
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'vetoed'))
        );
        CREATE TABLE IF NOT EXISTS steps (
            recovery_id TEXT NOT NULL REFERENCES recoveries (id),
            step_index  INTEGER NOT NULL,
            description TEXT NOT NULL,
            rendered    TEXT NOT NULL,
            status      TEXT NOT NULL CHECK (status IN ('started', 'succeeded', 'failed', 'skipped')),
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            detail      TEXT,
            attempts    INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (recovery_id, step_index)
        );
        CREATE INDEX IF NOT EXISTS recoveries_started ON recoveries (started_at);
        CREATE INDEX IF NOT EXISTS recoveries_status ON recoveries (status);
        """;

    private readonly SqliteConnection connection;
    private readonly Redactor redactor;
    private readonly Lock gate = new();

    private AuditTrail(SqliteConnection connection, Redactor redactor)
    {
        this.connection = connection;
        this.redactor = redactor;
    }

    /// <summary>Where the trail lives unless configured: <c>$XDG_STATE_HOME/es-dr/audit.db</c> (or the local app data folder).</summary>
    public static string DefaultPath()
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
            state = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(state, "es-dr", "audit.db");
    }

    /// <summary>Opens (creating if needed) the trail at <paramref name="path"/>; an unusable file throws <see cref="AuditDatabaseException"/>.</summary>
    public static AuditTrail Open(string path, Redactor redactor)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(redactor);
        var connection = SqliteCommands.OpenAuditFile(path, Schema);
        connection.Execute("PRAGMA foreign_keys = ON;");
        return new AuditTrail(connection, redactor);
    }

    public void BeginRecovery(string id, string kind, RecoveryTrigger trigger, string summary, DateTimeOffset at) =>
        Write("""
            INSERT INTO recoveries (id, kind, trigger, summary, started_at, finished_at, status)
            VALUES ($id, $kind, $trigger, $summary, $at, NULL, 'running')
            """,
            ("$id", id), ("$kind", redactor.Redact(kind)), ("$trigger", AuditNames.Name(trigger)),
            ("$summary", redactor.Redact(summary)), ("$at", SqliteCommands.Stamp(at)));

    /// <summary>Marks a recovery running again (a resume), clearing its finish time.</summary>
    public void ReopenRecovery(string id) =>
        Write("UPDATE recoveries SET status = 'running', finished_at = NULL WHERE id = $id", ("$id", id));

    public void FinishRecovery(string id, RecoveryStatus status, DateTimeOffset at) =>
        Write("UPDATE recoveries SET status = $status, finished_at = $at WHERE id = $id",
            ("$id", id), ("$status", AuditNames.Name(status)), ("$at", SqliteCommands.Stamp(at)));

    /// <summary>Records that a step started; a second start of the same step (a resume) counts another attempt.</summary>
    public void StepStarted(string recoveryId, int index, string description, string rendered, DateTimeOffset at) =>
        Write("""
            INSERT INTO steps (recovery_id, step_index, description, rendered, status, started_at, finished_at, detail, attempts)
            VALUES ($id, $index, $description, $rendered, 'started', $at, NULL, NULL, 1)
            ON CONFLICT (recovery_id, step_index) DO UPDATE SET
                description = excluded.description, rendered = excluded.rendered, status = 'started',
                started_at = excluded.started_at, finished_at = NULL, detail = NULL, attempts = steps.attempts + 1
            """,
            ("$id", recoveryId), ("$index", index), ("$description", redactor.Redact(description)),
            ("$rendered", redactor.Redact(rendered)), ("$at", SqliteCommands.Stamp(at)));

    public void StepFinished(string recoveryId, int index, StepStatus status, string? detail, DateTimeOffset at)
    {
        if (status == StepStatus.Started)
            throw new ArgumentOutOfRangeException(nameof(status), "a finished step is succeeded, failed or skipped");
        var changed = Write("""
            UPDATE steps SET status = $status, finished_at = $at, detail = $detail
            WHERE recovery_id = $id AND step_index = $index
            """,
            ("$id", recoveryId), ("$index", index), ("$status", AuditNames.Name(status)),
            ("$at", SqliteCommands.Stamp(at)), ("$detail", redactor.RedactOptional(detail)));
        if (changed == 0)
            throw new InvalidOperationException($"step {index} of {recoveryId} was never started");
    }

    /// <summary>Records a step that was not run (a vetoed recovery), with why.</summary>
    public void StepSkipped(string recoveryId, int index, string description, string rendered, string reason, DateTimeOffset at)
    {
        StepStarted(recoveryId, index, description, rendered, at);
        StepFinished(recoveryId, index, StepStatus.Skipped, reason, at);
    }

    /// <summary>The newest <paramref name="limit"/> recoveries, newest first, with their steps.</summary>
    public IReadOnlyList<RecoveryRecord> History(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Query("SELECT * FROM recoveries ORDER BY started_at DESC, id DESC LIMIT $limit", ("$limit", limit));
    }

    public RecoveryRecord? Recovery(string id) =>
        Query("SELECT * FROM recoveries WHERE id = $id", ("$id", id)).SingleOrDefault();

    /// <summary>Recoveries still marked running — the process died (or is still working) before they finished. Oldest first.</summary>
    public IReadOnlyList<RecoveryRecord> Unfinished() =>
        Query("SELECT * FROM recoveries WHERE status = 'running' ORDER BY started_at, id");

    public void Dispose() => connection.Dispose();

    private int Write(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            using var command = Command(sql, parameters);
            return command.ExecuteNonQuery();
        }
    }

    private List<RecoveryRecord> Query(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            var recoveries = new List<RecoveryRecord>();
            using (var command = Command(sql, parameters))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    recoveries.Add(new RecoveryRecord(
                        reader.GetString(reader.GetOrdinal("id")),
                        reader.GetString(reader.GetOrdinal("kind")),
                        AuditNames.ParseTrigger(reader.GetString(reader.GetOrdinal("trigger"))),
                        reader.GetString(reader.GetOrdinal("summary")),
                        SqliteCommands.ParseStamp(reader.GetString(reader.GetOrdinal("started_at"))),
                        OptionalStamp(reader, "finished_at"),
                        AuditNames.ParseRecoveryStatus(reader.GetString(reader.GetOrdinal("status"))),
                        []));
                }
            }
            return recoveries.Select(r => r with { Steps = Steps(r.Id) }).ToList();
        }
    }

    private List<StepRecord> Steps(string recoveryId)
    {
        var steps = new List<StepRecord>();
        using var command = Command("SELECT * FROM steps WHERE recovery_id = $id ORDER BY step_index", ("$id", recoveryId));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var detail = reader.GetOrdinal("detail");
            steps.Add(new StepRecord(
                reader.GetInt32(reader.GetOrdinal("step_index")),
                reader.GetString(reader.GetOrdinal("description")),
                reader.GetString(reader.GetOrdinal("rendered")),
                AuditNames.ParseStepStatus(reader.GetString(reader.GetOrdinal("status"))),
                SqliteCommands.ParseStamp(reader.GetString(reader.GetOrdinal("started_at"))),
                OptionalStamp(reader, "finished_at"),
                reader.IsDBNull(detail) ? null : reader.GetString(detail),
                reader.GetInt32(reader.GetOrdinal("attempts"))));
        }
        return steps;
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters) => connection.Command(sql, parameters);



    private static DateTimeOffset? OptionalStamp(SqliteDataReader reader, string column)
    {
        var i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : SqliteCommands.ParseStamp(reader.GetString(i));
    }
}
